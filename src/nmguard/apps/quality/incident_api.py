"""REST endpoints of incidents and corrective/preventive actions (the same services as the pages): report,
investigate, raise an action, close by e-signature; actions' steps; the anonymised export; the escalation run.
Bad input: 422 naming the field (web.api's handler); who may do what as on the pages (checked by the services)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Router, Status

from nmguard.apps.core.web import require_perm
from nmguard.apps.quality import capa_services as capa
from nmguard.apps.quality import incident_services as incidents
from nmguard.apps.quality.capa_escalation import run_escalation
from nmguard.apps.quality.capa_models import CorrectiveAction
from nmguard.apps.quality.incident_export import anonymised_rows
from nmguard.apps.quality.incident_models import Incident
from nmguard.errors import InputError
from nmguard.input_bounds import check_date, parse_instant
from nmguard.web.input_bounds import BoundedSchema, object_or_404

router = Router(tags=["quality incidents"])
VIEW_INCIDENT, VIEW_ACTION = "quality.view_incident", "quality.view_correctiveaction"


def _incident(i: Incident) -> dict:
    return {
        "id": i.pk,
        "reference": i.reference,
        "occurred_at": i.occurred_at.isoformat(),
        "location": i.location,
        "stage": i.stage,
        "severity": i.severity,
        "near_miss": i.near_miss,
        "description": i.description,
        "immediate_action": i.immediate_action,
        "radiopharmaceutical": i.radiopharmaceutical,
        "shareable": i.shareable,
        "status": i.status,
        "root_cause": i.root_cause,
        "factors": i.factors,
        "lessons": i.lessons,
        "medical_event": i.medical_event_id,
        "protection_event": i.protection_event_id,
        "qc_result": i.qc_result_id,
        "closed_at": i.closed_at.isoformat() if i.closed_at else None,
        "actions": [a.pk for a in incidents.actions_for(i)],
    }


def _action(a: CorrectiveAction) -> dict:
    return {
        "id": a.pk,
        "title": a.title,
        "kind": a.kind,
        "source": a.source,
        "source_ref": a.source_ref,
        "owner": a.owner.get_username(),
        "due_on": a.due_on.isoformat(),
        "status": a.status,
        "done_on": a.done_on.isoformat() if a.done_on else None,
        "effectiveness_check": a.effectiveness_check,
        "effective": a.effective,
        "cancel_reason": a.cancel_reason,
        "closed": a.closure_id is not None,
    }


def _date(text: str, field: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InputError(f"{field}: a date YYYY-MM-DD expected, got {str(text)[:40]!r}", field) from None
    return check_date(day, field)


def _owner(username: str):
    owner = get_user_model().objects.filter(username=username).first()
    if owner is None:
        raise InputError(f"owner: no user {username[:60]!r}", "owner")
    return owner


@router.get("/incidents", response=list[dict])
def incident_list(request: HttpRequest):
    require_perm(request, VIEW_INCIDENT)
    return [_incident(i) for i in Incident.objects.all()[:1000]]


@router.get("/incidents/export", response=list[dict])
def incident_export(request: HttpRequest):
    """Anonymised rows for a learning system (see :mod:`nmguard.apps.quality.incident_export`)."""
    require_perm(request, VIEW_INCIDENT)
    return anonymised_rows()


@router.get("/incidents/{pk}", response=dict)
def incident_detail(request: HttpRequest, pk: int):
    require_perm(request, VIEW_INCIDENT)
    return _incident(object_or_404(Incident, pk=pk))


class IncidentIn(BoundedSchema):
    text_limits_from = (Incident,)
    occurred_at: str  # ISO 8601 with its UTC offset
    location: str
    stage: str
    severity: str
    near_miss: bool
    description: str
    immediate_action: str
    radiopharmaceutical: str = ""
    shareable: bool = False
    confirm_date: bool = False  # needed when it happened more than a year ago (a mistyped year is refused)
    medical_event: int | None = None
    protection_event: int | None = None
    qc_result: int | None = None


@router.post("/incidents", response={201: dict})
def report(request: HttpRequest, payload: IncidentIn):
    require_perm(request, incidents.REPORT_PERMISSION)
    values = payload.dict()
    values["occurred_at"] = parse_instant(payload.occurred_at, "occurred_at")
    return Status(201, _incident(incidents.report_incident(values, request.user)))


class InvestigationIn(BoundedSchema):
    root_cause: str
    factors: list[str] = []
    lessons: str = ""


@router.post("/incidents/{pk}/investigation", response=dict)
def investigate(request: HttpRequest, pk: int, payload: InvestigationIn):
    incident = object_or_404(Incident, pk=pk)
    done = incidents.investigate(
        incident, request.user, root_cause=payload.root_cause, factors=payload.factors, lessons=payload.lessons
    )
    return _incident(done)


class ActionIn(BoundedSchema):
    text_limits_from = (CorrectiveAction,)
    title: str
    owner: str  # username
    due_on: str  # YYYY-MM-DD, local date
    kind: str = "corrective"
    confirm_due: bool = False  # needed when it is due more than a year ahead (a mistyped year is refused)


@router.post("/incidents/{pk}/actions", response={201: dict})
def incident_action(request: HttpRequest, pk: int, payload: ActionIn):
    incident = object_or_404(Incident, pk=pk)
    action = incidents.raise_incident_action(
        incident,
        request.user,
        title=payload.title,
        owner=_owner(payload.owner),
        due_on=_date(payload.due_on, "due_on"),
        kind=payload.kind,
        confirm_due=payload.confirm_due,
    )
    return Status(201, _action(action))


class PasswordIn(BoundedSchema):
    password: str


@router.post("/incidents/{pk}/close", response=dict)
def close_incident(request: HttpRequest, pk: int, payload: PasswordIn):
    incident = object_or_404(Incident, pk=pk)
    return _incident(incidents.close_incident(incident, request.user, payload.password))


@router.get("/actions", response=list[dict])
def action_list(request: HttpRequest, status: str = "", overdue: bool = False):
    require_perm(request, VIEW_ACTION)
    actions = capa.overdue() if overdue else CorrectiveAction.objects.all()
    if status:
        if status not in CorrectiveAction.Status.values:
            raise InputError(f"status: one of {', '.join(CorrectiveAction.Status.values)}", "status")
        actions = actions.filter(status=status)
    return [_action(a) for a in actions.select_related("owner")[:1000]]


class RaiseIn(ActionIn):
    source: str
    source_ref: str = ""
    description: str = ""


@router.post("/actions", response={201: dict})
def raise_action(request: HttpRequest, payload: RaiseIn):
    require_perm(request, VIEW_ACTION)
    values = payload.dict()
    values.update(owner=_owner(payload.owner), due_on=_date(payload.due_on, "due_on"), user=request.user)
    return Status(201, _action(capa.raise_action(**values)))


class StepIn(BoundedSchema):
    step: str  # done | effectiveness | close | cancel
    note: str = ""
    effectiveness_check: str = ""
    effective: bool | None = None
    password: str = ""
    reason: str = ""


@router.post("/actions/{pk}/steps", response=dict)
def action_step(request: HttpRequest, pk: int, payload: StepIn):
    """One step of the action's life: ``done`` (note), ``effectiveness`` (effectiveness_check, effective),
    ``close`` (password: e-signature), ``cancel`` (reason)."""
    require_perm(request, VIEW_ACTION)
    action = object_or_404(CorrectiveAction.objects.select_related("owner"), pk=pk)
    user = request.user
    if payload.step == "done":
        action = capa.mark_done(action, user, payload.note)
    elif payload.step == "effectiveness":
        action = capa.record_effectiveness(action, user, payload.effectiveness_check, payload.effective)
    elif payload.step == "close":
        action = capa.close_action(action, user, payload.password)
    elif payload.step == "cancel":
        action = capa.cancel_action(action, user, payload.reason)
    else:
        raise InputError("step: one of done, effectiveness, close, cancel", "step")
    return _action(action)


@router.post("/actions/escalate", response=dict)
def escalate(request: HttpRequest):
    """Write today's notification rows for overdue actions (idempotent); the quality manager's job."""
    require_perm(request, "quality.add_correctiveaction")
    run = run_escalation(request.user)
    return {"overdue_actions": run.overdue_actions, "notifications_created": len(run.created)}
