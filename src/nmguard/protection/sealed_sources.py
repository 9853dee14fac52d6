"""Sealed sources: decay to a date, exemption from leak testing, leak-test and inventory due dates, and the
pass/fail of a wipe against the profile's limit.

The numbers (limit, intervals, exemption thresholds) come from :mod:`nmguard.reference.sealed_sources`; the
decay from :mod:`nmguard.physics.decay` with the half-life of :mod:`nmguard.reference.nuclides`. A wipe whose
counter cannot detect the limit (MDA above it) is refused: 10 CFR 35.67(c) asks that the measurement detect
185 Bq, so such a test proves nothing either way.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from nmguard.errors import InputError
from nmguard.physics.decay import decay_activity
from nmguard.reference.nuclides import get_nuclide
from nmguard.reference.sealed_sources import SealedSourceRules
from nmguard.rules.qc_schedule import _add_months as add_months  # one calendar-month arithmetic for the project

EMISSIONS = ("beta_gamma", "alpha")
DUE_STATES = ("ok", "due", "overdue", "exempt", "not_in_use")


def _cite(value) -> str:
    return f"{value.source.id}, {value.status.value}"


@dataclass(frozen=True)
class SourceFacts:
    """What the rules need of a source; invalid facts cannot be built."""

    nuclide: str
    activity_Bq: float
    reference_at: dt.datetime
    emission: str = "beta_gamma"
    gaseous: bool = False
    in_use: bool = True  # False: stored and not being used

    def __post_init__(self) -> None:
        get_nuclide(self.nuclide)  # an unknown nuclide is an InputError there
        if not (math.isfinite(self.activity_Bq) and self.activity_Bq > 0):
            raise InputError("activity must be a positive number of Bq", "activity")
        if self.reference_at.tzinfo is None or self.reference_at.utcoffset() is None:
            raise InputError("the reference date must carry a UTC offset", "reference_at")
        if self.emission not in EMISSIONS:
            raise InputError(f"emission must be one of {', '.join(EMISSIONS)}", "emission")


def activity_on(nuclide: str, activity_Bq: float, reference_at: dt.datetime, at: dt.datetime) -> float:
    """The source's activity at ``at`` (Bq), decayed from its certified activity with the nuclide's half-life."""
    return decay_activity(activity_Bq, get_nuclide(nuclide).half_life_s, reference_at, at).activity_Bq


def exemption(facts: SourceFacts, rules: SealedSourceRules, at: dt.datetime) -> str | None:
    """Why the source needs no leak test at ``at`` (the rule and its source), or None when it needs one."""
    half_life_d = get_nuclide(facts.nuclide).half_life_s / 86400.0
    if half_life_d < rules.exempt_half_life_below.value:
        below = rules.exempt_half_life_below
        return f"half-life {half_life_d:.3g} d is less than {below.value:g} d ({_cite(below)})"
    if facts.gaseous and rules.exempt_gaseous.value:
        return f"gaseous material ({_cite(rules.exempt_gaseous)})"
    activity = activity_on(facts.nuclide, facts.activity_Bq, facts.reference_at, at)
    threshold = rules.exempt_alpha_max if facts.emission == "alpha" else rules.exempt_beta_gamma_max
    if activity <= threshold.value:
        kind = "alpha" if facts.emission == "alpha" else "beta/gamma"
        return f"{kind} source of {activity / 1e6:.3g} MBq, at most {threshold.value / 1e6:g} MBq ({_cite(threshold)})"
    if not facts.in_use and rules.exempt_stored.value:
        return f"stored and not in use: test it before it is used again ({_cite(rules.exempt_stored)})"
    return None


@dataclass(frozen=True)
class Due:
    """Whether a periodic check is due on a day: ``state`` is one of :data:`DUE_STATES`."""

    state: str
    due: dt.date | None
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {"state": self.state, "due": self.due.isoformat() if self.due else None, "reason": self.reason}


def periodic_due(last: dt.date | None, months: int, first_due: dt.date, today: dt.date, soon_days: int) -> Due:
    """A check required at intervals not exceeding ``months``: due ``months`` after the last one (on
    ``first_due`` when never done), listed as due ``soon_days`` before, overdue the day after."""
    due = first_due if last is None else add_months(last, months)
    if today > due:
        return Due("overdue", due, f"overdue since {due:%Y-%m-%d} ({(today - due).days} d)")
    if (due - today).days <= soon_days:
        return Due("due", due, f"due by {due:%Y-%m-%d}")
    return Due("ok", due, f"next by {due:%Y-%m-%d}")


def leak_test_due(
    facts: SourceFacts,
    rules: SealedSourceRules,
    last_test: dt.date | None,
    first_due: dt.date,
    today: dt.date,
    at: dt.datetime,
) -> Due:
    """The source's leak-test state on ``today`` (``at``: the instant the exemption's activity is judged at)."""
    if (why := exemption(facts, rules, at)) is not None:
        return Due("exempt", None, f"exempt: {why}")
    due = periodic_due(last_test, rules.leak_interval_months, first_due, today, rules.due_soon_days)
    never = " (never tested: before first use)" if last_test is None else ""
    return Due(due.state, due.due, f"leak test {due.reason}{never} ({_cite(rules.leak_interval)})")


def inventory_due(last: dt.date | None, rules: SealedSourceRules, first_due: dt.date, today: dt.date) -> Due:
    """The physical inventory's state on ``today``."""
    due = periodic_due(last, rules.inventory_interval_months, first_due, today, rules.due_soon_days)
    return Due(due.state, due.due, f"inventory {due.reason} ({_cite(rules.inventory_interval)})")


def activity_from_counts(gross_cpm: float, background_cpm: float, efficiency: float) -> float:
    """Removable activity (Bq) of a wipe counted as gross and background counts per minute with the counter's
    efficiency (counts per decay for the nuclide): (gross − background) / 60 / efficiency, never below zero."""
    for field, value in (("gross_cpm", gross_cpm), ("background_cpm", background_cpm)):
        if not (math.isfinite(value) and value >= 0):
            raise InputError(f"{field.replace('_', ' ')} cannot be negative", field)
    if not (math.isfinite(efficiency) and 0 < efficiency <= 1):
        raise InputError("efficiency must be in (0, 1] counts per decay", "efficiency")
    return max(gross_cpm - background_cpm, 0.0) / 60.0 / efficiency


@dataclass(frozen=True)
class WipeResult:
    removable_Bq: float
    mda_Bq: float
    limit_Bq: float
    passed: bool
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {
            "removable_Bq": self.removable_Bq,
            "mda_Bq": self.mda_Bq,
            "limit_Bq": self.limit_Bq,
            "passed": self.passed,
            "reason": self.reason,
        }


def judge_wipe(removable_Bq: float, mda_Bq: float, rules: SealedSourceRules) -> WipeResult:
    """Pass when the removable activity is below the limit; the limit reached or passed fails (35.67(e):
    '185 Bq ... or more'). A counter whose MDA is above the limit cannot show a pass: refused."""
    if not (math.isfinite(removable_Bq) and removable_Bq >= 0):
        raise InputError("removable activity cannot be negative", "removable_Bq")
    if not (math.isfinite(mda_Bq) and mda_Bq > 0):
        raise InputError("the MDA must be a positive number of Bq", "mda_Bq")
    limit = rules.leak_limit_Bq
    if mda_Bq > limit:
        raise InputError(
            f"the counter's MDA {mda_Bq:g} Bq is above the leak-test limit {limit:g} Bq ({_cite(rules.leak_limit)}): "
            "the measurement cannot detect a leak; count longer or use a more sensitive counter",
            "mda_Bq",
        )
    if removable_Bq >= limit:
        return WipeResult(
            removable_Bq,
            mda_Bq,
            limit,
            False,
            f"{removable_Bq:g} Bq removable is at or above the limit {limit:g} Bq ({_cite(rules.leak_limit)}): "
            "leaking, withdraw from use",
        )
    shown = f"below the MDA {mda_Bq:g} Bq" if removable_Bq < mda_Bq else f"{removable_Bq:g} Bq"
    return WipeResult(
        removable_Bq, mda_Bq, limit, True, f"{shown}, under the limit {limit:g} Bq ({_cite(rules.leak_limit)})"
    )
