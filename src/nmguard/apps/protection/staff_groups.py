"""Staff doses per group: by register category and by the role of the worker's linked account.

Why the role and not a new department field: the register already links a worker to their account, whose
role (technologist, radiopharmacist, ...) is the group the RPO compares; a worker without an account is
"not linked". The dashboard and the annual report read groups through here so both agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nmguard.apps.core.roles import ROLE_LABELS, Role
from nmguard.apps.protection.staff_sums import StaffRow

NOT_LINKED = "not linked to an account"


@dataclass(frozen=True)
class GroupSummary:
    by: str  # "category" or "role"
    name: str
    rows: tuple[StaffRow, ...]

    @property
    def doses(self) -> list[tuple[str, float]]:
        """(worker id, annual effective dose) of the members with a measured dose."""
        return [
            (r.worker.worker_id, r.row["effective_mSv_year"])
            for r in self.rows
            if r.row["effective_mSv_year"] is not None
        ]

    @property
    def collective_mSv(self) -> float:
        """The sum of the members' annual effective doses (the group's collective dose, person-mSv)."""
        return sum(v for _, v in self.doses)

    @property
    def highest_mSv(self) -> float | None:
        return max((v for _, v in self.doses), default=None)

    @property
    def alerts(self) -> int:
        return sum(1 for r in self.rows if r.row["status"] != "ok")


def role_of(row: StaffRow) -> str:
    """The label of the worker's account's role (the first by the Role order), or :data:`NOT_LINKED`."""
    user = row.worker.user
    if user is None:
        return NOT_LINKED
    names = {g.name for g in user.groups.all()}  # prefetched by the caller
    return next((ROLE_LABELS[r] for r in Role if r.value in names), NOT_LINKED)


def groups(rows: Sequence[StaffRow], by: str) -> list[GroupSummary]:
    """The rows grouped ``by`` "category" (the register's) or "role" (the linked account's), named order."""
    key = (lambda r: r.worker.get_category_display()) if by == "category" else role_of
    out: dict[str, list[StaffRow]] = {}
    for r in rows:
        out.setdefault(key(r), []).append(r)
    return [GroupSummary(by, name, tuple(members)) for name, members in sorted(out.items())]


def with_roles(rows: Iterable[StaffRow]) -> list[StaffRow]:
    """``rows`` with each worker's account and its groups fetched in two queries (for :func:`role_of`)."""
    from django.db.models import prefetch_related_objects

    rows = list(rows)
    prefetch_related_objects([r.worker for r in rows], "user__groups")
    return rows
