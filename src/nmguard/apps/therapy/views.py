"""Therapy course pages: the cycles, eligibility, organ doses and the cumulative-dose plot."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from nmguard.apps.core.web import apply_error
from nmguard.apps.therapy import services
from nmguard.apps.therapy.forms import CycleDosesForm, EligibilityForm
from nmguard.apps.therapy.models import TherapyCourse, TherapyCycle
from nmguard.errors import InputError
from nmguard.rules.therapy_course import course_plot


@login_required
@permission_required("therapy.view_therapycourse", raise_exception=True)
def courses(request: HttpRequest) -> HttpResponse:
    return render(
        request, "therapy/courses.html", {"courses": TherapyCourse.objects.select_related("patient", "protocol")}
    )


@login_required
@permission_required("therapy.view_therapycourse", raise_exception=True)
def course_detail(request: HttpRequest, pk: int, forms_for: dict | None = None) -> HttpResponse:
    course = get_object_or_404(TherapyCourse.objects.select_related("patient", "protocol"), pk=pk)
    summary = services.course_summary(course)
    cycles = list(course.cycle_records.select_related("administration"))
    forms_for = forms_for or {}
    rows = [
        (
            c,
            forms_for.get(("elig", c.pk)) or EligibilityForm(course.protocol.criteria),
            forms_for.get(("dose", c.pk)) or CycleDosesForm(),
        )
        for c in cycles
    ]
    return render(
        request,
        "therapy/course.html",
        {
            "course": course,
            "rows": rows,
            "summary": summary,
            "plot": course_plot(summary, str(course)) if any(s.cumulative_Gy for s in summary) else None,
        },
    )


def _cycle_action(request, pk, cycle_pk, form, key, action):
    cycle = get_object_or_404(TherapyCycle, pk=cycle_pk, course_id=pk)
    if form.is_valid():
        try:
            action(cycle, form.cleaned_data)
            return redirect("therapy-course", pk=pk)
        except InputError as exc:
            apply_error(form, exc)
    return course_detail(request, pk, forms_for={(key, cycle.pk): form})


@login_required
@permission_required("therapy.change_therapycycle", raise_exception=True)
def eligibility(request: HttpRequest, pk: int, cycle_pk: int) -> HttpResponse:
    course = get_object_or_404(TherapyCourse, pk=pk)
    form = EligibilityForm(course.protocol.criteria, request.POST)
    return _cycle_action(
        request, pk, cycle_pk, form, "elig", lambda cycle, d: services.check_eligibility(cycle, d, request.user)
    )


@login_required
@permission_required("therapy.change_therapycycle", raise_exception=True)
def cycle_doses(request: HttpRequest, pk: int, cycle_pk: int) -> HttpResponse:
    return _cycle_action(
        request,
        pk,
        cycle_pk,
        CycleDosesForm(request.POST),
        "dose",
        lambda cycle, d: services.record_cycle_doses(
            cycle, organ_doses_Gy=d["doses"], method=d["method"], user=request.user
        ),
    )
