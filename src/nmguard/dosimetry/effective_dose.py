"""Effective dose of a radiopharmaceutical administration from ICRP 128-style coefficients.

Age mapping (:func:`age_group_for`): the nearest ICRP 128 reference age, with the boundaries at the
midpoints between reference ages (adult taken as 20 y) and a boundary age going to the older group:
  age < 3 -> "1";  3 <= age < 7.5 -> "5";  7.5 <= age < 12.5 -> "10";  12.5 <= age < 17.5 -> "15";
  age >= 17.5 -> "adult".
Newborn coefficients are not shipped; infants under 0.5 y get the 1-year value with a warning.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from nmguard.errors import InputError
from nmguard.reference.citations import Status
from nmguard.reference.dose_coefficients import effective_dose_coefficient_entry, normalize_age_group
from nmguard.reference.radiopharmaceuticals import get_radiopharmaceutical

MAX_ACTIVITY_BQ = 1e12  # 1 TBq: anything above is a typing error, not an administration
_AGE_LIMITS = ((3.0, "1"), (7.5, "5"), (12.5, "10"), (17.5, "15"))


def age_group_for(age_years: float) -> str:
    """The ICRP 128 age group ("adult", "15", "10", "5", "1") used for an age in years."""
    try:
        age = float(age_years)
    except (TypeError, ValueError):
        raise InputError(f"age {age_years!r} is not a number of years", field="age") from None
    if not math.isfinite(age) or age < 0 or age > 130:
        raise InputError(f"age {age_years!r} is not a plausible age in years", field="age")
    for limit, group in _AGE_LIMITS:
        if age < limit:
            return group
    return "adult"


def check_activity_Bq(activity_Bq: float, field_name: str = "activity") -> float:
    try:
        value = float(activity_Bq)
    except (TypeError, ValueError):
        raise InputError(f"activity {activity_Bq!r} is not a number", field=field_name) from None
    if not math.isfinite(value) or value <= 0:
        raise InputError("the activity must be a positive, finite number", field=field_name)
    if value > MAX_ACTIVITY_BQ:
        raise InputError(
            f"activity {value / 1e6:g} MBq is not plausible (over 1 TBq); check the unit", field=field_name
        )
    return value


@dataclass(frozen=True)
class EffectiveDoseResult:
    radiopharmaceutical_id: str
    activity_Bq: float
    age_years: float | None
    age_group: str
    edition: str
    coefficient_mSv_per_MBq: float
    effective_dose_mSv: float
    source: str
    source_text: str
    status: str
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["warnings"] = list(self.warnings)
        return out


def effective_dose(
    rp: str,
    activity_Bq: float,
    age_group: str | None = None,
    *,
    age_years: float | None = None,
    edition: str | None = None,
) -> EffectiveDoseResult:
    """E = coefficient(product, age group, edition) x activity.

    Give ``age_group`` ("adult", "15", "10", "5", "1") or ``age_years`` (mapped by :func:`age_group_for`);
    adult if neither."""
    product = get_radiopharmaceutical(rp)
    activity = check_activity_Bq(activity_Bq)
    warnings: list[str] = []
    if age_group is not None and age_years is not None:
        raise InputError("give either an age group or an age in years, not both", field="age")
    if age_years is not None:
        group = age_group_for(age_years)
        if float(age_years) < 0.5:
            warnings.append(
                "newborn coefficients are not shipped; the 1-year value is used for an infant under 6 months"
            )
        warnings.append(f"age {float(age_years):g} y uses the ICRP 128 age group {group}")
    else:
        group = normalize_age_group(age_group if age_group is not None else "adult")
    entry = effective_dose_coefficient_entry(product.id, group, edition)
    coeff = entry.coefficient
    if coeff.status is not Status.VERIFIED:
        warnings.append(
            f"coefficient status is {coeff.status.value}: check it against {coeff.source.id} before clinical use"
        )
    if not entry.edition.upper().startswith("ICRP 128"):
        warnings.append(f"coefficient from {entry.edition}, not ICRP 128")
    if product.therapy:
        warnings.append("effective dose is a radiation-protection quantity; therapy needs organ absorbed doses")
    if coeff.note:
        warnings.append(coeff.note)
    return EffectiveDoseResult(
        radiopharmaceutical_id=product.id,
        activity_Bq=activity,
        age_years=None if age_years is None else float(age_years),
        age_group=group,
        edition=entry.edition,
        coefficient_mSv_per_MBq=coeff.value,
        effective_dose_mSv=coeff.value * activity / 1e6,
        source=coeff.source.id,
        source_text=coeff.source.text,
        status=coeff.status.value,
        warnings=tuple(warnings),
    )
