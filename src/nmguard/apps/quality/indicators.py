"""Quality indicators per calendar month, computed from NMGuard's own records (issue 16 item 8).

Each indicator is a :class:`Series` with its definition in words, so that the page, the PDF and the API show
the same numbers under the same definition. Months are the department's local calendar months
(``timezone.localdate``); the current month runs to today. Nothing here is stored: a review is recomputed
from the records, so a correction of a record corrects the indicator.
"""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils import timezone

from nmguard.rules.qc_schedule import CALENDAR_FREQUENCIES, due_state

DEFAULT_MONTHS = 12
MAX_MONTHS = 24


@dataclass(frozen=True)
class Series:
    """One indicator: a value per period label (None: nothing to measure that period)."""

    key: str
    title: str
    unit: str
    definition: str
    labels: list[str]
    values: list[float | None]
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "unit": self.unit,
            "definition": self.definition,
            "points": [{"period": p, "value": v} for p, v in zip(self.labels, self.values, strict=True)],
            **({"extra": self.extra} if self.extra else {}),
        }


def month_ends(today: dt.date, months: int = DEFAULT_MONTHS) -> list[tuple[str, dt.date, dt.date]]:
    """(label "YYYY-MM", first day, last day counted) for the ``months`` months ending with today's month; the
    current month's last day counted is today."""
    out = []
    year, month = today.year, today.month
    for _ in range(months):
        first = dt.date(year, month, 1)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        out.append((f"{year:04d}-{month:02d}", first, min(nxt - dt.timedelta(days=1), today)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def _local(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else timezone.localdate(moment)


# ---------------------------------------------------------------- QC
QC_DEFINITION = (
    "Share of the active calendar QC schedules (daily to annual; tests due after a repair or at acceptance "
    "excluded) that were not overdue on the month's last day (today for this month): the latest result on or "
    "before that day, its frequency and the test's grace window decide, as on the day's QC list."
)


def qc_state_at_month_ends(periods) -> tuple[list[int], list[int]]:
    """(schedules in date, schedules counted) at each period's last day."""
    from nmguard.apps.equipment.models import QCResult, QCSchedule

    schedules = list(QCSchedule.objects.filter(active=True, test__active=True).select_related("test"))
    done: dict[int, list[dt.date]] = defaultdict(list)
    for sid, at in (
        QCResult.objects.filter(schedule__in=schedules)
        .order_by("performed_at")
        .values_list("schedule_id", "performed_at")
    ):
        done[sid].append(timezone.localdate(at))
    in_date, counted = [], []
    for _, _, last in periods:
        ok = n = 0
        for s in schedules:
            freq = s.effective_frequency
            created = timezone.localdate(s.created_at)
            if freq not in CALENDAR_FREQUENCIES or created > last:
                continue
            days = done.get(s.pk, [])
            i = bisect.bisect_right(days, last)
            state = due_state(days[i - 1] if i else None, freq, last, s.test.window_days, first_due=created)
            n += 1
            ok += not state.overdue
        in_date.append(ok)
        counted.append(n)
    return in_date, counted


# ---------------------------------------------------------------- CAPA
CAPA_OVERDUE_DEFINITION = (
    "Corrective/preventive actions raised on or before the month's last day, due before it, and not closed or "
    "cancelled by it (closed: the day of the closing signature; cancelled: the day of the record's last change)."
)
CAPA_TURNAROUND_DEFINITION = (
    "Median days from an action's raising to its closing e-signature (department's local dates), per calendar "
    "quarter of closure."
)


def _capa_rows() -> list[tuple]:
    """(raised, due, ended or None) per action; ``ended`` is when it stopped being open."""
    from nmguard.apps.quality.capa_models import CorrectiveAction

    rows = []
    for a in CorrectiveAction.objects.select_related("closure"):
        ended = None
        if a.status == CorrectiveAction.Status.CLOSED and a.closure is not None:
            ended = _local(a.closure.signed_at)
        elif a.status == CorrectiveAction.Status.CANCELLED:
            ended = _local(a.updated_at)
        rows.append((_local(a.created_at), a.due_on, ended))
    return rows


def capa_overdue_counts(periods) -> list[int]:
    rows = _capa_rows()
    return [
        sum(1 for raised, due, ended in rows if raised <= last and due < last and (ended is None or ended > last))
        for _, _, last in periods
    ]


def quarter(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def capa_turnaround(periods) -> tuple[list[str], list[float | None], list[int]]:
    """Quarter labels covering the periods, median closure days and number closed per quarter."""
    from nmguard.apps.quality.capa_models import CorrectiveAction

    labels: list[str] = []
    for _, first, _ in periods:
        if quarter(first) not in labels:
            labels.append(quarter(first))
    days: dict[str, list[int]] = defaultdict(list)
    closed = CorrectiveAction.objects.filter(status=CorrectiveAction.Status.CLOSED, closure__isnull=False)
    for created, signed in closed.values_list("created_at", "closure__signed_at"):
        end = timezone.localdate(signed)
        days[quarter(end)].append((end - timezone.localdate(created)).days)
    return labels, [statistics.median(days[q]) if days[q] else None for q in labels], [len(days[q]) for q in labels]


# ---------------------------------------------------------------- staff dose and DRL
STAFF_DEFINITION = (
    "Sum of Hp(10) (mSv) of the current (not superseded) whole-body dosimeter readings whose wear period ends "
    "in the month, over all workers; the number of readings is shown beside it."
)
DRL_DEFINITION = (
    "Diagnostic protocols with a DRL and at least one adult administration in the month: the share whose "
    "median administered activity was at or below the DRL (rules.drl, as on the DRL page; children are "
    "audited per weight band on that page, not here)."
)


def staff_dose_by_month(periods) -> tuple[list[float | None], list[int]]:
    from nmguard.apps.protection.models import DoseReading

    sums, counts = [], []
    for _, first, last in periods:
        qs = DoseReading.objects.filter(
            superseded_by__isnull=True,
            dosimeter="whole_body",
            hp10_mSv__isnull=False,
            period_end__gte=first,
            period_end__lte=last,
        )
        n = qs.count()
        counts.append(n)
        sums.append(float(qs.aggregate(s=Sum("hp10_mSv"))["s"]) if n else None)
    return sums, counts


def drl_compliance(periods) -> tuple[list[float | None], list[int]]:
    from nmguard.apps.patients.drl import adults_and_children, period_rows
    from nmguard.apps.patients.models import Protocol
    from nmguard.rules.drl import drl_audit

    protocols = {
        p.pk: p.drl_MBq
        for p in Protocol.objects.filter(active=True, radiopharmaceutical__is_therapy=False, drl_MBq__gt=0)
    }
    shares, audited = [], []
    for _, first, last in periods:
        since = timezone.make_aware(dt.datetime.combine(first, dt.time()))
        until = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
        rows = period_rows(list(protocols), since).filter(administered_at__lt=until)
        adults, _ = adults_and_children(rows, since)
        results = [drl_audit(v / 1e6, drl_MBq=protocols[p]).overall.above_drl for p, v in adults.items()]
        audited.append(len(results))
        shares.append(100.0 * sum(not r for r in results) / len(results) if results else None)
    return shares, audited


# ---------------------------------------------------------------- incidents
INCIDENT_DEFINITION = (
    "Incidents and near misses reported in NMGuard, by the local month in which they occurred; split by process "
    "stage and by near miss / reached someone (the incident taxonomy's codes)."
)


def incidents_by_month(periods) -> tuple[list[float], dict[str, dict[str, list[int]]]]:
    """Total per month and the counts per stage and per kind (near miss or incident) per month."""
    from nmguard.apps.quality.incident_models import Incident

    first, last = periods[0][1], periods[-1][2]
    index = {label: i for i, (label, _, _) in enumerate(periods)}
    total = [0.0] * len(periods)
    split: dict[str, dict[str, list[int]]] = {"stage": {}, "kind": {}}
    since = timezone.make_aware(dt.datetime.combine(first - dt.timedelta(days=1), dt.time()))
    until = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=2), dt.time()))
    rows = Incident.objects.filter(occurred_at__gte=since, occurred_at__lt=until)
    for at, stage, near in rows.values_list("occurred_at", "stage", "near_miss"):
        day = timezone.localdate(at)
        i = index.get(f"{day.year:04d}-{day.month:02d}")
        if i is None or day < first or day > last:
            continue
        total[i] += 1
        for group, key in (("stage", stage), ("kind", "near miss" if near else "incident")):
            split[group].setdefault(key, [0] * len(periods))[i] += 1
    return total, split


# ---------------------------------------------------------------- together
def indicators(today: dt.date | None = None, months: int = DEFAULT_MONTHS) -> list[Series]:
    """Every indicator over the ``months`` months ending with today's month (local dates)."""
    today = today or timezone.localdate()
    periods = month_ends(today, months)
    labels = [p[0] for p in periods]
    ok, counted = qc_state_at_month_ends(periods)
    qc_share = [100.0 * o / n if n else None for o, n in zip(ok, counted, strict=True)]
    q_labels, q_median, q_n = capa_turnaround(periods)
    dose, readings = staff_dose_by_month(periods)
    drl, audited = drl_compliance(periods)
    incidents, split = incidents_by_month(periods)
    return [
        Series("qc_compliance", "QC compliance", "%", QC_DEFINITION, labels, qc_share, {"schedules": counted}),
        Series(
            "qc_overdue",
            "QC schedules overdue at month end",
            "schedules",
            QC_DEFINITION.replace("Share of", "Number of").replace("not overdue", "overdue"),
            labels,
            [float(n - o) for o, n in zip(ok, counted, strict=True)],
        ),
        Series(
            "capa_overdue",
            "Actions overdue at month end",
            "actions",
            CAPA_OVERDUE_DEFINITION,
            labels,
            [float(n) for n in capa_overdue_counts(periods)],
        ),
        Series(
            "capa_turnaround",
            "CAPA turnaround (median)",
            "days",
            CAPA_TURNAROUND_DEFINITION,
            q_labels,
            q_median,
            {"closed": q_n},
        ),
        Series("incidents", "Incidents and near misses", "reports", INCIDENT_DEFINITION, labels, incidents, split),
        Series("drl_compliance", "DRL compliance", "%", DRL_DEFINITION, labels, drl, {"protocols": audited}),
        Series("staff_dose", "Staff dose, Hp(10) sum", "mSv", STAFF_DEFINITION, labels, dose, {"readings": readings}),
    ]
