"""The RPO's dashboard (/protection/rpo/): doses against limits per worker and per group with plots, the alerts
with their investigations, open investigations and events, and the other parts' due lists.

Numbers come from :mod:`~nmguard.apps.protection.staff_sums` (the same evaluation as the staff-dose page, the
CLI report and the PDFs); the other parts' lists from their own modules, imported inside the function as the
core dashboard does, so this page does not load them at start-up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from nmguard.apps.core.permissions import requires
from nmguard.apps.protection import investigation_records, staff_groups, staff_sums
from nmguard.apps.protection.dose_import import WRITE_PERMISSION
from nmguard.apps.protection.event_models import Investigation, ProtectionEvent, Status
from nmguard.apps.protection.forms import YearForm
from nmguard.apps.protection.plots import bars_svg, strip_svg

VIEW = "protection.view_dosereading"
ALSO_PLOTTED = (("lens", "Lens of the eye, Hp(3)"), ("extremity", "Extremity, Hp(0.07)"))


@dataclass(frozen=True)
class Panel:
    """A due list of another part of the RPO's work: (text, link) lines."""

    key: str
    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)


def other_panels(today: dt.date) -> list[Panel]:
    """The due lists of the other parts: surveys due (workplace monitoring), leak tests due (sealed sources),
    release decisions waiting (the therapy app)."""
    from django.urls import reverse

    from nmguard.apps.protection.source_services import leak_tests_due
    from nmguard.apps.protection.survey_services import due_surveys
    from nmguard.apps.therapy.release_services import awaiting_release, release_url

    surveys = [
        (
            f"{r.location.name}: {r.state.state}, due {r.state.due:%Y-%m-%d}",
            reverse("protection-monitoring-location", args=[r.location.pk]),
        )
        for r in due_surveys(today)
    ]
    leaks = [
        (
            f"{r.source}: leak test {r.leak.state}" + (f", due {r.leak.due:%Y-%m-%d}" if r.leak.due else ""),
            reverse("protection-source", args=[r.source.pk]),
        )
        for r in leak_tests_due(today)
    ]
    waiting = [
        (
            f"{c.course.patient}: cycle {c.number}, administered "
            f"{timezone.localtime(c.administration.administered_at):%Y-%m-%d}",
            release_url(c),
        )
        for c in awaiting_release()[:50]
    ]
    return [
        Panel("surveys-due", "Surveys due", surveys),
        Panel("leak-tests-due", "Leak tests due", leaks),
        Panel("release-waiting", "Release decisions waiting", waiting),
    ]


def _plots(rows: list[staff_sums.StaffRow], year: int, profile: str) -> dict[str, str]:
    """Bars per worker (effective; lens and extremity where measured) and strips per group (effective)."""
    out: dict[str, str] = {}
    measured = [r for r in rows if r.row["effective_mSv_year"] is not None]
    lines = staff_sums.effective_lines(profile, "worker", year)
    if measured:
        out["effective"] = bars_svg(
            f"Annual effective dose {year} per worker · {profile.upper()}",
            [r.worker.worker_id for r in measured],
            [r.row["effective_mSv_year"] for r in measured],
            lines,
        )
        for by in ("category", "role"):
            grouped = staff_groups.groups(measured, by)
            out[f"group-{by}"] = strip_svg(
                f"Annual effective dose {year} per {by} · {profile.upper()}",
                [(g.name, g.doses) for g in grouped],
                lines,
            )
    for quantity, label in ALSO_PLOTTED:
        with_dose = [(r, r.evaluation.quantities[quantity].annual_mSv) for r in rows]
        with_dose = [(r, v) for r, v in with_dose if v is not None]
        if with_dose:
            out[quantity] = bars_svg(
                f"{label} {year} per worker · {profile.upper()}",
                [r.worker.worker_id for r, _ in with_dose],
                [v for _, v in with_dose],
                staff_sums.effective_lines(profile, "worker", year, quantity),
            )
    return out


@requires(VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Doses against limits for a year and profile (the department's by default), alerts and what is due."""
    form = YearForm(request.GET or None)
    today = timezone.localdate()
    year, profile = today.year, None
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"] or year
        profile = form.cleaned_data["profile"] or None
    profile = staff_sums.check_profile(profile)
    rows = staff_groups.with_roles(staff_sums.evaluate_year(year, profile))
    alerts = investigation_records.alerts_of(rows)
    context = {
        "form": form,
        "year": year,
        "profile": profile,
        "department_profile": profile == staff_sums.department_profile(),
        "rows": rows,
        "alerts": alerts,
        "plots": _plots(rows, year, profile),
        "groups": staff_groups.groups(rows, "category") + staff_groups.groups(rows, "role"),
        "open_investigations": Investigation.objects.filter(status=Status.OPEN).select_related("worker", "opened_by"),
        "open_events": ProtectionEvent.objects.filter(status=Status.OPEN).select_related("reported_by"),
        "panels": other_panels(today),
        "may_write": request.user.has_perm(WRITE_PERMISSION),
    }
    return render(request, "protection/rpo.html", context)
