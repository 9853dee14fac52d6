"""Management-review meetings: recorded (draft), actions raised as CAPAs, signed by the chair (final, read-only),
corrected only by a new meeting that supersedes the old one. The pages, the API and the demo call these only.

The indicator snapshot is :func:`nmguard.apps.quality.indicators.indicators` for the period reviewed (the months
from the period's first to its last day, the last month counted to the period's end), stored as plain values."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.guards import require_role
from nmguard.apps.core.roles import Role
from nmguard.apps.core.signatures import reauthenticate, sign
from nmguard.apps.quality import capa_services
from nmguard.apps.quality import indicators as ind
from nmguard.apps.quality.capa_models import CorrectiveAction
from nmguard.apps.quality.review_models import ManagementReviewMeeting as Meeting
from nmguard.errors import InputError
from nmguard.input_bounds import check_date, check_text

SOURCE = "management review"
RECORDERS = (Role.QUALITY_MANAGER,)  # who records, raises its actions and (as chair) signs


def period_months(start: dt.date, end: dt.date) -> int:
    """Calendar months from ``start``'s month to ``end``'s month, both counted."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def snapshot(start: dt.date, end: dt.date) -> list[dict]:
    """The indicators of the period as plain values (what the minutes keep)."""
    return [s.as_dict() for s in ind.indicators(end, period_months(start, end))]


def snapshot_series(data: list[dict]) -> list[SimpleNamespace]:
    """A stored snapshot back as objects with the attributes the PDF and the plots read (title, unit, …)."""
    return [
        SimpleNamespace(
            key=d["key"],
            title=d["title"],
            unit=d["unit"],
            definition=d["definition"],
            labels=[p["period"] for p in d["points"]],
            values=[p["value"] for p in d["points"]],
            rows=[(p["period"], p["value"]) for p in d["points"]],
        )
        for d in data
    ]


def _check_chair(chair) -> None:
    if chair is None or not getattr(chair, "pk", None):
        raise InputError("chair: choose who chaired the meeting", "chair")
    if not chair.is_active or not chair.groups.filter(name=Role.QUALITY_MANAGER.value).exists():
        raise InputError(f"chair: {chair.get_username()} is not an active quality manager (the chair signs)", "chair")


def _checked(values: dict) -> dict:
    """The meeting's fields checked, the field named in the error."""
    today = timezone.localdate()
    dates = {}
    for name in ("held_on", "period_start", "period_end"):
        day = values.get(name)
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise InputError(f"{name}: a date expected", name)
        dates[name] = check_date(day, name, latest=today)
    held, start, end = dates["held_on"], dates["period_start"], dates["period_end"]
    if today - held > capa_services.YEAR_CHECK and not values.get("confirm_date"):
        raise InputError(
            f"held_on: {held:%Y-%m-%d} is more than a year ago: check the year, or tick that you checked the date",
            "held_on",
        )
    if end < start:
        raise InputError("period_end: before the period's start", "period_end")
    if end > held:
        raise InputError(
            "period_end: after the meeting; the period reviewed ends on or before the meeting", "period_end"
        )
    if period_months(start, end) > ind.MAX_MONTHS:
        raise InputError(f"period_start: a period of at most {ind.MAX_MONTHS} months", "period_start")
    _check_chair(values.get("chair"))
    return {
        **dates,
        "chair": values["chair"],
        "attendees": check_text(values.get("attendees") or "", "attendees", max_length=4000, required=True).strip(),
        "inputs_reviewed": check_text(values.get("inputs_reviewed") or "", "inputs_reviewed").strip(),
        "decisions": check_text(values.get("decisions") or "", "decisions").strip(),
    }


@transaction.atomic
def record_meeting(values: dict, user, supersedes: Meeting | None = None) -> Meeting:
    """Record a meeting as a draft with the period's indicators as they are now (refreshed when signed).
    ``supersedes``: the meeting this one corrects (it stays, marked superseded by this one)."""
    require_role(user, *RECORDERS, what="recording a management review")
    fields = _checked(values)
    if supersedes is not None:
        old = Meeting.objects.select_for_update().get(pk=supersedes.pk)
        if Meeting.objects.filter(supersedes=old).exists():
            raise InputError(f"supersedes: {old.reference} is superseded already", "supersedes")
    reason = f"management review recorded{f', superseding {supersedes.reference}' if supersedes else ''}"
    with acting_as(user, reason=reason):
        return Meeting.objects.create(
            **fields,
            indicator_snapshot=snapshot(fields["period_start"], fields["period_end"]),
            snapshot_at=timezone.now(),
            supersedes=supersedes,
            created_by=user,
        )


def _check_draft(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.DRAFT:
        raise InputError(
            f"meeting: {meeting.reference} is signed and read-only; record a new meeting that supersedes it",
            "meeting",
        )


def raise_meeting_action(meeting: Meeting, user, **fields) -> CorrectiveAction:
    """An action decided at the meeting, raised as a CAPA (source "management review", the meeting's reference);
    ``fields``: those of :func:`capa_services.raise_action` (title, owner, due_on, kind, description, confirm_due)."""
    require_role(user, *RECORDERS, what="raising a management-review action")
    _check_draft(meeting)
    return capa_services.raise_action(**fields, source=SOURCE, source_ref=meeting.reference, user=user)


def actions_for(meeting: Meeting) -> QuerySet[CorrectiveAction]:
    return CorrectiveAction.objects.filter(source=SOURCE, source_ref=meeting.reference).select_related("owner")


def sign_meeting(meeting: Meeting, user, password: str) -> Meeting:
    """The chair signs the minutes ("approved"): the indicators are computed once more and frozen; read-only after."""
    _check_draft(meeting)
    if user.pk != meeting.chair_id:
        raise InputError(f"password: only the chair ({meeting.chair}) signs these minutes", "password")
    require_role(user, *RECORDERS, what="signing the minutes of a management review")
    reauthenticate(user, password, meeting, "approved")  # outside the transaction: a failure is kept
    with transaction.atomic(), acting_as(user, reason=f"{meeting.reference} minutes signed"):
        stored = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _check_draft(stored)
        stored.indicator_snapshot = snapshot(stored.period_start, stored.period_end)
        stored.snapshot_at = timezone.now()
        stored.status = Meeting.Status.FINAL
        stored.save()
        stored.signature = sign(
            stored, user, password, "approved", f"{stored.reference} minutes of the management review approved"
        )
        stored.save(update_fields=["signature", "updated_at"])
    return stored
