"""REST endpoints of the management-review meetings (the same services as the pages): the list, one meeting with
its frozen indicators and actions, and record a meeting (the quality manager). Bad input: 422 naming the field."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Router, Status

from nmguard.apps.core.web import require_perm
from nmguard.apps.quality import review_meeting_services as svc
from nmguard.apps.quality.incident_api import _date
from nmguard.apps.quality.review_models import ManagementReviewMeeting as Meeting
from nmguard.apps.quality.review_views import VIEW
from nmguard.errors import InputError
from nmguard.web.input_bounds import BoundedSchema, object_or_404

router = Router(tags=["quality: management review meetings"])


def _meeting(m: Meeting, full: bool = False) -> dict:
    out = {
        "id": m.pk,
        "reference": m.reference,
        "held_on": m.held_on.isoformat(),
        "period_start": m.period_start.isoformat(),
        "period_end": m.period_end.isoformat(),
        "chair": m.chair.get_username(),
        "attendees": m.attendees,
        "inputs_reviewed": m.inputs_reviewed,
        "decisions": m.decisions,
        "status": m.status,
        "signed": m.signature_id is not None,
        "supersedes": m.supersedes_id,
        "actions": [
            {"id": a.pk, "title": a.title, "owner": a.owner.get_username(), "due_on": a.due_on.isoformat(),
             "status": a.status}
            for a in svc.actions_for(m)
        ],
    }  # fmt: skip
    if full:
        out["indicators"] = m.indicator_snapshot
        out["snapshot_at"] = m.snapshot_at.isoformat() if m.snapshot_at else None
    return out


@router.get("/review/meetings", response=list[dict])
def meeting_list(request: HttpRequest):
    require_perm(request, VIEW)
    return [_meeting(m) for m in Meeting.objects.select_related("chair")[:1000]]


@router.get("/review/meetings/{pk}", response=dict)
def meeting_detail(request: HttpRequest, pk: int):
    require_perm(request, VIEW)
    return _meeting(object_or_404(Meeting.objects.select_related("chair"), pk=pk), full=True)


class MeetingIn(BoundedSchema):
    held_on: str  # YYYY-MM-DD, local date
    period_start: str
    period_end: str
    chair: str  # username of a quality manager
    attendees: str
    inputs_reviewed: str = ""
    decisions: str = ""
    confirm_date: bool = False  # needed when the meeting was more than a year ago
    supersedes: int | None = None


@router.post("/review/meetings", response={201: dict})
def record(request: HttpRequest, payload: MeetingIn):
    """Record a meeting (a draft; the chair signs it on its page)."""
    require_perm(request, VIEW)
    values = payload.dict()
    for field in ("held_on", "period_start", "period_end"):
        values[field] = _date(values[field], field)
    values["chair"] = get_user_model().objects.filter(username=payload.chair).first()
    if values["chair"] is None:
        raise InputError(f"chair: no user {payload.chair[:60]!r}", "chair")
    old = object_or_404(Meeting, pk=payload.supersedes) if payload.supersedes is not None else None
    return Status(201, _meeting(svc.record_meeting(values, request.user, supersedes=old), full=True))
