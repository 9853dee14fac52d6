"""Workplace-monitoring pages: the schedule, a location's history with its plot and entry form, the
instruments with their calibration state, the decontamination follow-ups. Everyone with a role reads; the RPO
and the physicist write. The work is in :mod:`nmguard.apps.protection.survey_services`."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from nmguard.apps.core.permissions import refusal, requires
from nmguard.apps.core.web import apply_error
from nmguard.apps.protection import survey_services as services
from nmguard.apps.protection.monitoring_forms import (
    ActionForm,
    ConstancyForm,
    InstrumentForm,
    InstrumentUpdateForm,
    LocationForm,
    SurveyForm,
    WipeForm,
    parse_efficiencies,
    parse_numbers,
)
from nmguard.apps.protection.survey_models import FollowUp, Instrument, SurveyLocation
from nmguard.errors import InputError
from nmguard.web.input_bounds import object_or_404

VIEW = services.VIEW_PERMISSION
WRITE = services.WRITE_PERMISSION
DUE_SOON_DAYS = 30  # an instrument's calibration shown as "due soon" within this many days
PLOT_POINTS = 200


def _may_write(request: HttpRequest) -> bool:
    return request.user.has_perm(WRITE)


def _refuse_unless_writer(request: HttpRequest, doing: str) -> None:
    if not _may_write(request):
        raise refusal(WRITE, doing)


@requires(VIEW)
def schedule_page(request: HttpRequest) -> HttpResponse:
    """Every location with its due date: overdue first, then due today, then the rest; a writer adds locations."""
    form = LocationForm(request.POST or None)
    if request.method == "POST":
        _refuse_unless_writer(request, "adding a survey location")
        if form.is_valid():
            try:
                loc = services.create_location(request.user, **form.cleaned_data)
                return redirect("protection-monitoring-location", pk=loc.pk)
            except InputError as exc:
                apply_error(form, exc)
    today = timezone.localdate()
    rows = services.schedule(today)
    context = {
        "today": today,
        "rows": rows,
        "open_follow_ups": FollowUp.objects.filter(closed_at__isnull=True).count(),
        "form": form,
        "may_write": _may_write(request),
        "profile": services.levels().profile,
    }
    return render(request, "protection/monitoring/schedule.html", context, status=400 if form.errors else 200)


def _history(location: SurveyLocation) -> list[dict]:
    rows = [
        {"when": s.performed_at, "kind": "survey", "record": s, "value": s.net_max, "shown": f"{s.net_max:.3g}",
         "level": s.action_level, "above": s.above_action_level, "instrument": s.instrument, "by": s.performed_by}
        for s in location.surveys.select_related("instrument", "performed_by")[:PLOT_POINTS]
    ] + [
        {"when": w.performed_at, "kind": "wipe", "record": w, "value": w.mda_Bq_cm2 if w.below_mda else
         w.activity_Bq_cm2, "shown": w.shown, "level": w.action_level, "above": w.above_action_level,
         "instrument": w.counter, "by": w.performed_by}
        for w in location.wipe_tests.select_related("counter", "performed_by")[:PLOT_POINTS]
    ]  # fmt: skip
    return sorted(rows, key=lambda r: r["when"], reverse=True)[:PLOT_POINTS]


def _plot(location: SurveyLocation, rows: list[dict], level: float, unit: str) -> str:
    if not rows:
        return ""
    from nmguard.reporting.plots import control_chart

    ordered = list(reversed(rows))
    return control_chart(
        f"{location.name}: results against the action level (below MDA: plotted at the MDA)",
        [timezone.localtime(r["when"]) for r in ordered],
        [r["value"] for r in ordered],
        unit,
        {"action_level": level},
        ["action" if r["above"] else "ok" for r in ordered],
    )


@requires(VIEW)
def location_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A location's level with its source, its history and plot, and (for writers) the entry form."""
    location = object_or_404(SurveyLocation.objects.all(), pk=pk)
    wipe = location.survey_kind == SurveyLocation.SurveyKind.WIPE
    kind = services.INSTRUMENT_FOR[location.survey_kind]
    Form = WipeForm if wipe else SurveyForm
    now = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
    form = Form(request.POST or None, kind=kind, initial={"performed_at": now})
    if request.method == "POST":
        _refuse_unless_writer(request, "recording a survey")
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if wipe:
                    counter = data.pop("counter")
                    when = data.pop("performed_at")
                    services.record_wipe(request.user, location, counter, when, **data)
                else:
                    readings = parse_numbers(data["readings"], "readings")
                    services.record_survey(
                        request.user, location, data["instrument"], data["performed_at"], readings,
                        data["background"], data["note"],
                    )  # fmt: skip
                return redirect("protection-monitoring-location", pk=location.pk)
            except InputError as exc:
                apply_error(form, exc)
    level, source = services.action_level(location)
    unit = "Bq/cm²" if location.survey_kind != SurveyLocation.SurveyKind.DOSE_RATE else "µSv/h"
    rows = _history(location)
    context = {
        "location": location,
        "level": level,
        "level_source": source,
        "unit": unit,
        "rows": rows,
        "svg": _plot(location, rows, level, unit),
        "form": form,
        "wipe": wipe,
        "may_write": _may_write(request),
        "follow_ups": location.follow_ups.all()[:20],
    }
    return render(request, "protection/monitoring/location.html", context, status=400 if form.errors else 200)


def calibration_state(instrument: Instrument, today: dt.date) -> str:
    """'out_of_date', 'due_soon' (within DUE_SOON_DAYS) or 'in_date'."""
    if not instrument.calibrated_on <= today <= instrument.calibration_due:
        return "out_of_date"
    return "due_soon" if (instrument.calibration_due - today).days <= DUE_SOON_DAYS else "in_date"


@requires(VIEW)
def instruments_page(request: HttpRequest) -> HttpResponse:
    """Instruments with their calibration state and last constancy check; writers add instruments and checks."""
    action = request.POST.get("action") if request.method == "POST" else None
    # prefixes: three forms on one page, each field's id unique
    add = InstrumentForm(request.POST if action == "add" else None, prefix="add")
    check = ConstancyForm(
        request.POST if action == "check" else None, initial={"checked_on": timezone.localdate()}, prefix="check"
    )
    update = InstrumentUpdateForm(request.POST if action == "update" else None, prefix="update")
    if action in ("add", "check", "update"):
        _refuse_unless_writer(request, "recording an instrument, its calibration or a constancy check")
        form = {"add": add, "check": check, "update": update}[action]
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if action == "add":
                    data["efficiencies"] = parse_efficiencies(data["efficiencies"])
                    services.create_instrument(request.user, **data)
                elif action == "update":
                    services.update_instrument(request.user, data.pop("instrument"), **data)
                else:
                    services.record_constancy(request.user, data["instrument"], data["checked_on"], data["reading"])
                return redirect("protection-monitoring-instruments")
            except InputError as exc:
                apply_error(form, exc)
    today = timezone.localdate()
    rows = [
        (i, calibration_state(i, today), i.constancy_checks.order_by("-checked_on", "-pk").first())
        for i in Instrument.objects.all()
    ]
    context = {"rows": rows, "add": add, "check": check, "update": update, "may_write": _may_write(request)}
    status = 400 if add.errors or check.errors or update.errors else 200
    return render(request, "protection/monitoring/instruments.html", context, status=status)


@requires(VIEW)
def follow_ups_page(request: HttpRequest) -> HttpResponse:
    """Open follow-ups first: the result that opened each, the action taken, the re-survey that closed it."""
    posted, bound = None, None
    if request.method == "POST":
        _refuse_unless_writer(request, "recording a decontamination")
        follow_up = object_or_404(FollowUp.objects.all(), pk=request.POST.get("follow_up", ""))
        posted, bound = follow_up.pk, ActionForm(request.POST, auto_id=f"id_fu{follow_up.pk}_%s")
        if bound.is_valid():
            try:
                services.record_action(request.user, follow_up, bound.cleaned_data["action_taken"])
                return redirect("protection-monitoring-follow-ups")
            except InputError as exc:
                apply_error(bound, exc)
    items = FollowUp.objects.select_related("location", "survey", "wipe", "resurvey", "rewipe").order_by(
        "-closed_at", "-created_at"
    )
    open_items = [(f, bound if f.pk == posted else ActionForm(auto_id=f"id_fu{f.pk}_%s")) for f in items if f.is_open]
    closed = [f for f in items if not f.is_open][:50]
    context = {"open_items": open_items, "closed": closed, "may_write": _may_write(request)}
    return render(request, "protection/monitoring/follow_ups.html", context, status=400 if posted else 200)
