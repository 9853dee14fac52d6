"""Investigations of staff-dose alerts: which alert an investigation answers, opening, updating, closing.

An alert is one quantity of one worker's year at the investigation level or over a limit
(:func:`nmguard.apps.protection.staff_sums.evaluate_year`). An investigation answers an alert when it is for the
same worker, year and quantity at the same or a higher level: a closed investigation of the investigation level
does not answer a later limit alert, which needs its own. Closing is an e-signature; nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.signatures import reauthenticate, sign
from nmguard.apps.protection import staff_sums
from nmguard.apps.protection.dose_import import check_may_write
from nmguard.apps.protection.event_models import Investigation, Status
from nmguard.apps.protection.models import Worker
from nmguard.errors import InputError
from nmguard.input_bounds import check_text

ALERT_LEVELS = ("investigation", "limit_exceeded")  # ascending
TEXT_FIELDS = ("findings", "cause", "actions")


@dataclass(frozen=True)
class Alert:
    """One quantity of a worker's year that reached the investigation level or passed a limit."""

    worker: Worker
    year: int
    quantity: str
    level: str
    dose_mSv: float | None  # the annual dose (None: a five-year limit passed in a year without a reading)
    reason: str
    investigation: Investigation | None  # the newest one answering it

    @property
    def state(self) -> str:
        """``none`` (no investigation yet), ``open`` or ``closed``."""
        return self.investigation.status if self.investigation else "none"


def answers(investigation: Investigation, level: str) -> bool:
    return ALERT_LEVELS.index(investigation.level) >= ALERT_LEVELS.index(level)


def alerts_of(rows: Iterable[staff_sums.StaffRow]) -> list[Alert]:
    """The alerts of evaluated rows, each with the investigation that answers it (one query for all)."""
    found = []
    for r in rows:
        for q in r.evaluation.quantities.values():
            if q.level in ALERT_LEVELS:
                found.append((r.worker, r.evaluation.year, q))
    if not found:
        return []
    invs = Investigation.objects.filter(
        worker__in={w.pk for w, _, _ in found}, year__in={y for _, y, _ in found}
    ).select_related("closed_by")
    by_key: dict[tuple[int, int, str], list[Investigation]] = {}
    for inv in invs.order_by("-created_at", "-pk"):
        by_key.setdefault((inv.worker_id, inv.year, inv.quantity), []).append(inv)
    out = []
    for worker, year, q in found:
        candidates = [i for i in by_key.get((worker.pk, year, q.quantity), []) if answers(i, q.level)]
        chosen = next((i for i in candidates if i.status == Status.OPEN), candidates[0] if candidates else None)
        out.append(Alert(worker, year, q.quantity, q.level, q.annual_mSv, "; ".join(q.reasons), chosen))
    return out


def worker_alerts(worker: Worker, year: int, profile: str | None = None) -> list[Alert]:
    return alerts_of(staff_sums.evaluate_year(year, profile, {worker.worker_id}))


@transaction.atomic
def open_investigation(worker: Worker, year: int, quantity: str, user) -> Investigation:
    """Open the investigation of the worker's alert for ``quantity`` in ``year`` (the alert must stand now,
    under the department's profile, and have no open investigation)."""
    check_may_write(user)
    staff_sums.check_year(year)
    profile = staff_sums.department_profile()
    alert = next((a for a in worker_alerts(worker, year, profile) if a.quantity == quantity), None)
    if alert is None:
        raise InputError(
            f"quantity: {worker.worker_id}'s {quantity} dose in {year} raises no alert under {profile.upper()}",
            "quantity",
        )
    if alert.state == "open":
        raise InputError(f"quantity: investigation {alert.investigation.pk} is already open for this alert", "quantity")
    with acting_as(user, reason=f"investigation opened: {alert.reason}"[:200]):
        return Investigation.objects.create(
            worker=worker,
            year=year,
            quantity=quantity,
            level=alert.level,
            dose_at_opening_mSv=alert.dose_mSv if alert.dose_mSv is not None else 0.0,
            alert=alert.reason,
            profile=profile,
            opened_by=user,
        )


def _texts(values: dict[str, str]) -> dict[str, str]:
    return {f: check_text(values.get(f) or "", f).strip() for f in TEXT_FIELDS}


@transaction.atomic
def update_investigation(investigation: Investigation, values: dict[str, str], user) -> Investigation:
    """Record findings, cause and actions while the investigation is open (each save is a version)."""
    check_may_write(user)
    inv = Investigation.objects.select_for_update().get(pk=investigation.pk)
    if inv.status != Status.OPEN:
        raise InputError("findings: the investigation is closed; its record can no longer change", "findings")
    with acting_as(user, reason="investigation updated"):
        for name, text in _texts(values).items():
            setattr(inv, name, text)
        inv.save()
    return inv


def close_investigation(investigation: Investigation, values: dict[str, str], user, password: str) -> Investigation:
    """Close by e-signature ("closed") once findings, cause and actions are written."""
    check_may_write(user)
    if investigation.status != Status.OPEN:
        raise InputError("password: the investigation is closed already", "password")
    texts = _texts(values)
    for name in TEXT_FIELDS:
        if not texts[name]:
            raise InputError(f"{name}: required to close the investigation", name)
    reauthenticate(user, password, investigation, "closed")  # outside the transaction: a failure is kept
    with transaction.atomic(), acting_as(user, reason="investigation closed"):
        inv = Investigation.objects.select_for_update().get(pk=investigation.pk)
        if inv.status != Status.OPEN:
            raise InputError("password: the investigation is closed already", "password")
        for name, text in texts.items():
            setattr(inv, name, text)
        inv.status, inv.closed_at, inv.closed_by = Status.CLOSED, timezone.now(), user
        inv.save()
        inv.closure = sign(inv, user, password, "closed", f"Investigation closed: {texts['cause'][:200]}")
        inv.save(update_fields=["closure", "updated_at"])
    return inv
