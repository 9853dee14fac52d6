"""Effective dose of a radiopharmaceutical administration from ICRP 128-style coefficients.

Which publication (issue 11): every coefficient row names its publication (``edition``); where the
publications disagree both rows are shipped and the department chooses which one its effective doses
follow (``publication``, one of :data:`PUBLICATIONS`; default :data:`DEFAULT_PUBLICATION`). The rule,
:func:`select_coefficient`: the chosen publication's row for that product and age, unless it is missing or
unverified, in which case the catalogue's default row is used and the result says so. The default is
ICRP 128 because it is the current ICRP compendium (it compiles ICRP 53/80/106 with their later
corrections and adds new models for 82Rb, iodide and FP-CIT). The fall-back keeps a doubtful figure
from being used silently (MDP: the 0.0049 mSv/MBq that only a transcription attributes to ICRP 128,
while ICRP 128 says it compiles ICRP 80's 0.0057). The publication actually used is in the result
(``edition``) and is printed beside the dose.

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
from nmguard.reference.dose_coefficients import (
    EffectiveDoseCoefficient,
    effective_dose_coefficient_entry,
    effective_dose_coefficients,
    normalize_age_group,
)
from nmguard.reference.radiopharmaceuticals import get_radiopharmaceutical

MAX_ACTIVITY_BQ = 1e12  # 1 TBq: anything above is a typing error, not an administration
_AGE_LIMITS = ((3.0, "1"), (7.5, "5"), (12.5, "10"), (17.5, "15"))
PUBLICATIONS = ("ICRP 128", "ICRP 80")  # what a department may choose its effective doses to follow
DEFAULT_PUBLICATION = "ICRP 128"


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


def check_publication(publication: str) -> str:
    """The canonical name of a publication a department may choose (case and spaces forgiven)."""
    key = " ".join(str(publication).split()).upper()
    for name in PUBLICATIONS:
        if name.upper() == key:
            return name
    raise InputError(f"publication {publication!r} is not one of {', '.join(PUBLICATIONS)}", field="publication")


def select_coefficient(rp: str, age_group: str, publication: str) -> tuple[EffectiveDoseCoefficient, str | None]:
    """The row a department that follows ``publication`` uses, and why, when it is not that publication's.

    That publication's row for the product and age, unless it has none or its value is unverified; then
    the catalogue's default row (the best-sourced one) with a sentence saying so."""
    wanted = check_publication(publication)
    group = normalize_age_group(age_group)
    default = effective_dose_coefficient_entry(rp, group)
    mine = [r for r in effective_dose_coefficients(rp) if r.age_group == group and r.edition == wanted]
    if mine and (mine[0].coefficient.status is not Status.UNVERIFIED or mine[0] == default):
        return mine[0], None
    if mine:
        why = (
            f"the {wanted} coefficient {mine[0].coefficient.value:g} mSv/MBq is unverified; "
            f"the department follows {wanted}, but the catalogue's {default.edition} value is used"
        )
    else:
        why = (
            f"{wanted} gives no coefficient for {default.radiopharmaceutical_id} at age {group}; "
            f"the catalogue's {default.edition} value is used"
        )
    return default, why


@dataclass(frozen=True)
class EffectiveDoseResult:
    radiopharmaceutical_id: str
    activity_Bq: float
    age_years: float | None
    age_group: str
    edition: str  # the publication whose coefficient was used: print it beside the dose
    coefficient_mSv_per_MBq: float
    effective_dose_mSv: float
    source: str
    source_text: str
    status: str
    warnings: tuple[str, ...] = field(default_factory=tuple)
    publication: str | None = None  # the publication the department chose, where one was given

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
    publication: str | None = None,
) -> EffectiveDoseResult:
    """E = coefficient(product, age group, publication) x activity.

    Give ``age_group`` ("adult", "15", "10", "5", "1") or ``age_years`` (mapped by :func:`age_group_for`);
    adult if neither. ``publication`` is the department's choice (:func:`select_coefficient`: falls back to
    the catalogue default where that publication has no usable value); ``edition`` asks for exactly one
    edition and refuses when it has no value; neither takes the catalogue default."""
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
    if edition is not None and publication is not None:
        raise InputError("give either an exact edition or the department's publication, not both", field="edition")
    why = None
    if publication is not None:
        chosen = check_publication(publication)
        entry, why = select_coefficient(product.id, group, chosen)
    else:
        chosen = None
        entry = effective_dose_coefficient_entry(product.id, group, edition)
    coeff = entry.coefficient
    if coeff.status is not Status.VERIFIED:
        warnings.append(
            f"coefficient status is {coeff.status.value}: check it against {coeff.source.id} before clinical use"
        )
    if why:
        warnings.append(why)
    elif entry.edition != (chosen or DEFAULT_PUBLICATION) and edition is None:
        warnings.append(f"coefficient from {entry.edition}, not {chosen or DEFAULT_PUBLICATION}")
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
        publication=chosen,
    )
