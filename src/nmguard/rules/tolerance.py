"""Administered vs prescribed activity: deviation and tolerance under a jurisdiction profile.

NRC (10 CFR 35.63(d)): a dosage differing from the prescription by MORE than 20 % (or outside the
prescribed range) may not be used, so exactly 20 % is within tolerance. Other profiles use their
configured percent the same way (|deviation| <= tolerance is within).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from nmguard.errors import InputError
from nmguard.reference.citations import Status
from nmguard.reference.jurisdictions import JurisdictionProfile, get_profile

_EPS = 1e-9  # percent; absorbs float noise so that exactly 20 % stays 20 %


@dataclass(frozen=True)
class ToleranceResult:
    profile_id: str
    therapy: bool
    prescribed_activity_Bq: float
    administered_activity_Bq: float
    deviation_percent: float
    tolerance_percent: float
    within_tolerance: bool
    outside_prescribed_range: bool
    source: str
    status: str
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _positive(value: float, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name.replace('_', ' ')} {value!r} is not a number", field=name) from None
    if not math.isfinite(v) or v <= 0:
        raise InputError(f"the {name.replace('_', ' ')} must be a positive, finite activity", field=name)
    return v


def deviation_percent(prescribed_activity_Bq: float, administered_activity_Bq: float) -> float:
    """(administered - prescribed) / prescribed x 100; positive means more than prescribed."""
    p = _positive(prescribed_activity_Bq, "prescribed_activity")
    a = _positive(administered_activity_Bq, "administered_activity")
    return round((a - p) / p * 100.0, 9)


def check_range(prescribed_range: tuple[float, float] | None) -> tuple[float, float] | None:
    if prescribed_range is None:
        return None
    lo, hi = (_positive(prescribed_range[0], "prescribed_range"), _positive(prescribed_range[1], "prescribed_range"))
    if lo > hi:
        raise InputError("the prescribed range's lower end is above its upper end", field="prescribed_range")
    return lo, hi


def check_tolerance(
    profile: str | JurisdictionProfile,
    prescribed_activity_Bq: float,
    administered_activity_Bq: float,
    therapy: bool = False,
    prescribed_range: tuple[float, float] | None = None,
) -> ToleranceResult:
    """Whether the administered activity is within the profile's tolerance of the prescription."""
    prof = get_profile(profile)
    dev = deviation_percent(prescribed_activity_Bq, administered_activity_Bq)
    tol = prof.tolerance_percent(therapy)
    rng = check_range(prescribed_range)
    a = float(administered_activity_Bq)
    outside_range = rng is not None and not (rng[0] <= a <= rng[1])
    within = abs(dev) <= tol.value + _EPS and not outside_range
    warnings = []
    if tol.status is not Status.VERIFIED:
        warnings.append(f"tolerance {tol.value:g} % has status {tol.status.value} ({tol.source.id})")
    if outside_range:
        warnings.append("administered activity is outside the prescribed range")
    return ToleranceResult(
        profile_id=prof.id,
        therapy=therapy,
        prescribed_activity_Bq=float(prescribed_activity_Bq),
        administered_activity_Bq=a,
        deviation_percent=dev,
        tolerance_percent=tol.value,
        within_tolerance=within,
        outside_prescribed_range=outside_range,
        source=tol.source.id,
        status=tol.status.value,
        warnings=tuple(warnings),
    )
