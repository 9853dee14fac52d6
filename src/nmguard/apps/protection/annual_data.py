"""The contents of the annual reports, as sections of text for :mod:`nmguard.reporting.staff_dose_report`:
one worker's annual dose report and the department's annual radiation-protection report.

Every number comes from :mod:`~nmguard.apps.protection.staff_sums` and the pure rules (monthly sums are the
pure annual sums of the readings ending in each month, so months add up to the year by the same rule).
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone

from nmguard.apps.protection import staff_groups, staff_sums
from nmguard.apps.protection.event_models import Investigation, ProtectionEvent
from nmguard.apps.protection.models import Worker
from nmguard.protection import dose_sums
from nmguard.reporting.staff_dose_report import Section, mSv, number

QUANTITY_LABELS = {
    "effective": "Effective, Hp(10)",
    "skin": "Skin, Hp(0.07)",
    "lens": "Lens, Hp(3)",
    "extremity": "Extremity, Hp(0.07) ring",
}
STATUS_LABELS = {"ok": "ok", "investigation": "investigation level reached", "limit_exceeded": "LIMIT EXCEEDED"}


def monthly_section(worker: Worker, year: int) -> Section:
    """Per quantity, the sum of the readings whose period ends in each month, and the year's sum."""
    readings = [
        r.as_pure(worker.worker_id) for r in worker.readings.filter(superseded_by__isnull=True, period_end__year=year)
    ]
    quantities = list(QUANTITY_LABELS)
    rows = []
    for month in range(1, 13):
        sums = dose_sums.annual_sums([r for r in readings if r.period_end.month == month]).get(worker.worker_id, {})
        rows.append([calendar.month_abbr[month], *(_cell(sums, q, year) for q in quantities)])
    total = dose_sums.annual_sums(readings).get(worker.worker_id, {})
    rows.append([f"Year {year}", *(_cell(total, q, year) for q in quantities)])
    columns = [("Month (period end)", 0.2), *((QUANTITY_LABELS[q], 0.2) for q in quantities)]
    note = "A reading counts in the month and year in which its wear period ends; not measured is not zero."
    return Section(f"Doses by month, {year}", columns, rows, note)


def _cell(sums: dict, quantity: str, year: int) -> str:
    if year not in sums.get(quantity, {}):
        return "–"
    return mSv(sums[quantity][year])


def sums_section(evaluation: dose_sums.WorkerEvaluation) -> Section:
    y = evaluation.year
    rows = [
        [QUANTITY_LABELS[name], mSv(q.annual_mSv), mSv(q.five_year_mSv), q.level, "; ".join(q.reasons) or "–"]
        for name, q in evaluation.quantities.items()
    ]
    columns = [("Quantity", 0.18), (str(y), 0.13), (f"{y - 4}-{y}", 0.13), ("Level", 0.14), ("Why", 0.42)]
    note = f"Status {y}: {STATUS_LABELS[evaluation.status]}."
    return Section(f"Annual and five-year sums, status {y}", columns, rows, note)


def limits_section(profile: str, category: str) -> Section:
    """The profile's limits for the category, each with its averaging rule, wording and source."""
    limits = dose_sums.limits_of(profile)
    rows = []
    for quantity in QUANTITY_LABELS:
        limit = limits.limit(category, quantity)
        if limit is None:
            rows.append([QUANTITY_LABELS[quantity], "no limit in this text", "", "", ""])
            continue
        for applied in limit.applicable():
            value = applied.limit
            over = "a single year" if applied.years == 1 else f"{applied.years} consecutive years"
            source = f"{value.source.id} ({value.status})"
            rows.append([QUANTITY_LABELS[quantity], f"{value.value:g} {value.unit}", over, applied.wording, source])
    levels = limits.levels
    note = (
        f"Profile {profile.upper()} ({limits.edition}), category {category}. Department levels: recording "
        f"{levels.recording_fraction.value:g} and investigation {levels.investigation_fraction.value:g} of the "
        "annual reference (a five-year limit / 5 where one applies)."
    )
    columns = [("Quantity", 0.18), ("Limit", 0.12), ("Over", 0.16), ("Wording", 0.32), ("Source", 0.22)]
    return Section("Limits of the profile", columns, rows, note)


def investigations_section(investigations, heading: str) -> Section:
    rows = [
        [
            str(i.pk),
            f"{i.worker.worker_id} {i.worker.name}".strip(),
            f"{i.quantity} {i.year}",
            i.get_level_display(),
            mSv(i.dose_at_opening_mSv),
            f"{timezone.localtime(i.created_at):%Y-%m-%d} by {i.opened_by}",
            "open"
            if i.status == "open"
            else f"closed {timezone.localtime(i.closed_at):%Y-%m-%d} by {i.closed_by}; cause: {i.cause}",
        ]
        for i in investigations
    ]
    columns = [
        ("#", 0.05),
        ("Worker", 0.15),
        ("Alert", 0.12),
        ("Level", 0.14),
        ("Dose at opening", 0.11),
        ("Opened", 0.17),
        ("Status", 0.26),
    ]
    return Section(heading, columns, rows, empty="No investigation.")


def worker_sections(worker: Worker, year: int, profile: str) -> list[Section]:
    """The worker's annual report: months, sums and status, limits, investigations."""
    evaluation = next((r.evaluation for r in staff_sums.evaluate_year(year, profile, {worker.worker_id})), None)
    sections = [monthly_section(worker, year)]
    if evaluation is not None:
        sections.append(sums_section(evaluation))
    sections.append(limits_section(profile, worker.category))
    invs = worker.investigations.filter(year=year).select_related("opened_by", "closed_by", "worker")
    sections.append(investigations_section(invs, f"Investigations {year}"))
    return sections


def department_sections(year: int, profile: str) -> list[Section]:
    """The department's annual radiation-protection report: doses per worker and group against the limits,
    the limits, the year's investigations and protection events."""
    rows = staff_groups.with_roles(staff_sums.evaluate_year(year, profile))
    worker_rows = [
        [
            str(r.worker),
            r.worker.get_category_display(),
            mSv(r.row["effective_mSv_year"]),
            mSv(r.row["effective_mSv_5y"]),
            mSv(r.row["lens_mSv_year"]),
            mSv(r.row["extremity_mSv_year"]),
            STATUS_LABELS[r.row["status"]] + "".join(f"; {x}" for x in r.row["reasons"]),
        ]
        for r in rows
    ]
    worker_columns = [
        ("Worker", 0.18),
        ("Category", 0.14),
        (f"Effective {year}", 0.1),
        (f"Effective {year - 4}-{year}", 0.11),
        (f"Lens {year}", 0.09),
        (f"Extremity {year}", 0.1),
        ("Status", 0.28),
    ]
    group_rows = [
        [g.name, g.by, str(len(g.rows)), mSv(g.highest_mSv), f"{number(g.collective_mSv)} person-mSv", str(g.alerts)]
        for by in ("category", "role")
        for g in staff_groups.groups(rows, by)
    ]
    group_columns = [
        ("Group", 0.3),
        ("By", 0.1),
        ("Workers", 0.1),
        ("Highest effective", 0.16),
        ("Collective effective", 0.2),
        ("Alerts", 0.14),
    ]
    invs = Investigation.objects.filter(year=year).select_related("worker", "opened_by", "closed_by")
    return [
        Section(f"Doses per worker, {year}", worker_columns, worker_rows, empty=f"No reading ends in {year}."),
        Section(f"Doses per group, {year}", group_columns, group_rows, empty=f"No reading ends in {year}."),
        limits_section(profile, "worker"),
        investigations_section(invs.order_by("pk"), f"Investigations {year}"),
        events_section(year),
        *other_parts_sections(timezone.localdate()),
    ]


def other_parts_sections(today: dt.date) -> list[Section]:
    """The state of the other parts on the day the report is printed: the survey schedule (workplace
    monitoring) and the sealed sources with their leak tests."""
    from nmguard.apps.protection.source_services import register
    from nmguard.apps.protection.survey_services import schedule

    surveys = [
        [
            r.location.name,
            r.location.get_survey_kind_display(),
            r.location.get_frequency_display(),
            f"{r.state.last_done:%Y-%m-%d}" if r.state.last_done else "never",
            f"{r.state.due:%Y-%m-%d}",
            r.state.state,
        ]
        for r in schedule(today)
    ]
    sources = [
        [
            str(r.source),
            r.source.get_status_display(),
            f"{timezone.localtime(r.latest.wiped_at):%Y-%m-%d}" if r.latest else "none",
            r.leak.state + (f", due {r.leak.due:%Y-%m-%d}" if r.leak.due else ""),
            r.leak.reason or "–",
        ]
        for r in register(today)
    ]
    day = f"{today:%Y-%m-%d}"
    return [
        Section(
            f"Workplace monitoring: survey schedule on {day}",
            [("Location", 0.28), ("Survey", 0.18), ("Frequency", 0.12), ("Last", 0.14), ("Due", 0.14), ("State", 0.14)],
            surveys,
            empty="No survey location.",
        ),
        Section(
            f"Sealed sources: leak tests on {day}",
            [("Source", 0.28), ("Status", 0.14), ("Last leak test", 0.14), ("Leak test", 0.18), ("Why", 0.26)],
            sources,
            empty="No sealed source.",
        ),
    ]


def events_section(year: int) -> Section:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
    events = ProtectionEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end).select_related("closed_by")
    rows = [
        [
            f"{timezone.localtime(e.occurred_at):%Y-%m-%d %H:%M}",
            e.get_kind_display(),
            e.location,
            mSv(e.estimated_dose_mSv) if e.estimated_dose_mSv is not None else "not estimated",
            e.actions or "–",
            "open" if e.status == "open" else f"closed {timezone.localtime(e.closed_at):%Y-%m-%d} by {e.closed_by}",
        ]
        for e in events.order_by("occurred_at", "pk")
    ]
    columns = [
        ("When", 0.14),
        ("Kind", 0.16),
        ("Where", 0.14),
        ("Estimated dose", 0.12),
        ("Actions", 0.26),
        ("Status", 0.18),
    ]
    return Section(f"Protection events, {year}", columns, rows, empty="No protection event.")
