"""Drift on a QC trend: a warning while results still pass but move toward the action level.

A band check judges each result alone, so a flood that drifts from 1.2 % to 2.9 % in ten days passes
every day until the day it fails. Two published rules look at the series instead (parameters, sources
and statuses in :mod:`nmguard.reference.qc_drift_rules`):

- **run** (Nelson's test 3): the latest *n* results each higher (or each lower) than the one before;
- **slope** (NIST/SEMATECH e-Handbook 7.1.7): a least-squares line through the latest results whose slope
  differs significantly from zero, and which reaches the action level (else the tolerance limit)
  within the horizon.

Both warn only toward a band limit (a falling integral uniformity is no concern), only on results since
the latest action-level result (a repair starts a new baseline), and not when the latest result is itself
at action level (the device is out of use already). Pure: no Django import.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nmguard.errors import InputError
from nmguard.physics.display import format_sig
from nmguard.reference.qc_drift_rules import DriftRules, drift_rules
from nmguard.reference.qc_tests import Band

RISING, FALLING = "rising", "falling"


@dataclass(frozen=True)
class TrendPoint:
    """One result of a series: when (aware), the compared value (in the band's unit), its outcome."""

    at: dt.datetime
    value: float
    outcome: str = "ok"

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise InputError("a trend point's time must carry a UTC offset", "at")
        if not math.isfinite(float(self.value)):
            raise InputError("a trend point's value must be a finite number", "value")


@dataclass(frozen=True)
class DriftWarning:
    rule: str  # "run" | "slope"
    direction: str  # "rising" | "falling"
    message: str
    limit: float  # the band limit the series heads for
    limit_role: str  # "action" | "tolerance"
    source: str
    status: str
    points: int  # results the rule looked at
    slope_per_day: float | None = None
    p_value: float | None = None
    days_to_limit: float | None = None
    reaches_limit_at: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["reaches_limit_at"] = self.reaches_limit_at.isoformat() if self.reaches_limit_at else None
        return out


@dataclass(frozen=True)
class DriftCheck:
    """What the drift rules said about a series, with the parameters that decided."""

    warnings: tuple[DriftWarning, ...]
    points_considered: int
    parameters: dict[str, Any] = field(default_factory=dict)
    note: str | None = None

    @property
    def drifting(self) -> bool:
        return bool(self.warnings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "warnings": [w.to_dict() for w in self.warnings],
            "points_considered": self.points_considered,
            "parameters": self.parameters,
            "note": self.note,
        }


def _limit(direction: str, tolerance: Band | None, action: Band | None) -> tuple[float, str] | None:
    """The limit a series moving in ``direction`` reaches first that matters: the action level, else tolerance."""
    for role, band in (("action", action), ("tolerance", tolerance)):
        if band is None:
            continue
        limit = band.high if direction == RISING else band.low
        if limit is not None:
            return float(limit), role
    return None


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {format_sig(p, 2)}"


def _run_warning(points: Sequence[TrendPoint], tolerance, action, unit: str, rules: DriftRules) -> DriftWarning | None:
    n = int(rules.run_length.value)
    if len(points) < n:
        return None
    tail = [p.value for p in points[-n:]]
    steps = [b - a for a, b in zip(tail, tail[1:], strict=False)]
    if all(s > 0 for s in steps):
        direction = RISING
    elif all(s < 0 for s in steps):
        direction = FALLING
    else:
        return None
    target = _limit(direction, tolerance, action)
    if target is None:
        return None
    limit, role = target
    u = _unit(unit)
    return DriftWarning(
        rule="run",
        direction=direction,
        message=(
            f"{n} results in a row {direction} ({format_sig(tail[0])}{u} → {format_sig(tail[-1])}{u}) toward the "
            f"{role} level {format_sig(limit)}{u}: {rules.run.name}"
        ),
        limit=limit,
        limit_role=role,
        source=rules.run.source.id,
        status=rules.run.status.value,
        points=n,
    )


def _slope_warning(
    points: Sequence[TrendPoint], tolerance, action, unit: str, rules: DriftRules
) -> DriftWarning | None:
    from scipy import stats

    window = points[-int(rules.window.value) :]
    if len(window) < int(rules.min_points.value):
        return None
    t0 = window[0].at
    x = [(p.at - t0).total_seconds() / 86400.0 for p in window]
    y = [float(p.value) for p in window]
    if max(x) - min(x) <= 0 or max(y) == min(y):
        return None
    fit = stats.linregress(x, y)
    if not math.isfinite(fit.pvalue) or fit.pvalue >= rules.alpha.value or fit.slope == 0:
        return None
    direction = RISING if fit.slope > 0 else FALLING
    target = _limit(direction, tolerance, action)
    if target is None:
        return None
    limit, role = target
    fitted_now = fit.intercept + fit.slope * x[-1]
    days = max((limit - fitted_now) / fit.slope, 0.0)
    if days > rules.horizon.value:
        return None
    u = _unit(unit)
    sign = "+" if fit.slope > 0 else "−"
    when = "is reached already" if days == 0 else f"is reached in about {format_sig(days, 2)} d"
    return DriftWarning(
        rule="slope",
        direction=direction,
        message=(
            f"{direction.capitalize()} trend {sign}{format_sig(abs(fit.slope), 2)}{u}/d over the last {len(window)} "
            f"results ({_p(fit.pvalue)}): at this rate the {role} level {format_sig(limit)}{u} {when}"
        ),
        limit=limit,
        limit_role=role,
        source=rules.slope.source.id,
        status=rules.slope.status.value,
        points=len(window),
        slope_per_day=float(fit.slope),
        p_value=float(fit.pvalue),
        days_to_limit=days,
        reaches_limit_at=window[-1].at + dt.timedelta(days=days),
    )


def check_drift(
    points: Sequence[TrendPoint],
    *,
    tolerance: Band | None,
    action: Band | None,
    unit: str = "",
    rules: DriftRules | None = None,
) -> DriftCheck:
    """Apply the run and slope rules to a test's results on one device (any order; sorted by time here)."""
    rules = rules or drift_rules()
    parameters = rules.to_dict()
    series = sorted(points, key=lambda p: p.at)
    last_action = max((i for i, p in enumerate(series) if p.outcome == "action"), default=None)
    if last_action is not None and last_action == len(series) - 1:
        return DriftCheck((), 0, parameters, "the latest result is at action level: no drift warning")
    if last_action is not None:
        series = series[last_action + 1 :]
    found = [
        w
        for w in (
            _run_warning(series, tolerance, action, unit, rules),
            _slope_warning(series, tolerance, action, unit, rules),
        )
        if w is not None
    ]
    return DriftCheck(tuple(found), len(series), parameters)
