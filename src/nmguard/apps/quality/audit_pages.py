"""Pages of the audits: the list (start an audit, import a checklist), the audit (answer, evidence, scores and
chart, comparison, findings → CAPA, finalise by e-signature), and the clinical audits with their re-audit loop.
The rules are :mod:`audit_services` and :mod:`clinical_audit`; every POST goes through them (audited)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from nmguard.apps.core.permissions import refusal, requires
from nmguard.apps.core.signatures import SignatureError
from nmguard.apps.core.web import apply_error
from nmguard.apps.quality import audit_services as s
from nmguard.apps.quality import clinical_audit as ca
from nmguard.apps.quality.audit_forms import (
    AnswerForm,
    ClinicalAuditForm,
    EvidenceForm,
    FinaliseForm,
    FindingForm,
    ImportChecklistForm,
    StartAuditForm,
)
from nmguard.apps.quality.audit_models import Audit, AuditChecklist, ClinicalAudit
from nmguard.apps.quality.audit_plots import Bar, conformance_svg
from nmguard.errors import InputError
from nmguard.web.input_bounds import object_or_404

VIEW = "quality.view_audit"
WRITE = s.WRITE_PERMISSION
MAX_UPLOAD = 1_000_000  # bytes: a checklist is a few hundred rows


def _post_allowed(request: HttpRequest, doing: str) -> None:
    if not request.user.has_perm(WRITE):
        raise refusal(WRITE, doing)


@requires(VIEW)
def audit_list(request: HttpRequest) -> HttpResponse:
    """Every audit, newest first, with its overall conformance; the start and import forms."""
    if not AuditChecklist.objects.exists() and request.user.has_perm(WRITE):
        s.shipped_checklist(user=request.user)
    start = StartAuditForm(request.POST if request.POST.get("action") == "start" else None)
    upload = ImportChecklistForm(
        request.POST if request.POST.get("action") == "import" else None,
        request.FILES if request.POST.get("action") == "import" else None,
    )
    status = 200
    if request.method == "POST":
        _post_allowed(request, "writing an audit")
        status = 400
        if start.is_bound and start.is_valid():
            try:
                audit = s.start_audit(**start.cleaned_data, user=request.user)
                return redirect("quality-audit", pk=audit.pk)
            except InputError as exc:
                apply_error(start, exc)
        elif upload.is_bound and upload.is_valid():
            f = upload.cleaned_data["file"]
            try:
                if f.size > MAX_UPLOAD:
                    raise InputError(f"file: larger than {MAX_UPLOAD // 1000} kB", "file")
                text = f.read().decode("utf-8")
                s.import_checklist(text, f.name, request.user, checklist_id=upload.cleaned_data["checklist_id"],
                                   title=upload.cleaned_data["title"])  # fmt: skip
                return redirect("quality-audits")
            except UnicodeDecodeError:
                upload.add_error("file", "the file is not UTF-8 text")
            except InputError as exc:
                apply_error(upload, exc)
    audits = Audit.objects.select_related("checklist").order_by("-audited_on", "-pk")[:200]
    rows = [(a, s.audit_score(a).overall_percent) for a in audits]
    context = {"rows": rows, "start": start, "upload": upload, "may_write": request.user.has_perm(WRITE),
               "checklists": AuditChecklist.objects.all()}  # fmt: skip
    return render(request, "quality/audits/list.html", context, status=status)


def _level_text(levels: dict[str, int | None], item_id: str) -> str:
    """A previous answer as read: its level, "N/A" (answered not applicable), or "—" (not in that audit)."""
    if item_id not in levels:
        return "—"
    return "N/A" if levels[item_id] is None else str(levels[item_id])


def _item_rows(audit: Audit, comparison: s.Comparison):
    """Per section: its score and its items with their answer, evidence, previous level and trend."""
    checklist = s.checklist_of(audit)
    answers = {a.item_id: a for a in audit.answers.prefetch_related("evidence")}
    before = s.levels_of(comparison.previous) if comparison.previous else {}
    scores = {x.section_id: x for x in s.audit_score(audit).sections}
    sections = []
    for section in checklist.sections:
        items = []
        for item in section.items:
            answer = answers.get(item.id)
            items.append({
                "item": item, "answer": answer, "evidence": list(answer.evidence.all()) if answer else [],
                "previous": _level_text(before, item.id) if comparison.previous else None,
                "trend": comparison.per_item.get(item.id, ""),
                "form": AnswerForm(initial={"item_id": item.id, "comment": answer.comment if answer else "",
                                            "level": "na" if answer and answer.level is None else
                                            (answer.level if answer else "")}, prefix=f"a{item.id}"),
            })  # fmt: skip
        sections.append({"section": section, "score": scores[section.id], "items": items})
    return checklist, sections


def chart_bars(score, comparison: s.Comparison) -> list[Bar]:
    """The chart's bars (section title, this audit %, previous audit %): the page's SVG and the PDF draw these."""
    before = {x.section_id: x.percent for x in comparison.previous_score.sections} if comparison.previous else {}
    return [(x.title, x.percent, before.get(x.section_id)) for x in score.sections]


@requires(VIEW)
def audit_page(request: HttpRequest, pk: int) -> HttpResponse:
    audit = object_or_404(Audit.objects.select_related("checklist", "signature", "created_by"), pk=pk)
    may_write = request.user.has_perm(WRITE) and audit.status == Audit.Status.DRAFT
    action = request.POST.get("action", "")
    items = [(i.id, f"{i.id} {i.text[:60]}") for _, i in s.checklist_of(audit).items()]
    evidence = EvidenceForm(request.POST if action == "evidence" else None, labels=s.evidence_models())
    finding = FindingForm(request.POST if action == "finding" else None, items=items)
    finalise = FinaliseForm(request.POST if action == "finalise" else None)
    answer_error = None
    status = 200
    if request.method == "POST":
        _post_allowed(request, "writing an audit")
        status = 400
        try:
            if action == "answer":
                prefix = f"a{request.POST.get('item', '')}"
                form = AnswerForm(request.POST, prefix=prefix)
                if form.is_valid():
                    d = form.cleaned_data
                    s.answer_item(audit, d["item_id"], d["level"], d["comment"], request.user)
                    return redirect(f"{request.path}#item-{d['item_id']}")
                answer_error = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            elif action == "evidence" and evidence.is_valid():
                d = evidence.cleaned_data
                answer = audit.answers.filter(item_id=d["item_id"]).first()
                if answer is None:
                    raise InputError("item_id: answer the item before attaching evidence", "item_id")
                s.attach_evidence(answer, d["model_label"], d["object_pk"], request.user)
                return redirect(f"{request.path}#item-{d['item_id']}")
            elif action == "finding" and finding.is_valid():
                s.raise_finding(audit, user=request.user, **finding.cleaned_data)
                return redirect(f"{request.path}#findings")
            elif action == "finalise" and finalise.is_valid():
                s.finalise(audit, request.user, finalise.cleaned_data["password"])
                return redirect("quality-audit", pk=audit.pk)
        except (InputError, SignatureError) as exc:
            target = {"evidence": evidence, "finding": finding, "finalise": finalise}.get(action)
            if target is not None:
                apply_error(target, exc)
            else:
                answer_error = exc.message
    comparison = s.comparison(audit)
    checklist, sections = _item_rows(audit, comparison)
    score = s.audit_score(audit)
    chart = conformance_svg(
        f"{audit.reference}: conformance per section",
        chart_bars(score, comparison),
        score.overall_percent,
        comparison.previous_score.overall_percent if comparison.previous else None,
    )
    context = {
        "audit": audit, "checklist": checklist, "sections": sections, "score": score, "chart": chart,
        "comparison": comparison, "findings": audit.findings.select_related("action", "action__owner"),
        "pending": s.pending_findings(audit), "may_write": may_write, "evidence_form": evidence,
        "finding_form": finding, "finalise_form": finalise, "answer_error": answer_error,
        "previous_text": s.percent_text(comparison.previous_score.overall_percent) if comparison.previous else "",
    }  # fmt: skip
    return render(request, "quality/audits/audit.html", context, status=status)


@requires(VIEW)
def clinical_list(request: HttpRequest) -> HttpResponse:
    form = ClinicalAuditForm(request.POST or None)
    status = 200
    if request.method == "POST":
        _post_allowed(request, "running a clinical audit")
        status = 400
        if form.is_valid():
            try:
                audit = ca.run_clinical_audit(user=request.user, **form.cleaned_data)
                return redirect("quality-clinical-audit", pk=audit.pk)
            except InputError as exc:
                apply_error(form, exc)
    context = {"audits": ClinicalAudit.objects.all()[:200], "form": form, "criteria": ca.CRITERIA.values(),
               "may_write": request.user.has_perm(WRITE)}  # fmt: skip
    return render(request, "quality/audits/clinical_list.html", context, status=status)


@requires(VIEW)
def clinical_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit, its query's definition, and the loop (audit and re-audits side by side); a re-audit form."""
    audit = object_or_404(ClinicalAudit.objects.select_related("computed_by", "re_audit_of"), pk=pk)
    form = ClinicalAuditForm(request.POST or None, initial={"criterion": audit.criterion,
                                                            "standard_percent": audit.standard_percent})  # fmt: skip
    del form.fields["criterion"]  # a re-audit repeats this audit's criterion: a choice offered here was ignored
    status = 200
    if request.method == "POST":
        _post_allowed(request, "running a clinical audit")
        status = 400
        if form.is_valid():
            d = dict(form.cleaned_data, criterion=audit.criterion)
            try:
                again = ca.run_clinical_audit(user=request.user, re_audit_of=ca.audit_loop(audit)[-1], **d)
                return redirect("quality-clinical-audit", pk=again.pk)
            except InputError as exc:
                apply_error(form, exc)
    context = {"audit": audit, "loop": ca.audit_loop(audit), "form": form, "may_write": request.user.has_perm(WRITE)}
    return render(request, "quality/audits/clinical.html", context, status=status)
