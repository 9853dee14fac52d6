"""Therapy course pages: the cycles, eligibility, organ doses and the cumulative-dose plot."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from nmguard.apps.core.permissions import requires
from nmguard.apps.core.web import apply_error
from nmguard.apps.therapy import dosimetry_jobs as dosimetry_jobs_service
from nmguard.apps.therapy import lists, services
from nmguard.apps.therapy.forms import (
    CycleDosesForm,
    DosimetryJobForm,
    EligibilityForm,
    RecordDosesForm,
    SirtPlanForm,
)
from nmguard.apps.therapy.models import DosimetryJob, TherapyCourse, TherapyCycle
from nmguard.errors import InputError
from nmguard.reporting.plots import course_plot


def _cycle_ids(cycle_pk: int) -> str:
    """Element ids of a cycle's forms: the course page shows the same forms once per cycle, and a label's
    ``for`` must name one element."""
    return f"id_c{cycle_pk}_%s"


@requires("therapy.view_therapycourse", "viewing therapy courses")
def course_detail(request: HttpRequest, pk: int, forms_for: dict | None = None) -> HttpResponse:
    course = get_object_or_404(TherapyCourse.objects.select_related("patient", "protocol"), pk=pk)
    summary = services.course_summary(course)
    cycles = list(
        course.cycle_records.select_related("administration").prefetch_related(
            "dosimetry_jobs", "dose_records__recorded_by", "dose_records__override_signature"
        )
    )
    forms_for = forms_for or {}
    can = services.abilities(request.user)
    sirt = bool(cycles) and dosimetry_jobs_service.sirt_cycle_problem(cycles[0]) is None and can["run_dosimetry"]
    studies = dosimetry_jobs_service.inbox_studies() if sirt else []
    rows = [
        (
            c,
            forms_for.get(("elig", c.pk)) or EligibilityForm(course.protocol.criteria, auto_id=_cycle_ids(c.pk)),
            forms_for.get(("dose", c.pk)) or CycleDosesForm(auto_id=_cycle_ids(c.pk)),
            services.eligibility_checks(c)[:-1] if c.eligibility else [],
            # a refused plan shows its form with the reason, even where the page would not offer one
            forms_for.get(("sirt", c.pk)) or (SirtPlanForm(studies=studies, prefix=f"sirt{c.pk}") if sirt else None),
        )
        for c in cycles
    ]
    return render(
        request,
        "therapy/course.html",
        {
            "course": course,
            "rows": rows,
            "summary_rows": services.summary_rows(course),
            "can": can,
            "plot": course_plot(summary, str(course)) if any(s.cumulative_Gy for s in summary) else None,
        },
    )


def _require(request: HttpRequest, action: str) -> None:
    """A request for an action the user's role may not do is refused (the page never offered it)."""
    if not services.may(request.user, action):
        raise PermissionDenied(services.refusal_text(action))


def _cycle_action(request, pk, cycle_pk, form, key, action):
    cycle = get_object_or_404(TherapyCycle, pk=cycle_pk, course_id=pk)
    if form.is_valid():
        try:
            action(cycle, form.cleaned_data)
            return redirect("therapy-course", pk=pk)
        except InputError as exc:
            apply_error(form, exc)
    return course_detail(request, pk, forms_for={(key, cycle.pk): form})


@requires("therapy.change_therapycycle", "changing a therapy cycle")
def eligibility(request: HttpRequest, pk: int, cycle_pk: int) -> HttpResponse:
    _require(request, "check_eligibility")
    course = get_object_or_404(TherapyCourse, pk=pk)
    form = EligibilityForm(course.protocol.criteria, request.POST, auto_id=_cycle_ids(cycle_pk))
    return _cycle_action(
        request, pk, cycle_pk, form, "elig", lambda cycle, d: services.check_eligibility(cycle, d, request.user)
    )


@requires("therapy.change_therapycycle", "changing a therapy cycle")
def cycle_doses(request: HttpRequest, pk: int, cycle_pk: int) -> HttpResponse:
    _require(request, "record_doses")
    return _cycle_action(
        request,
        pk,
        cycle_pk,
        CycleDosesForm(request.POST, auto_id=_cycle_ids(cycle_pk)),
        "dose",
        lambda cycle, d: services.record_cycle_doses(
            cycle, organ_doses_Gy=d["doses"], method=d["method"], user=request.user, reason=d["reason"]
        ),
    )


def _follow(job: DosimetryJob) -> HttpResponse:
    """A queued job starts (the web process's thread in the embedded default, once the request commits) and the
    user follows its progress on its page."""
    dosimetry_jobs_service.start_background_worker()
    return redirect("dosimetry-job", pk=job.pk)


@requires("therapy.add_dosimetryjob", "starting a Y-90 microsphere plan")
@require_POST
def cycle_sirt(request: HttpRequest, pk: int, cycle_pk: int) -> HttpResponse:
    """Queue a Y-90 microsphere plan for the cycle on an MAA SPECT/CT study of the DICOM inbox."""
    _require(request, "run_dosimetry")
    cycle = get_object_or_404(
        TherapyCycle.objects.select_related("course__protocol__radiopharmaceutical"), pk=cycle_pk, course_id=pk
    )
    form = SirtPlanForm(request.POST, studies=dosimetry_jobs_service.inbox_studies(), prefix=f"sirt{cycle.pk}")
    if form.is_valid():
        try:
            job = dosimetry_jobs_service.submit_sirt(
                study_dir=form.cleaned_data["study_dir"],
                cycle=cycle,
                options=form.options(),
                user=request.user,
                title=form.cleaned_data["title"],
            )
            return _follow(job)
        except InputError as exc:
            apply_error(form, exc)
    return course_detail(request, pk, forms_for={("sirt", cycle.pk): form})


# --------------------------------------------------------------------------- dosimetry jobs

JOB_FILES = {
    "rtdose.dcm": "application/dicom",
    "dose_parametric_map.dcm": "application/dicom",
    "results.json": "application/json",
    "report.html": "text/html",
}


@requires("therapy.view_dosimetryjob", "viewing dosimetry runs")
def dosimetry_jobs(request: HttpRequest) -> HttpResponse:
    """The job list, and the form that starts a run (physicists)."""
    form = DosimetryJobForm()
    if request.method == "POST":
        _require(request, "run_dosimetry")
        form = DosimetryJobForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = dosimetry_jobs_service.submit_zip(
                    upload=form.cleaned_data["study_zip"],
                    title=form.cleaned_data["title"],
                    options=form.options(),
                    user=request.user,
                    cycle=form.cleaned_data["cycle"],
                )
                return _follow(job)
            except InputError as exc:
                apply_error(form, exc)
    return lists.dosimetry_job_list(request, job_form=form)


@requires("therapy.view_dosimetryjob", "viewing dosimetry runs")
def dosimetry_job(request: HttpRequest, pk: int, record_form: RecordDosesForm | None = None) -> HttpResponse:
    job = get_object_or_404(
        DosimetryJob.objects.select_related("requested_by", "cycle__course__patient", "cycle__course__protocol"), pk=pk
    )
    context = {"job": job, "percent": round(100 * job.progress)}
    if request.GET.get("partial"):
        if job.is_final:  # the results need the whole page
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "therapy/_job_progress.html", context)
    context["can"] = services.abilities(request.user)
    if job.status == DosimetryJob.Status.SUCCEEDED and job.cycle_id and job.kind == DosimetryJob.Kind.DOSIMETRY:
        try:
            check = dosimetry_jobs_service.recording_check(job)
        except InputError as exc:
            context["record_error"] = exc.message
        else:
            context["check"] = check
            context["unmapped"] = dosimetry_jobs_service.unmapped_constraints(check)
            if context["can"]["record_doses"]:
                context["record_form"] = record_form or RecordDosesForm(check)
    return render(request, "therapy/dosimetry_job.html", context)


@requires("therapy.view_dosimetryjob", "viewing dosimetry runs")
def dosimetry_job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_object_or_404(DosimetryJob, pk=pk)
    return JsonResponse(dosimetry_jobs_service.job_state(job))


@xframe_options_sameorigin
@requires("therapy.view_dosimetryjob", "viewing dosimetry runs")
def dosimetry_job_file(request: HttpRequest, pk: int, name: str) -> FileResponse:
    job = get_object_or_404(DosimetryJob, pk=pk, status=DosimetryJob.Status.SUCCEEDED)
    if name not in JOB_FILES:
        raise Http404
    path = Path(job.output_dir) / name
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=JOB_FILES[name], as_attachment=name != "report.html")
    if name == "report.html":
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return response


@requires("therapy.add_dosimetryjob", "starting a dosimetry run")
@require_POST
def dosimetry_job_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "run_dosimetry")
    job = get_object_or_404(DosimetryJob, pk=pk)
    new = dosimetry_jobs_service.rerun(job, request.user)
    return _follow(new)


@requires("therapy.change_therapycycle", "changing a therapy cycle")
@require_POST
def dosimetry_job_to_cycle(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the job's VOI doses, mapped to organs as confirmed, as the organ doses of its therapy cycle."""
    _require(request, "record_doses")
    # a SIRT plan is a plan, not delivered doses: it has nothing to record
    job = get_object_or_404(DosimetryJob, pk=pk, status=DosimetryJob.Status.SUCCEEDED, kind=DosimetryJob.Kind.DOSIMETRY)
    if job.cycle is None:
        raise Http404
    form = RecordDosesForm(dosimetry_jobs_service.recording_check(job), request.POST)
    if form.is_valid():
        try:
            dosimetry_jobs_service.record_doses_for_cycle(
                job,
                request.user,
                mapping=form.mapping(),
                mapping_confirmed=form.cleaned_data["mapping_confirmed"],
                reason=form.cleaned_data.get("reason", ""),
                mismatch_reason=form.cleaned_data.get("mismatch_reason", ""),
                password=form.cleaned_data.get("password") or None,
            )
            return redirect("therapy-course", pk=job.cycle.course_id)
        except InputError as exc:
            apply_error(form, exc)
    return dosimetry_job(request, pk, record_form=form)
