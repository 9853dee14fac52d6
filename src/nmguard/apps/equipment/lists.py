"""Find anything in the QC programme: every QC result, the register by status, the day's QC by due state.

The result list answers "every action-level result on Camera 2 this year"; the register and the day's
QC page keep their own views and take their filter from here. Filters, paging and CSV are the shared
list machinery's (:mod:`nmguard.apps.core.listing`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from nmguard.apps.core.listing import Column, ListFilter, RecordFilterField, csv_response, list_page, paginate
from nmguard.apps.core.permissions import requires
from nmguard.apps.equipment import qc_services
from nmguard.apps.equipment.models import Equipment, QCResult

VIEW = "equipment.view_equipment"


class QCResultFilter(ListFilter):
    search_fields = ("schedule__test__name", "schedule__test__catalogue_id", "schedule__equipment__name", "comment")
    search_label = "Test or device"
    date_field = "performed_at"
    status_field = "outcome"
    status_choices = QCResult.Outcome.choices

    device = RecordFilterField(Equipment.objects.order_by("name"), label="Device")

    def filter_extra(self, queryset: QuerySet, data: dict[str, Any]) -> QuerySet:
        if data.get("device"):
            queryset = queryset.filter(schedule__equipment=data["device"])
        return queryset


QC_RESULT_COLUMNS = [
    Column("Performed", "performed_at"),
    Column("Device", "schedule.equipment.name"),
    Column("Test", "schedule.test.name"),
    Column("Value", "value"),
    Column("Unit", "unit"),
    Column("Outcome", "get_outcome_display"),
    Column("Performed by", "performed_by.username"),
    Column("Approved by", lambda r: r.approved_by.username if r.approved_by else ""),
    Column("Comment", "comment"),
]


@requires("equipment.view_qcresult", "viewing QC results")
def qc_result_list(request: HttpRequest) -> HttpResponse:
    results = QCResult.objects.select_related(
        "schedule__equipment", "schedule__test", "performed_by", "approved_by"
    ).order_by("-performed_at", "-pk")
    return list_page(
        request,
        QCResultFilter,
        results,
        template="equipment/lists/qc_results.html",
        columns=QC_RESULT_COLUMNS,
        filename="qc-results.csv",
    )


# ------------------------------------------------------------------ the register, by status


class RegisterFilter(ListFilter):
    search_fields = ("name", "manufacturer", "model_name", "serial_number", "location")
    search_label = "Device, model, serial or location"
    status_choices = Equipment.Status.choices


REGISTER_COLUMNS = [
    Column("Device", "device.name"),
    Column("Kind", "device.get_kind_display"),
    Column("Location", "device.location"),
    Column("Status", "device.get_status_display"),
    Column("QC results", "results"),
    Column("QC valid until", "qc_valid_until"),
    Column("Clinical use today", lambda row: row.refusal or "yes"),
]


@requires(VIEW)
def register(request: HttpRequest) -> HttpResponse:
    """The equipment register, filtered (``status=out_of_service`` ...), paged, or as CSV.

    Each row carries the QC programme's verdict on the device, which the QC service works out per device.
    """
    today = timezone.localdate()
    form = RegisterFilter(request.GET)
    devices = form.filter(Equipment.objects.order_by("name")) if form.is_valid() else Equipment.objects.none()
    if form.wants_csv:
        return csv_response(qc_services.register_rows(today, devices), REGISTER_COLUMNS, "equipment.csv")
    page = paginate(devices, form.page_number)
    rows = qc_services.register_rows(today, page.object_list)
    return render(request, "equipment/register.html", {"form": form, "page": page, "rows": rows, "today": today})


# ------------------------------------------------------------------ the day's QC, by due state


class DueFilter(forms.Form):
    """``due=overdue`` or ``due=today`` on the day's QC page (the dashboard's counts link here)."""

    due = forms.ChoiceField(
        required=False,
        label="Show",
        choices=[("", "every scheduled test"), ("overdue", "overdue"), ("today", "due today")],
    )


def due_filter(request: HttpRequest) -> DueFilter:
    form = DueFilter(request.GET)
    form.is_valid()
    return form


def filter_due(days: list[qc_services.DeviceDay], form: DueFilter) -> list[qc_services.DeviceDay]:
    """The devices with a test in the chosen due state, each with those tests only (none when the filter
    could not be read: the error is shown by the field instead)."""
    if form.errors:
        return []
    due = form.cleaned_data.get("due")
    if not due:
        return days
    wanted = (lambda i: i.overdue) if due == "overdue" else (lambda i: i.due_today and not i.overdue)
    kept = []
    for day in days:
        items = [i for i in day.items if wanted(i) and not i.exempt]
        if items:
            kept.append(dataclasses.replace(day, items=items))
    return kept
