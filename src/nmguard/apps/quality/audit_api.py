"""REST endpoints of the audits (the same services as the pages): checklists, audits with their answers,
evidence, scores, comparison, findings (→ CAPA), finalise by e-signature; clinical audits and re-audits.
Bad input: 422 naming the field (web.api's handler); reading needs ``quality.view_audit``, writing
``quality.change_audit``. Mounted under /api/v1/quality."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Router, Status

from nmguard.apps.core.web import require_perm
from nmguard.apps.quality import audit_services as s
from nmguard.apps.quality import clinical_audit as ca
from nmguard.apps.quality.audit_models import Audit, AuditChecklist, AuditFinding, ClinicalAudit
from nmguard.errors import InputError
from nmguard.web.input_bounds import BoundedSchema, object_or_404

router = Router(tags=["quality audits"])
VIEW = "quality.view_audit"
WRITE = s.WRITE_PERMISSION


def _date(text: str | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text))
    except (TypeError, ValueError):
        raise InputError(f"{field}: a date YYYY-MM-DD expected, got {str(text)[:40]!r}", field) from None


def _score(audit: Audit) -> dict:
    score = s.audit_score(audit)
    return {
        "rule": score.rule,
        "overall_percent": score.overall_percent,
        "sections": [
            {"id": x.section_id, "title": x.title, "applicable": x.applicable, "answered": x.answered,
             "level_sum": x.level_sum, "percent": x.percent}
            for x in score.sections
        ],
    }  # fmt: skip


def _audit(audit: Audit, full: bool = False) -> dict:
    out = {
        "id": audit.pk, "reference": audit.reference, "checklist": audit.checklist.key,
        "checklist_version": audit.checklist.version, "mode": audit.mode, "audited_on": audit.audited_on.isoformat(),
        "auditors": audit.auditors, "status": audit.status, "signature": audit.signature_id,
    }  # fmt: skip
    if full:
        out["score"] = _score(audit)
        out["answers"] = [
            {"item_id": a.item_id, "level": a.level, "comment": a.comment,
             "evidence": [{"model_label": e.model_label, "object_pk": e.object_pk, "label": e.label}
                          for e in a.evidence.all()]}
            for a in audit.answers.prefetch_related("evidence")
        ]  # fmt: skip
        out["findings"] = [_finding(f) for f in audit.findings.all()]
    return out


def _finding(f: AuditFinding) -> dict:
    return {"id": f.pk, "item_id": f.item_id, "note": f.note, "action": f.action_id}


@router.get("/audit-checklists", response=list[dict])
def checklists(request: HttpRequest):
    require_perm(request, VIEW)
    return [{"id": c.pk, "key": c.key, "version": c.version, "title": c.title, "definition": c.definition}
            for c in AuditChecklist.objects.all()]  # fmt: skip


@router.get("/audits", response=list[dict])
def audits(request: HttpRequest):
    require_perm(request, VIEW)
    return [_audit(a) for a in Audit.objects.select_related("checklist")[:1000]]


class AuditIn(BoundedSchema):
    checklist: str = "nmguard-sample"  # key; the latest stored version (the shipped one stored on first use)
    mode: str
    audited_on: str
    auditors: str
    scope: str = ""
    confirm_date: bool = False  # needed for an audit dated more than a year back (a mistyped year)


@router.post("/audits", response={201: dict})
def start(request: HttpRequest, payload: AuditIn):
    require_perm(request, WRITE)
    checklist = AuditChecklist.objects.filter(key=payload.checklist).order_by("-pk").first()
    if checklist is None:
        checklist = s.shipped_checklist(payload.checklist, request.user)
    audit = s.start_audit(checklist, mode=payload.mode, audited_on=_date(payload.audited_on, "audited_on"),
                          auditors=payload.auditors, scope=payload.scope, user=request.user,
                          confirm_date=payload.confirm_date)  # fmt: skip
    return Status(201, _audit(audit, full=True))


@router.get("/audits/{pk}", response=dict)
def audit(request: HttpRequest, pk: int):
    require_perm(request, VIEW)
    return _audit(object_or_404(Audit, pk=pk), full=True)


@router.get("/audits/{pk}/score", response=dict)
def score(request: HttpRequest, pk: int):
    """Conformance per section and overall, and per item against the previous audit of the checklist."""
    require_perm(request, VIEW)
    found = object_or_404(Audit, pk=pk)
    comparison = s.comparison(found)
    return {
        **_score(found),
        "previous": comparison.previous.reference if comparison.previous else None,
        "previous_overall_percent": comparison.previous_score.overall_percent if comparison.previous else None,
        "per_item": comparison.per_item,
    }


class AnswerIn(BoundedSchema):
    item_id: str
    level: int | str | None = None  # 0-4, or null / "na" for not applicable
    comment: str = ""


@router.post("/audits/{pk}/answers", response=dict)
def answer(request: HttpRequest, pk: int, payload: AnswerIn):
    require_perm(request, WRITE)
    a = s.answer_item(object_or_404(Audit, pk=pk), payload.item_id, payload.level, payload.comment, request.user)
    return {"item_id": a.item_id, "level": a.level, "comment": a.comment}


class EvidenceIn(BoundedSchema):
    item_id: str
    model_label: str
    object_pk: str


@router.post("/audits/{pk}/evidence", response={201: dict})
def evidence(request: HttpRequest, pk: int, payload: EvidenceIn):
    require_perm(request, WRITE)
    found = object_or_404(Audit, pk=pk)
    a = found.answers.filter(item_id=payload.item_id).first()
    if a is None:
        raise InputError("item_id: answer the item before attaching evidence", "item_id")
    e = s.attach_evidence(a, payload.model_label, payload.object_pk, request.user)
    return Status(201, {"id": e.pk, "model_label": e.model_label, "object_pk": e.object_pk, "label": e.label})


class FindingIn(BoundedSchema):
    item_id: str = ""
    note: str
    owner: str  # username
    due_on: str
    confirm_due: bool = False  # needed for a due date more than a year ahead (a mistyped year)


@router.post("/audits/{pk}/findings", response={201: dict})
def finding(request: HttpRequest, pk: int, payload: FindingIn):
    require_perm(request, WRITE)
    owner = get_user_model().objects.filter(username=payload.owner).first()
    if owner is None:
        raise InputError(f"owner: no account {payload.owner[:40]!r}", "owner")
    f = s.raise_finding(object_or_404(Audit, pk=pk), item_id=payload.item_id, note=payload.note, owner=owner,
                        due_on=_date(payload.due_on, "due_on"), user=request.user,
                        confirm_due=payload.confirm_due)  # fmt: skip
    return Status(201, _finding(f))


class FinaliseIn(BoundedSchema):
    password: str


@router.post("/audits/{pk}/finalise", response=dict)
def finalise(request: HttpRequest, pk: int, payload: FinaliseIn):
    require_perm(request, WRITE)
    return _audit(s.finalise(object_or_404(Audit, pk=pk), request.user, payload.password), full=True)


def _clinical(c: ClinicalAudit) -> dict:
    return {
        "id": c.pk, "criterion": c.criterion, "title": c.title, "standard_percent": c.standard_percent,
        "period_start": c.period_start.isoformat(), "period_end": c.period_end.isoformat(),
        "numerator": c.numerator, "denominator": c.denominator, "measured_percent": c.measured_percent,
        "met": c.met, "definition": c.definition, "details": c.details, "re_audit_of": c.re_audit_of_id,
    }  # fmt: skip


@router.get("/clinical-audits", response=list[dict])
def clinical_audits(request: HttpRequest):
    require_perm(request, VIEW)
    return [_clinical(c) for c in ClinicalAudit.objects.all()[:1000]]


class ClinicalIn(BoundedSchema):
    criterion: str
    period_start: str
    period_end: str
    standard_percent: float
    re_audit_of: int | None = None
    notes: str = ""


@router.post("/clinical-audits", response={201: dict})
def run_clinical(request: HttpRequest, payload: ClinicalIn):
    """Compute a criterion over the period (``re_audit_of``: the clinical audit it repeats)."""
    require_perm(request, WRITE)
    before = None
    if payload.re_audit_of is not None:
        before = ClinicalAudit.objects.filter(pk=payload.re_audit_of).first() if payload.re_audit_of > 0 else None
        if before is None:
            raise InputError(f"re_audit_of: no clinical audit {payload.re_audit_of}", "re_audit_of")
    c = ca.run_clinical_audit(
        payload.criterion, period_start=_date(payload.period_start, "period_start"),
        period_end=_date(payload.period_end, "period_end"), standard_percent=payload.standard_percent,
        user=request.user, re_audit_of=before, notes=payload.notes,
    )  # fmt: skip
    return Status(201, _clinical(c))


@router.get("/clinical-audits/{pk}", response=dict)
def clinical(request: HttpRequest, pk: int):
    require_perm(request, VIEW)
    found = object_or_404(ClinicalAudit, pk=pk)
    return {**_clinical(found), "loop": [_clinical(c) for c in ca.audit_loop(found)]}
