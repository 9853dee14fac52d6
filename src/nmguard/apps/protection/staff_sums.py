"""The department's staff doses against its profile: the stored readings fed to the pure rules.

Every page, the CLI report and the dashboard alert read sums through here, so they agree; the rules
themselves (which reading feeds which quantity, the five-year window, the levels) are
:mod:`nmguard.protection.dose_sums`. The readings of a year's evaluation are read in one query whatever the
number of workers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nmguard.apps.protection.models import DoseReading, PregnancyDeclaration, Worker
from nmguard.errors import InputError
from nmguard.input_bounds import EARLIEST_DATE, LATEST_DATE
from nmguard.protection import dose_sums, pregnancy
from nmguard.protection import readings as pure

PROFILES = ("iaea", "euratom", "nrc")
WINDOW_YEARS = 5  # the longest averaging period of any profile (dose_sums.window_sum)
_FIELDS = ("worker__worker_id", "dosimeter", "period_start", "period_end", "hp10_mSv", "hp007_mSv", "hp3_mSv")


def department_profile() -> str:
    """The department's jurisdiction profile id (the one mapping, kept with the administrations' rules)."""
    from nmguard.apps.patients.services import jurisdiction_profile_id

    return jurisdiction_profile_id()


def check_profile(profile: str | None) -> str:
    """``profile`` checked, or the department's when None."""
    if profile is None or profile == "":
        return department_profile()
    if profile not in PROFILES:
        raise InputError(f"profile: {str(profile)[:40]!r} is not one of {', '.join(PROFILES)}", "profile")
    return profile


def check_year(year: int) -> int:
    if not EARLIEST_DATE.year + WINDOW_YEARS <= year <= LATEST_DATE.year:
        raise InputError(f"year: {year} is outside {EARLIEST_DATE.year + WINDOW_YEARS}..{LATEST_DATE.year}", "year")
    return year


def readings_for_window(year: int, worker_ids: set[str] | None = None) -> list[pure.DoseReading]:
    """The current readings counting in the five calendar years ending with ``year`` (one query)."""
    qs = DoseReading.objects.filter(
        superseded_by__isnull=True,
        period_end__gte=dt.date(year - WINDOW_YEARS + 1, 1, 1),
        period_end__lte=dt.date(year, 12, 31),
    )
    if worker_ids is not None:
        qs = qs.filter(worker__worker_id__in=worker_ids)
    return [pure.DoseReading(w, "", d, s, e, a, b, c) for w, d, s, e, a, b, c in qs.order_by().values_list(*_FIELDS)]


@dataclass(frozen=True)
class StaffRow:
    worker: Worker
    evaluation: dose_sums.WorkerEvaluation

    @property
    def row(self) -> dict[str, object]:
        return self.evaluation.report_row()


def evaluate_year(year: int, profile: str | None = None, worker_ids: set[str] | None = None) -> list[StaffRow]:
    """Each worker with a reading in the window, evaluated for ``year`` (two queries: workers, readings)."""
    year, profile = check_year(year), check_profile(profile)
    readings = readings_for_window(year, worker_ids)
    wanted = {r.worker_id for r in readings}
    workers = {w.worker_id: w for w in Worker.objects.filter(worker_id__in=wanted)}
    categories = {wid: w.category for wid, w in workers.items()}
    return [
        StaffRow(workers[e.worker_id], e)
        for e in dose_sums.evaluate_workers(readings, year, profile, categories)
        if e.worker_id in workers
    ]


def history(worker: Worker, profile: str | None = None) -> list[dose_sums.WorkerEvaluation]:
    """The worker's evaluation for every year in which one of their current readings ends, oldest first."""
    profile = check_profile(profile)
    readings = [r.as_pure(worker.worker_id) for r in worker.readings.filter(superseded_by__isnull=True)]
    years = sorted({r.year for r in readings})
    return [dose_sums.evaluate_workers(readings, y, profile, {worker.worker_id: worker.category})[0] for y in years]


def embryo_fetus(declaration: PregnancyDeclaration, profile: str | None = None) -> pregnancy.EmbryoFetusDose:
    """The embryo/fetus dose since the declaration (readings starting after the pregnancy ended left out)."""
    worker = declaration.worker
    qs = worker.readings.filter(superseded_by__isnull=True, dosimeter="whole_body")
    if declaration.ended_on is not None:
        qs = qs.filter(period_start__lte=declaration.ended_on)
    readings = [r.as_pure(worker.worker_id) for r in qs]
    return pregnancy.embryo_fetus_dose(
        readings, worker.worker_id, declaration.declared_on, check_profile(profile), declaration.pregnancy_start
    )


def effective_lines(
    profile: str, category: str = "worker", year: int = 2000, quantity: str = "effective"
) -> list[tuple[float, str, str, str]]:
    """The plot lines for a quantity's annual dose (the effective dose unless ``quantity`` says another):
    the single-year limit (a multi-year sum as its yearly average) and the investigation level."""
    limits = dose_sums.limits_of(profile)
    levels = dose_sums.evaluate_quantity({}, quantity, year, limits, category)
    limit = limits.limit(category, quantity)
    lines: list[tuple[float, str, str, str]] = []
    if limit is not None:
        for applied in limit.applicable():
            if applied.years == 1:
                lines.append((applied.limit.value, f"limit {applied.limit.value:g} mSv in a year", "#b3261e", ""))
            else:  # a five-year sum drawn as its yearly average, the line a year's bar is read against
                average = applied.limit.value / applied.years
                label = f"{applied.limit.value:g} mSv in {applied.years} y = {average:g}/y"
                lines.append((average, label, "#b3261e", "2 2"))
    if levels.investigation_level_mSv is not None:
        lines.append(
            (levels.investigation_level_mSv, f"investigation {levels.investigation_level_mSv:g} mSv", "#b26a00", "5 3")
        )
    return lines
