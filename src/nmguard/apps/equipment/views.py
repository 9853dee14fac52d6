"""Pages of the equipment area: register, the day's QC list, result entry, trends, reports."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from nmguard import input_bounds
from nmguard.apps.core.permissions import requires
from nmguard.apps.core.roles import Role
from nmguard.apps.core.web import apply_error
from nmguard.apps.equipment import lists, qc_entry, qc_services, service_log
from nmguard.apps.equipment.forms import (
    ApprovalForm,
    ExemptionForm,
    ReturnToServiceForm,
    ServiceLogForm,
    WithdrawExemptionForm,
)
from nmguard.apps.equipment.models import Equipment, QCExemption, QCResult, QCSchedule
from nmguard.apps.equipment.source_refusals import check_source_refusal
from nmguard.errors import InputError
from nmguard.web.input_bounds import object_or_404

VIEW = "equipment.view_equipment"


def _require_physicist(request: HttpRequest, what: str) -> None:
    """The e-signed QC actions are a physicist's: anyone else is refused before a form is read."""
    if not qc_services.is_physicist(request.user):
        raise PermissionDenied(f"{what} needs the role {Role.PHYSICIST.label}.")


def _day(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


@requires(VIEW)
def device_service_log(request: HttpRequest, pk: int) -> HttpResponse:
    """A device's service log, and the form that adds an entry (roles that write in the equipment area)."""
    device = get_object_or_404(Equipment, pk=pk)
    may_add = request.user.has_perm("equipment.add_servicelogentry")
    form = ServiceLogForm(request.POST or None) if may_add else None
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied("Adding to the service log is for the roles that write in the equipment area.")
        if form.is_valid():
            try:
                service_log.add_entry(device, **form.cleaned_data, user=request.user)
            except InputError as exc:
                apply_error(form, exc)
            else:
                return redirect("equipment-service-log", pk=device.pk)
    entries = device.service_log.order_by("-performed_on", "-pk")
    return render(request, "equipment/service_log.html", {"device": device, "entries": entries, "form": form})


@requires(VIEW)
def qc_today(request: HttpRequest, bound: dict | None = None) -> HttpResponse:
    """The day's list; ``bound`` holds a form with errors, keyed (kind, device pk), to show in its place."""
    day = _day(request)
    bound = bound or {}

    def form(kind: str, cls, pk: int):
        found = bound.get((kind, pk))
        if found is not None:
            found.auto_id = f"id_%s_{kind}_{pk}"
            return found
        return cls(auto_id=f"id_%s_{kind}_{pk}")

    due = lists.due_filter(request)  # ?due=overdue|today: the dashboard's counts link here
    cards = [
        {
            "d": d,
            "exempt_form": form("exempt", ExemptionForm, d.device.pk),
            "withdraw_form": form("withdraw", WithdrawExemptionForm, d.device.pk),
            "return_form": form("return", ReturnToServiceForm, d.device.pk),
        }
        for d in lists.filter_due(qc_services.qc_day(day), due)
    ]
    return render(
        request,
        "equipment/qc_today.html",
        {"day": day, "cards": cards, "due_form": due, "is_physicist": qc_services.is_physicist(request.user)},
    )


@requires("equipment.add_qcexemption")
def exempt(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(Equipment, pk=pk)
    form = ExemptionForm(request.POST)
    if form.is_valid():
        try:
            qc_services.exempt_today(device, _day(request), form.cleaned_data["reason"], request.user)
            return redirect(f"{reverse('qc-today')}?day={_day(request):%Y-%m-%d}")
        except InputError as exc:
            apply_error(form, exc)
    return qc_today(request, {("exempt", pk): form})


@requires("equipment.change_qcexemption")
def withdraw_exemption(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = get_object_or_404(QCExemption, pk=pk)
    form = WithdrawExemptionForm(request.POST)
    if form.is_valid():
        try:
            qc_services.withdraw_exemption(exemption, form.cleaned_data["withdrawal_reason"], request.user)
            return redirect(f"{reverse('qc-today')}?day={exemption.day:%Y-%m-%d}")
        except InputError as exc:
            apply_error(form, exc)
    return qc_today(request, {("withdraw", exemption.equipment_id): form})


@requires("equipment.change_equipment")
def return_to_service(request: HttpRequest, pk: int) -> HttpResponse:
    _require_physicist(request, "Returning a device to clinical use")
    device = get_object_or_404(Equipment, pk=pk)
    form = ReturnToServiceForm(request.POST)
    if form.is_valid():
        try:
            qc_services.return_to_service(
                device,
                physicist=request.user,
                password=form.cleaned_data["password"],
                reason=form.cleaned_data["reason"],
            )
            return redirect(f"{reverse('qc-today')}?day={_day(request):%Y-%m-%d}")
        except InputError as exc:
            apply_error(form, exc)
    return qc_today(request, {("return", pk): form})


@requires(VIEW)
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
            "bands": qc_services.describe_bands(schedule.test),
            "expected": qc_services.expected_reading(schedule),
            "drift": qc_services.drift_for(schedule, results[-20:]),
            "source_refusal": check_source_refusal(schedule.check_source, timezone.localdate())
            if schedule.check_source_id
            else None,
        },
    )


@requires("equipment.add_qcresult")
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


@requires(VIEW)
def result_detail(request: HttpRequest, pk: int, approval_form=None) -> HttpResponse:
    result = get_object_or_404(QCResult.objects.select_related("schedule__equipment", "schedule__test"), pk=pk)
    return render(
        request,
        "equipment/result.html",
        {
            "r": result,
            "approval_form": approval_form or ApprovalForm(),
            "may_approve": qc_services.is_physicist(request.user),
            "spheres": qc_entry.sphere_table(result.analysis),
            "values": qc_entry.value_rows(result.analysis),
            "evaluated_against": qc_entry.describe_evaluation(result.evaluation),
        },
    )


@requires("equipment.change_qcresult")
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    _require_physicist(request, "Approving QC results")
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


@requires(VIEW)
def monthly_report(request: HttpRequest, pk: int, year: int, month: int) -> HttpResponse:
    device = object_or_404(Equipment, pk=pk)
    try:  # a month that is not in the calendar (13, year 0 or 99999) has no report: 404, not 500
        input_bounds.check_date(dt.date(year, month, 1), "month")
    except (ValueError, InputError):
        raise Http404(f"no month {year}-{month}") from None
    pdf = qc_entry.monthly_report(device, year, month)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="qc-{device.pk}-{year}-{month:02d}.pdf"'
    return response
