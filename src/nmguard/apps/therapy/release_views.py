"""Release pages of a therapy cycle: assessment with the calculation shown, signature, instructions (page, PDF),
and the list of cycles awaiting a release decision."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from nmguard.apps.core.permissions import requires
from nmguard.apps.core.roles import Role
from nmguard.apps.core.web import apply_error
from nmguard.apps.therapy import release_services as svc
from nmguard.apps.therapy.models import TherapyCycle
from nmguard.apps.therapy.release_forms import ReleaseAssessmentForm, SignReleaseForm
from nmguard.apps.therapy.release_models import ReleaseDecision
from nmguard.errors import InputError
from nmguard.protection.release_instructions import equation_text

VIEW = "therapy.view_releasedecision"
ADD = "therapy.add_releasedecision"


def _roles(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def _cycle(pk: int, cycle_pk: int) -> TherapyCycle:
    return get_object_or_404(
        TherapyCycle.objects.select_related(
            "course__patient", "course__protocol__radiopharmaceutical", "administration__prescription__protocol"
        ),
        pk=cycle_pk,
        course_id=pk,
    )


def _initial(cycle: TherapyCycle) -> dict[str, object]:
    d = svc.cycle_defaults(cycle)
    method = "table" if svc.release_profile() == "nrc" else "patient-specific"
    return {"nuclide": d["nuclide"], "method": method, "basis": ReleaseDecision.Basis.ACTIVITY}


def _page(request: HttpRequest, cycle: TherapyCycle, form=None, sign_form=None, status: int = 200) -> HttpResponse:
    roles = _roles(request.user)
    may_assess = request.user.has_perm(ADD) and bool(roles & {r.value for r in svc.ASSESS_ROLES})
    may_sign = bool(roles & {r.value for r in svc.SIGN_ROLES})
    current = svc.current_decision(cycle)
    defaults = svc.cycle_defaults(cycle)
    return render(
        request,
        "therapy/release/assess.html",
        {
            "cycle": cycle,
            "course": cycle.course,
            "defaults": defaults,
            "current": current,
            "earlier": cycle.release_decisions.exclude(pk=current.pk if current else None).select_related(
                "assessed_by", "signature"
            ),
            "lines": svc.instructions(current) if current else [],
            "breastfeeding": svc.breastfeeding_line(current) if current else "",
            "equation": equation_text(current.result) if current else "",
            "form": (form or ReleaseAssessmentForm(initial=_initial(cycle))) if may_assess else None,
            "sign_form": (sign_form or SignReleaseForm())
            if may_sign and current and current.releasable and not current.signature_id
            else None,
            "not_signable": current is not None and not current.releasable,
        },
        status=status,
    )


@requires(VIEW, "viewing release decisions")
def release_page(request: HttpRequest, pk: int, cycle_pk: int) -> HttpResponse:
    cycle = _cycle(pk, cycle_pk)
    if request.method != "POST":
        return _page(request, cycle)
    if not request.user.has_perm(ADD):
        raise PermissionDenied("Assessing a release needs the role Physician (authorised user) or Medical physicist.")
    form = ReleaseAssessmentForm(request.POST)
    if form.is_valid():
        try:
            svc.assess(cycle, form.assessment(), request.user)
            return redirect("therapy-release", pk=pk, cycle_pk=cycle_pk)
        except InputError as exc:
            apply_error(form, exc)
    return _page(request, cycle, form=form)


@requires(VIEW, "signing a release")
@require_POST
def release_sign(request: HttpRequest, pk: int, cycle_pk: int, decision_pk: int) -> HttpResponse:
    cycle = _cycle(pk, cycle_pk)
    if Role.PHYSICIAN.value not in _roles(request.user):
        raise PermissionDenied("Signing a patient's release needs the role Physician (authorised user).")
    decision = get_object_or_404(ReleaseDecision, pk=decision_pk, cycle=cycle)
    form = SignReleaseForm(request.POST)
    if form.is_valid():
        try:
            svc.sign_release(
                decision,
                physician=request.user,
                password=form.cleaned_data["password"],
                statement=form.cleaned_data["statement"],
            )
            return redirect("therapy-release-instructions", pk=pk, cycle_pk=cycle_pk, decision_pk=decision.pk)
        except InputError as exc:
            form.add_error("password" if exc.field == "password" else None, exc.message)
    return _page(request, cycle, sign_form=form)


def _instructions_context(pk: int, cycle_pk: int, decision_pk: int) -> dict[str, object]:
    cycle = _cycle(pk, cycle_pk)
    decision = get_object_or_404(ReleaseDecision.objects.select_related("signature"), pk=decision_pk, cycle=cycle)
    return {
        "cycle": cycle,
        "course": cycle.course,
        "decision": decision,
        "lines": svc.instructions(decision),
        "breastfeeding": svc.breastfeeding_line(decision),
        "zone": settings.TIME_ZONE,
        "released_local": timezone.localtime(decision.released_at) if decision.released_at else None,
    }


@requires(VIEW, "viewing release instructions")
def release_instructions(request: HttpRequest, pk: int, cycle_pk: int, decision_pk: int) -> HttpResponse:
    return render(request, "therapy/release/instructions.html", _instructions_context(pk, cycle_pk, decision_pk))


@requires(VIEW, "printing release instructions")
def release_instructions_pdf(request: HttpRequest, pk: int, cycle_pk: int, decision_pk: int) -> HttpResponse:
    from nmguard.reporting.release_instructions_pdf import instructions_pdf

    ctx = _instructions_context(pk, cycle_pk, decision_pk)
    decision: ReleaseDecision = ctx["decision"]  # type: ignore[assignment]
    pdf = instructions_pdf(
        patient=str(ctx["course"].patient),  # type: ignore[attr-defined]
        decision=decision.result,
        lines=ctx["lines"],  # type: ignore[arg-type]
        breastfeeding=str(ctx["breastfeeding"]),
        released=ctx["released_local"],  # type: ignore[arg-type]
        signed_by=decision.signature.signer_name if decision.signature_id else "",
        zone=settings.TIME_ZONE,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="release-instructions-{decision.pk}.pdf"'
    return response


@requires(VIEW, "viewing release decisions")
def awaiting(request: HttpRequest) -> HttpResponse:
    cycles = list(svc.awaiting_release()[:200])
    rows = [(c, svc.current_decision(c)) for c in cycles]
    return render(request, "therapy/release/awaiting.html", {"rows": rows})
