"""Pages of staff dosimetry: doses against limits, the import with its preview, a worker's dose history.

The numbers come from :mod:`nmguard.apps.protection.staff_sums` (the pure rules fed from the database), the
writes from :mod:`~nmguard.apps.protection.dose_import` and :mod:`~nmguard.apps.protection.declarations`.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from nmguard.apps.core.permissions import requires
from nmguard.apps.core.web import apply_error
from nmguard.apps.protection import declarations, investigation_records, staff_sums
from nmguard.apps.protection.dose_import import WRITE_PERMISSION, ImportRefused, import_readings, judge
from nmguard.apps.protection.forms import ConfirmForm, EndPregnancyForm, PregnancyForm, UploadForm, YearForm
from nmguard.apps.protection.models import PregnancyDeclaration, Worker
from nmguard.apps.protection.plots import bars_svg
from nmguard.errors import InputError
from nmguard.protection.readings import apply_column_mapping
from nmguard.web.input_bounds import object_or_404

VIEW = "protection.view_dosereading"


@requires(VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    """Every worker with a reading in the five years to the chosen year, against the profile's limits."""
    form = YearForm(request.GET or None)
    year, profile = timezone.localdate().year, None
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"] or year
        profile = form.cleaned_data["profile"] or None
    profile = staff_sums.check_profile(profile)
    rows = staff_sums.evaluate_year(year, profile)
    current = [
        r for r in rows if r.evaluation.quantities["effective"].annual_mSv is not None or r.row["status"] != "ok"
    ]
    svg = bars_svg(
        f"Annual effective dose {year} (Hp(10), whole-body dosimeter) · {profile.upper()}",
        [r.worker.worker_id for r in current],
        [r.row["effective_mSv_year"] for r in current],
        staff_sums.effective_lines(profile, "worker", year),
    )
    return render(
        request,
        "protection/overview.html",
        {
            "form": form,
            "year": year,
            "profile": profile,
            "rows": rows,
            "svg": svg if current else "",
            "may_import": request.user.has_perm(WRITE_PERMISSION),
        },
    )


def _decode(upload) -> str:
    data = upload.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"the file is not UTF-8 text (byte {exc.start})", "file") from None


def _preview(request: HttpRequest, content: str, file_name: str, error: str = "") -> HttpResponse:
    result = judge(content, file_name)
    confirm = ConfirmForm(initial={"file_name": file_name, "content": content, "sha256": result.sha256})
    context = {"result": result, "confirm": confirm, "error": error, "form": UploadForm()}
    return render(request, "protection/import.html", context)


@requires(WRITE_PERMISSION, "importing staff doses")
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload -> preview (bad rows by row number) -> import all, or only the good rows."""
    if request.method != "POST":
        return render(request, "protection/import.html", {"form": UploadForm()})
    action = request.POST.get("action", "preview")
    if action == "preview":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                content = _decode(form.cleaned_data["file"])
                if mapping := form.mapping():  # another service's layout, rewritten in the generic format
                    content = apply_column_mapping(content, mapping)
                return _preview(request, content, form.cleaned_data["file"].name)
            except InputError as exc:
                apply_error(form, exc)
        return render(request, "protection/import.html", {"form": form})
    confirm = ConfirmForm(request.POST)
    if not confirm.is_valid() or action not in ("import", "import_good"):
        return render(request, "protection/import.html", {"form": UploadForm(), "error": "Upload the file again."})
    content, name = confirm.cleaned_data["content"], confirm.cleaned_data["file_name"]
    if hashlib.sha256(content.encode("utf-8")).hexdigest() != confirm.cleaned_data["sha256"]:
        return render(request, "protection/import.html", {"form": UploadForm(), "error": "Upload the file again."})
    try:
        result = import_readings(content, name, request.user, skip_invalid=action == "import_good")
    except ImportRefused as refused:
        return _preview(request, content, name, error=refused.message)
    except InputError as exc:
        return _preview(request, content, name, error=exc.message)
    return render(request, "protection/import.html", {"done": result, "form": UploadForm()})


def _history_context(worker: Worker, profile: str) -> dict[str, object]:
    history = staff_sums.history(worker, profile)
    years = [e.year for e in history]
    svg = (
        bars_svg(
            f"{worker}: annual effective dose · {profile.upper()}",
            [str(y) for y in years],
            [e.quantities["effective"].annual_mSv for e in history],
            staff_sums.effective_lines(profile, worker.category),
        )
        if history
        else ""
    )
    readings = worker.readings.select_related("batch", "superseded_by").order_by("-period_end", "dosimeter", "pk")
    pregnancies = [(p, staff_sums.embryo_fetus(p, profile)) for p in worker.pregnancies.all()]
    alerts = investigation_records.alerts_of(staff_sums.StaffRow(worker, e) for e in reversed(history))
    return {
        "history": list(reversed(history)),
        "svg": svg,
        "readings": readings,
        "pregnancies": pregnancies,
        "alerts": alerts,
        "investigations": worker.investigations.select_related("opened_by", "closed_by"),
    }


@requires(VIEW)
def worker_page(request: HttpRequest, pk: int, forms_bound: dict | None = None) -> HttpResponse:
    """A worker's dose history: readings (corrections struck with their reason), sums per year, the plot,
    the pregnancy declaration with the embryo/fetus dose since it."""
    worker = object_or_404(Worker.objects.all(), pk=pk)
    profile = staff_sums.check_profile(None)
    may_write = request.user.has_perm(WRITE_PERMISSION)
    forms_bound = forms_bound or {}
    context = {
        "worker": worker,
        "profile": profile,
        "may_write": may_write,
        "may_edit": request.user.has_perm("protection.change_worker"),
        "department_profile": True,  # the worker page always evaluates under the department's profile
        "declare_form": forms_bound.get("declare") or PregnancyForm(),
        "end_form": forms_bound.get("end") or EndPregnancyForm(),
        **_history_context(worker, profile),
    }
    return render(request, "protection/worker.html", context, status=400 if forms_bound else 200)


@requires(WRITE_PERMISSION, "recording a pregnancy declaration")
def declare_pregnancy(request: HttpRequest, pk: int) -> HttpResponse:
    worker = object_or_404(Worker.objects.all(), pk=pk)
    if request.method != "POST":
        return redirect("protection-worker", pk=worker.pk)
    form = PregnancyForm(request.POST)
    if form.is_valid():
        try:
            declarations.declare(
                worker, form.cleaned_data["declared_on"], form.cleaned_data["pregnancy_start"], request.user
            )
            return redirect("protection-worker", pk=worker.pk)
        except InputError as exc:
            apply_error(form, exc)
    return worker_page(request, pk, {"declare": form})


@requires(WRITE_PERMISSION, "recording the end of a pregnancy")
def end_pregnancy(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = object_or_404(PregnancyDeclaration.objects.select_related("worker"), pk=pk)
    if request.method != "POST":
        return redirect("protection-worker", pk=declaration.worker_id)
    form = EndPregnancyForm(request.POST)
    if form.is_valid():
        try:
            declarations.end(declaration, form.cleaned_data["ended_on"], request.user)
            return redirect("protection-worker", pk=declaration.worker_id)
        except InputError as exc:
            apply_error(form, exc)
    return worker_page(request, declaration.worker_id, {"end": form})
