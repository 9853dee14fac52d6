"""REST endpoints of staff dosimetry and the RPO's records (the same services as the pages and the CLI):
workers and readings (read), the year's evaluation (the keys of ``nmguard staff-dose report --json``),
imports (the result keys of ``nmguard staff-dose import --json``), pregnancy declarations, investigations and
protection events. Bad input: 422 naming the field (web.api's handler); roles as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import File, Form, Router, Status, UploadedFile

from nmguard.apps.core.web import require_perm
from nmguard.apps.protection import declarations, event_records, investigation_records, staff_sums
from nmguard.apps.protection.dose_import import WRITE_PERMISSION, ImportRefused, import_readings
from nmguard.apps.protection.event_models import Investigation, ProtectionEvent
from nmguard.apps.protection.models import PregnancyDeclaration, Worker
from nmguard.errors import InputError
from nmguard.input_bounds import parse_instant
from nmguard.web.input_bounds import BoundedSchema, object_or_404

router = Router(tags=["protection"])
VIEW = "protection.view_dosereading"


def _worker(w: Worker) -> dict:
    return {"id": w.pk, "worker_id": w.worker_id, "name": w.name, "category": w.category, "active": w.active}


def _date(text: str | None, field: str) -> dt.date | None:
    if text is None or text == "":
        return None
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InputError(f"{field}: a date YYYY-MM-DD expected, got {str(text)[:40]!r}", field) from None


@router.get("/workers", response=list[dict])
def workers(request: HttpRequest):
    require_perm(request, VIEW)
    return [_worker(w) for w in Worker.objects.all()[:5000]]


@router.get("/workers/{worker_pk}/readings", response=list[dict])
def readings(request: HttpRequest, worker_pk: int):
    """Every reading of the worker, corrected ones included (``current`` false, with the reason)."""
    require_perm(request, VIEW)
    worker = object_or_404(Worker, pk=worker_pk)
    return [
        {
            "id": r.pk,
            "dosimeter": r.dosimeter,
            "period_start": r.period_start.isoformat(),
            "period_end": r.period_end.isoformat(),
            "hp10_mSv": r.hp10_mSv,
            "hp007_mSv": r.hp007_mSv,
            "hp3_mSv": r.hp3_mSv,
            "current": r.current,
            "superseded_by": r.superseded_by_id,
            "supersede_reason": r.supersede_reason,
            "import_id": r.batch_id,
        }
        for r in worker.readings.order_by("period_end", "dosimeter", "pk")
    ]


@router.get("/evaluation", response=dict)
def evaluation(request: HttpRequest, year: int, profile: str | None = None):
    """The year's evaluation: ``year``, ``profile``, ``workers`` (the CLI report's keys)."""
    require_perm(request, VIEW)
    chosen = staff_sums.check_profile(profile)
    return {"year": year, "profile": chosen, "workers": [r.row for r in staff_sums.evaluate_year(year, chosen)]}


@router.post("/imports", response={201: dict, 422: dict})
def import_file(request: HttpRequest, file: UploadedFile = File(...), skip_invalid: bool = Form(False)):
    """A dosimetry-service CSV (generic format); any bad row stores nothing unless ``skip_invalid`` (422 with
    ``result`` listing every bad row)."""
    require_perm(request, WRITE_PERMISSION)
    try:
        result = import_readings(file.read(), file.name or "upload.csv", request.user, skip_invalid=skip_invalid)
    except ImportRefused as refused:
        detail = [{"loc": ["body", "file"], "msg": refused.message, "type": "value_error"}]
        return Status(422, {"detail": detail, "result": refused.result.as_dict()})
    return Status(201, result.as_dict())


def _pregnancy(p: PregnancyDeclaration) -> dict:
    ef = staff_sums.embryo_fetus(p)
    return {
        "id": p.pk,
        "worker_id": p.worker.worker_id,
        "declared_on": p.declared_on.isoformat(),
        "pregnancy_start": p.pregnancy_start.isoformat() if p.pregnancy_start else None,
        "ended_on": p.ended_on.isoformat() if p.ended_on else None,
        "dose_since_declaration_mSv": ef.dose_since_declaration_mSv,
        "limit_mSv": ef.limit.value,
        "level": ef.level,
    }


@router.get("/pregnancies", response=list[dict])
def pregnancies(request: HttpRequest):
    require_perm(request, VIEW)
    return [_pregnancy(p) for p in PregnancyDeclaration.objects.select_related("worker")[:1000]]


class PregnancyIn(BoundedSchema):
    declared_on: str
    pregnancy_start: str | None = None


@router.post("/workers/{worker_pk}/pregnancies", response={201: dict})
def declare(request: HttpRequest, worker_pk: int, payload: PregnancyIn):
    require_perm(request, WRITE_PERMISSION)
    worker = object_or_404(Worker, pk=worker_pk)
    declared = _date(payload.declared_on, "declared_on")
    if declared is None:
        raise InputError("declared_on: required", "declared_on")
    p = declarations.declare(worker, declared, _date(payload.pregnancy_start, "pregnancy_start"), request.user)
    return Status(201, _pregnancy(p))


def _investigation(i: Investigation) -> dict:
    return {
        "id": i.pk,
        "worker_id": i.worker.worker_id,
        "year": i.year,
        "quantity": i.quantity,
        "level": i.level,
        "dose_at_opening_mSv": i.dose_at_opening_mSv,
        "profile": i.profile,
        "alert": i.alert,
        "findings": i.findings,
        "cause": i.cause,
        "actions": i.actions,
        "status": i.status,
        "opened_by": i.opened_by.username,
        "opened_at": i.created_at.isoformat(),
        "closed_by": i.closed_by.username if i.closed_by else None,
        "closed_at": i.closed_at.isoformat() if i.closed_at else None,
        "signature_id": i.closure_id,
    }


@router.get("/investigations", response=list[dict])
def investigations(request: HttpRequest, status: str | None = None):
    require_perm(request, "protection.view_investigation")
    qs = Investigation.objects.select_related("worker", "opened_by", "closed_by")
    if status:
        if status not in ("open", "closed"):
            raise InputError("status: open or closed", "status")
        qs = qs.filter(status=status)
    return [_investigation(i) for i in qs[:1000]]


class InvestigationIn(BoundedSchema):
    worker: int  # the register entry's id (``id`` of /workers)
    year: int
    quantity: str


@router.post("/investigations", response={201: dict})
def open_investigation(request: HttpRequest, payload: InvestigationIn):
    require_perm(request, WRITE_PERMISSION)
    worker = Worker.objects.filter(pk=payload.worker).first()
    if worker is None:
        raise InputError(f"worker: no register entry {payload.worker}", "worker")
    inv = investigation_records.open_investigation(worker, payload.year, payload.quantity, request.user)
    return Status(201, _investigation(inv))


class CloseInvestigationIn(BoundedSchema):
    text_limits_from = (Investigation,)
    findings: str
    cause: str
    actions: str
    password: str


@router.post("/investigations/{pk}/close", response=dict)
def close_investigation(request: HttpRequest, pk: int, payload: CloseInvestigationIn):
    require_perm(request, WRITE_PERMISSION)
    inv = object_or_404(Investigation, pk=pk)
    values = {"findings": payload.findings, "cause": payload.cause, "actions": payload.actions}
    return _investigation(investigation_records.close_investigation(inv, values, request.user, payload.password))


def _event(e: ProtectionEvent) -> dict:
    return {
        "id": e.pk,
        "kind": e.kind,
        "occurred_at": e.occurred_at.isoformat(),
        "location": e.location,
        "description": e.description,
        "workers": [w.worker_id for w in e.workers.all()],
        "others_involved": e.others_involved,
        "estimated_dose_mSv": e.estimated_dose_mSv,
        "actions": e.actions,
        "incident_ref": e.incident_ref,
        "status": e.status,
        "reported_by": e.reported_by.username,
        "closed_by": e.closed_by.username if e.closed_by else None,
        "closed_at": e.closed_at.isoformat() if e.closed_at else None,
    }


@router.get("/events", response=list[dict])
def events(request: HttpRequest):
    require_perm(request, "protection.view_protectionevent")
    qs = ProtectionEvent.objects.select_related("reported_by", "closed_by").prefetch_related("workers")
    return [_event(e) for e in qs[:1000]]


class EventIn(BoundedSchema):
    text_limits_from = (ProtectionEvent,)
    kind: str
    occurred_at: str  # ISO 8601 with its UTC offset
    location: str
    description: str
    workers: list[str] = []  # the dosimetry service's worker ids
    others_involved: str = ""
    estimated_dose_mSv: float | None = None
    actions: str = ""
    incident_ref: str = ""


@router.post("/events", response={201: dict})
def record_event(request: HttpRequest, payload: EventIn):
    require_perm(request, WRITE_PERMISSION)
    values = payload.dict()
    wanted = values.pop("workers")
    found = {w.worker_id: w for w in Worker.objects.filter(worker_id__in=wanted)}
    missing = [w for w in wanted if w not in found]
    if missing:
        raise InputError(f"workers: not in the register: {', '.join(missing[:5])}", "workers")
    values["occurred_at"] = parse_instant(payload.occurred_at, "occurred_at")
    event = event_records.record_event(values, request.user, list(found.values()))
    return Status(201, _event(event))


class CloseEventIn(BoundedSchema):
    actions: str
    password: str


@router.post("/events/{pk}/close", response=dict)
def close_event(request: HttpRequest, pk: int, payload: CloseEventIn):
    require_perm(request, WRITE_PERMISSION)
    event = object_or_404(ProtectionEvent, pk=pk)
    return _event(event_records.close_event(event, payload.actions, request.user, payload.password))
