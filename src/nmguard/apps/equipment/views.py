"""Pages of the equipment area: register, the day's QC list, result entry, trends, reports."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from nmguard.apps.core.web import apply_error
from nmguard.apps.equipment import qc_entry, qc_services
from nmguard.apps.equipment.forms import ApprovalForm, ExemptionForm
from nmguard.apps.equipment.models import Equipment, QCResult, QCSchedule
from nmguard.errors import InputError

VIEW = "equipment.view_equipment"


def _day(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


@login_required
@permission_required(VIEW, raise_exception=True)
def register(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    devices = [(d, d.clinical_use_refusal(today)) for d in Equipment.objects.all()]
    return render(request, "equipment/register.html", {"devices": devices, "today": today})


@login_required
@permission_required(VIEW, raise_exception=True)
def qc_today(request: HttpRequest) -> HttpResponse:
    day = _day(request)
    items = qc_services.due_items(day)
    by_device: dict[Equipment, list] = {}
    for item in items:
        by_device.setdefault(item.schedule.equipment, []).append(item)
    return render(
        request, "equipment/qc_today.html", {"day": day, "by_device": by_device, "exemption_form": ExemptionForm()}
    )


@login_required
@permission_required("equipment.add_qcexemption", raise_exception=True)
def exempt(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(Equipment, pk=pk)
    form = ExemptionForm(request.POST)
    if form.is_valid():
        with contextlib.suppress(InputError):  # already exempt: nothing to do
            qc_services.exempt_today(device, _day(request), form.cleaned_data["reason"], request.user)
    return redirect("qc-today")


@login_required
@permission_required(VIEW, raise_exception=True)
def schedule_detail(request: HttpRequest, pk: int, entry_form=None) -> HttpResponse:
    schedule = get_object_or_404(QCSchedule.objects.select_related("equipment", "test", "check_source"), pk=pk)
    results = list(schedule.results.select_related("performed_by", "approved_by").order_by("performed_at"))
    return render(
        request,
        "equipment/schedule.html",
        {
            "s": schedule,
            "results": list(reversed(results)),
            "trend": qc_entry.trend_svg(schedule, results),
            "entry_form": entry_form or qc_entry.entry_form_for(schedule),
            "bands": qc_services.bands_for(schedule.test),
        },
    )


@login_required
@permission_required("equipment.add_qcresult", raise_exception=True)
def enter_result(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(QCSchedule, pk=pk)
    form = qc_entry.entry_form_for(schedule, request.POST, request.FILES)
    if form.is_valid():
        try:
            result = qc_entry.record_from_form(schedule, form.cleaned_data, request.user)
            return redirect("qc-result", pk=result.pk)
        except InputError as exc:
            apply_error(form, exc)
    return schedule_detail(request, pk, entry_form=form)


@login_required
@permission_required(VIEW, raise_exception=True)
def result_detail(request: HttpRequest, pk: int, approval_form=None) -> HttpResponse:
    result = get_object_or_404(QCResult.objects.select_related("schedule__equipment", "schedule__test"), pk=pk)
    return render(
        request,
        "equipment/result.html",
        {
            "r": result,
            "approval_form": approval_form or ApprovalForm(),
            "spheres": qc_entry.sphere_table(result.analysis),
        },
    )


@login_required
@permission_required("equipment.change_qcresult", raise_exception=True)
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_object_or_404(QCResult, pk=pk)
    form = ApprovalForm(request.POST)
    if form.is_valid():
        try:
            qc_services.approve_result(
                result,
                physicist=request.user,
                password=form.cleaned_data["password"],
                comment=form.cleaned_data["comment"],
            )
            return redirect("qc-result", pk=pk)
        except InputError as exc:
            apply_error(form, exc)
    return result_detail(request, pk, approval_form=form)


@login_required
@permission_required(VIEW, raise_exception=True)
def monthly_report(request: HttpRequest, pk: int, year: int, month: int) -> HttpResponse:
    device = get_object_or_404(Equipment, pk=pk)
    if not 1 <= month <= 12:
        raise InputError("month must be 1-12", "month")
    pdf = qc_entry.monthly_report(device, year, month)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="qc-{device.pk}-{year}-{month:02d}.pdf"'
    return response
