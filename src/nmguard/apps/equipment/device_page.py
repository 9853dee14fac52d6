"""A device's own page: whether it may be used, its QC history with trends, service log, lock-outs, documents.

Everything shown is read from the records the QC programme and the audit trail already keep: the status
from the same verdict as the register and the day's QC list, the lock-outs and returns to service from the
device's audited changes (who, when, why), the trends drawn by the QC pages' own control chart. The
register has no document store; the documents are the device's monthly QC reports (PDF), one per month
that holds results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from nmguard.apps.core.models import AuditEvent
from nmguard.apps.core.permissions import requires
from nmguard.apps.equipment import qc_entry, qc_services
from nmguard.apps.equipment.models import Equipment, QCResult
from nmguard.web.input_bounds import object_or_404

TREND_POINTS = 50  # results per test in a trend: the recent history the drift rules also look at, and more
RECENT_RESULTS = 20
SERVICE_ENTRIES = 10


@dataclass(frozen=True)
class DeviceState:
    """In service, out of service (locked by QC or set so), restricted, or not in use today; and why."""

    label: str
    css: str  # ok / bad / muted, for the page
    reason: str | None


@dataclass(frozen=True)
class StatusChange:
    """A lock-out, a return to service or another change of the device's status, from the audit trail."""

    at: dt.datetime
    by: str
    before: str
    after: str
    locked_by_qc: bool
    reason: str


@dataclass(frozen=True)
class Trend:
    schedule_pk: int
    test: str
    frequency: str
    svg: str | None
    results: int


def device_state(device: Equipment, day: dt.date) -> DeviceState:
    """The device's state on ``day``, with the clinical-use verdict the register and the dose path use."""
    refusal = device.clinical_use_refusal(day)
    if device.status == Equipment.Status.OUT_OF_SERVICE:
        return DeviceState("Out of service", "bad", refusal)
    if qc_services.active_exemption(device, day):
        return DeviceState("Not in use today", "muted", refusal)
    if device.status == Equipment.Status.RESTRICTED:
        return DeviceState("Restricted use", "bad", refusal)
    return DeviceState("In service", "bad" if refusal else "ok", refusal)


def _label(status: str | None) -> str:
    try:
        return Equipment.Status(status).label
    except ValueError:
        return status or "–"


def status_changes(device: Equipment) -> list[StatusChange]:
    """Every change of the device's status or QC lock, newest first, from its audited updates."""
    events = AuditEvent.objects.filter(
        model_label=Equipment._meta.label, object_id=str(device.pk), action=AuditEvent.Action.UPDATE
    ).order_by("-seq")
    changes = []
    for e in events.only("at", "actor_username", "before", "after", "reason"):
        before, after = e.before or {}, e.after or {}
        if (before.get("status"), before.get("locked_by_qc")) == (after.get("status"), after.get("locked_by_qc")):
            continue
        changes.append(
            StatusChange(
                e.at,
                e.actor_username,
                _label(before.get("status")),
                _label(after.get("status")),
                after.get("locked_by_qc") in ("True", "true", True),
                e.reason,
            )
        )
    return changes


def trends(device: Equipment) -> list[Trend]:
    """One control chart per test on the device's programme (its latest results, oldest first)."""
    out = []
    for schedule in device.qc_schedules.select_related("test", "equipment").order_by("test__name"):
        recent = list(schedule.results.order_by("-performed_at", "-pk")[:TREND_POINTS])[::-1]
        out.append(
            Trend(
                schedule.pk,
                schedule.test.name,
                schedule.effective_frequency,
                qc_entry.trend_svg(schedule, recent),
                schedule.results.count(),
            )
        )
    return out


def report_months(device: Equipment) -> list[dt.datetime]:
    """The months (department time) that hold QC results of the device, newest first: one PDF each."""
    return list(
        QCResult.objects.filter(schedule__equipment=device).datetimes(
            "performed_at", "month", order="DESC", tzinfo=timezone.get_current_timezone()
        )
    )


@requires("equipment.view_equipment")
def device_page(request: HttpRequest, pk: int) -> HttpResponse:
    device = object_or_404(Equipment, pk=pk)
    today = timezone.localdate()
    recent = (
        QCResult.objects.filter(schedule__equipment=device)
        .select_related("schedule__test", "performed_by", "approved_by")
        .order_by("-performed_at", "-pk")[:RECENT_RESULTS]
    )
    return render(
        request,
        "equipment/device.html",
        {
            "device": device,
            "state": device_state(device, today),
            "eligible_for_return": qc_services.eligible_for_return(device),
            "valid_until": qc_services.programme_valid_until(device),
            "trends": trends(device),
            "recent": recent,
            "changes": status_changes(device),
            "exemptions": device.qc_exemptions.select_related("marked_by", "withdrawn_by").order_by("-day")[:10],
            "service": device.service_log.order_by("-performed_on", "-pk")[:SERVICE_ENTRIES],
            "months": report_months(device),
            "today": today,
        },
    )
