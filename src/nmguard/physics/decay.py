"""Radioactive decay between instants, cumulated activity and activity concentration."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from nmguard.errors import InputError

LN2 = math.log(2.0)


def _check_half_life(half_life_s: float) -> None:
    if not (half_life_s > 0 and math.isfinite(half_life_s)):
        raise InputError(f"half-life must be a positive number of seconds, got {half_life_s!r}", "half_life")


def elapsed_seconds(start: dt.datetime, end: dt.datetime) -> float:
    """Seconds from ``start`` to ``end`` (negative when ``end`` is earlier). Both must be aware."""
    for name, value in (("from", start), ("to", end)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InputError(f"time '{name}' must carry a UTC offset", name)
    return (end - start).total_seconds()


def decay_factor(half_life_s: float, elapsed_s: float) -> float:
    """A(t)/A(0) = exp(−ln2·t/T½); above 1 for negative ``elapsed_s`` (decay backwards)."""
    _check_half_life(half_life_s)
    return math.exp(-LN2 * elapsed_s / half_life_s)


@dataclass(frozen=True)
class DecayResult:
    activity_Bq: float
    decay_factor: float
    elapsed_s: float


def decay_activity(activity_Bq: float, half_life_s: float, start: dt.datetime, end: dt.datetime) -> DecayResult:
    """The activity at ``end`` of a source that held ``activity_Bq`` at ``start``."""
    if activity_Bq < 0 or not math.isfinite(activity_Bq):
        raise InputError("activity cannot be negative", "activity")
    elapsed = elapsed_seconds(start, end)
    factor = decay_factor(half_life_s, elapsed)
    return DecayResult(activity_Bq=activity_Bq * factor, decay_factor=factor, elapsed_s=elapsed)


def cumulated_activity(activity_Bq: float, half_life_s: float, duration_s: float | None = None) -> float:
    """Number of decays (Bq·s) from a source decaying physically only, over ``duration_s`` or to infinity.

    ∫₀ᵗ A₀ e^(−λτ) dτ = A₀ (1 − e^(−λt)) / λ.
    """
    _check_half_life(half_life_s)
    if activity_Bq < 0:
        raise InputError("activity cannot be negative", "activity")
    lam = LN2 / half_life_s
    if duration_s is None:
        return activity_Bq / lam
    if duration_s < 0:
        raise InputError("duration cannot be negative", "duration")
    return activity_Bq * -math.expm1(-lam * duration_s) / lam


def activity_concentration(activity_Bq: float, volume_mL: float) -> float:
    """Bq per mL."""
    if volume_mL <= 0 or not math.isfinite(volume_mL):
        raise InputError("volume must be positive", "volume")
    if activity_Bq < 0:
        raise InputError("activity cannot be negative", "activity")
    return activity_Bq / volume_mL
