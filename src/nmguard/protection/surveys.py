"""Workplace monitoring, the pure part: wipe counts to removable activity per area with the detection limit,
dose-rate readings against action levels, survey due dates and overdue state, instrument constancy.

Why here and not in the app: the same arithmetic serves the pages, the API and the demo, and a physicist can
check it in a notebook. The levels, the removal fraction and the Currie constants are reference data
(:mod:`nmguard.reference.workplace_monitoring`); callers pass them in. No Django.

Wipe test (indirect evaluation of removable contamination)::

    A_s [Bq/cm²] = (R_gross − R_bkg) [cpm] / (60 · ε · S [cm²] · f)

with ε the counter's efficiency for the nuclide (counts per decay), S the wiped area and f the wipe's removal
fraction (ISO 7503-1: 0.1 unless measured; NRC practice: 1). Detection limit (Currie 1968) in counts during the
sample's counting time t_s, B = R_bkg·t_s the expected background counts::

    L_D = 2.71 + 3.29 · sqrt(B · (1 + t_s / t_b))          (t_s = t_b: 2.71 + 4.65 · sqrt(B))
    MDA [Bq/cm²] = L_D / (t_s [s] · ε · S · f)

A result whose net activity is below the MDA is reported as "< MDA" and judged against the level by the MDA.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass

from nmguard.errors import InputError
from nmguard.input_bounds import check_quantity

FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3}
FREQUENCY_DAYS = {"daily": 1, "weekly": 7}


@dataclass(frozen=True)
class WipeResult:
    """A wipe's removable activity per area, its detection limit and the comparison with the action level."""

    gross_cpm: float
    background_cpm: float
    net_cpm: float
    activity_Bq_cm2: float  # may be negative when the net count is (kept as computed; shown as < MDA)
    mda_Bq_cm2: float
    below_mda: bool
    action_level_Bq_cm2: float
    above_action_level: bool

    @property
    def shown(self) -> str:
        """The result as a person reads it: "< MDA (x)" or the value, in Bq/cm²."""
        if self.below_mda:
            return f"< MDA ({self.mda_Bq_cm2:.3g} Bq/cm²)"
        return f"{self.activity_Bq_cm2:.3g} Bq/cm²"


@dataclass(frozen=True)
class ReadingResult:
    """A survey reading (µSv/h, or Bq/cm² from a direct probe) net of background, against the level."""

    gross: float
    background: float
    net: float
    action_level: float
    above_action_level: bool


@dataclass(frozen=True)
class ScheduleState:
    """Where a location stands on ``today``: the due date, and due (today or passed, within the grace days) or
    overdue (after the grace days)."""

    last_done: dt.date | None
    due: dt.date
    overdue_after: dt.date
    state: str  # "ok" | "due" | "overdue"


def _count(value: float, field: str) -> float:
    return check_quantity(value, field, "count", allow_zero=True)


def _time(value: float, field: str) -> float:
    return check_quantity(value, field, "duration")


def detection_limit_counts(
    background_counts: float, sample_time_s: float, background_time_s: float, constant: float, k_sqrt2: float
) -> float:
    """Currie's L_D in counts during the sample's counting time: ``constant + k_sqrt2·sqrt(B(1 + t_s/t_b))``
    with B the background counts expected in t_s (from ``background_counts`` counted in ``t_b``)."""
    t_s, t_b = _time(sample_time_s, "gross_time_s"), _time(background_time_s, "background_time_s")
    expected_b = _count(background_counts, "background_counts") * t_s / t_b
    return constant + k_sqrt2 * math.sqrt(expected_b * (1.0 + t_s / t_b))


def wipe_activity(
    *,
    gross_counts: float,
    gross_time_s: float,
    background_counts: float,
    background_time_s: float,
    efficiency: float,
    area_cm2: float,
    removal_fraction: float,
    action_level_Bq_cm2: float,
    currie_constant: float,
    currie_k_sqrt2: float,
) -> WipeResult:
    """Removable activity per area of one wipe (see the module's formula), its MDA and the judgement."""
    gross = _count(gross_counts, "gross_counts")
    bkg = _count(background_counts, "background_counts")
    t_s, t_b = _time(gross_time_s, "gross_time_s"), _time(background_time_s, "background_time_s")
    eff = check_quantity(efficiency, "efficiency", "factor")
    if eff > 1:
        raise InputError(f"efficiency: {eff:g} counts per decay is more than 1", "efficiency")
    area = check_quantity(area_cm2, "area_cm2", "factor", maximum=1e5)
    f = check_quantity(removal_fraction, "removal_fraction", "factor")
    if f > 1:
        raise InputError(f"removal_fraction: {f:g} is more than 1 (100 %)", "removal_fraction")
    gross_cpm, bkg_cpm = gross * 60.0 / t_s, bkg * 60.0 / t_b
    net_cpm = gross_cpm - bkg_cpm
    per_cpm = 1.0 / (60.0 * eff * area * f)
    activity = net_cpm * per_cpm
    mda = detection_limit_counts(bkg, t_s, t_b, currie_constant, currie_k_sqrt2) / (t_s * eff * area * f)
    below = activity < mda
    level = check_quantity(action_level_Bq_cm2, "action_level", "surface")
    return WipeResult(
        gross_cpm=gross_cpm,
        background_cpm=bkg_cpm,
        net_cpm=net_cpm,
        activity_Bq_cm2=activity,
        mda_Bq_cm2=mda,
        below_mda=below,
        action_level_Bq_cm2=level,
        above_action_level=(not below) and activity > level,
    )


def survey_reading(
    gross: float, background: float | None, action_level: float, kind: str = "dose_rate"
) -> ReadingResult:
    """A survey instrument's highest reading against the level (``kind`` "dose_rate" in µSv/h or "surface" in
    Bq/cm² for a direct contamination probe), net of the background where the instrument reads one; a net
    below zero counts as zero (the place reads background)."""
    g = check_quantity(gross, "reading", kind, allow_zero=True)
    b = 0.0 if background is None else check_quantity(background, "background", kind, allow_zero=True)
    level = check_quantity(action_level, "action_level", kind)
    net = max(g - b, 0.0)
    return ReadingResult(g, b, net, level, net > level)


def add_frequency(day: dt.date, frequency: str) -> dt.date:
    """The next due date after a survey done on ``day``: +1 d, +7 d, or the same day of the month 1 or 3
    months on (the month's last day when it has fewer days, e.g. 31 Jan -> 28/29 Feb)."""
    if frequency in FREQUENCY_DAYS:
        return day + dt.timedelta(days=FREQUENCY_DAYS[frequency])
    if frequency not in FREQUENCY_MONTHS:
        raise InputError(
            f"frequency: {str(frequency)[:40]!r} is not one of daily, weekly, monthly, quarterly", "frequency"
        )
    month_index = day.month - 1 + FREQUENCY_MONTHS[frequency]
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule_state(
    last_done: dt.date | None, frequency: str, today: dt.date, grace_days: int, first_due: dt.date
) -> ScheduleState:
    """Due date from the last survey (or ``first_due`` when none yet) and the state on ``today``: "due" from
    the due date, "overdue" after the grace days."""
    due = add_frequency(last_done, frequency) if last_done is not None else first_due
    if grace_days < 0:
        raise InputError("grace_days: cannot be negative", "grace_days")
    overdue_after = due + dt.timedelta(days=grace_days)
    state = "overdue" if today > overdue_after else "due" if today >= due else "ok"
    return ScheduleState(last_done, due, overdue_after, state)


def constancy_passes(reading: float, reference: float, tolerance: float) -> bool:
    """A check-source reading within ``tolerance`` (a fraction) of its reference value."""
    r = check_quantity(reading, "reading", "count", allow_zero=True)
    ref = check_quantity(reference, "reference", "count")
    return abs(r - ref) <= tolerance * ref
