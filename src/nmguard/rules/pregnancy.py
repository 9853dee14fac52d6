"""Pregnancy and breast-feeding questions before an administration.

Whether to ask: a female patient (or one whose sex is not recorded as male) whose age lies in the
profile's configured range (``pregnancy.ask_age_min_years`` .. ``ask_age_max_years``, inclusive).
GSR Part 3 para. 3.176 speaks of "a female patient of reproductive capacity" without ages, so the
shipped range is a placeholder (status unverified) to be set per department.

Breast-feeding advice: the interruption from ``breastfeeding.csv`` (RG 8.39 Rev. 1, 2020) and whether
the activity exceeds the thresholds above which instructions / records are required.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from nmguard.errors import InputError
from nmguard.physics.display import format_sig
from nmguard.reference.breastfeeding import breastfeeding_advice
from nmguard.reference.citations import Status
from nmguard.reference.jurisdictions import JurisdictionProfile, get_profile
from nmguard.reference.radiopharmaceuticals import get_radiopharmaceutical

_FEMALE = {"f", "female", "woman", "w"}
_MALE = {"m", "male", "man"}
_OTHER = {"o", "other", "u", "unknown", "x", "intersex", ""}


@dataclass(frozen=True)
class PregnancyQuestion:
    ask: bool
    reason: str
    age_min_years: float
    age_max_years: float
    source: str
    status: str
    warnings: tuple[str, ...] = field(default_factory=tuple)


def should_ask_pregnancy(profile: str | JurisdictionProfile, sex: str | None, age_years: float) -> PregnancyQuestion:
    """Whether pregnancy and breast-feeding status must be asked (and recorded) for this patient."""
    prof = get_profile(profile)
    try:
        age = float(age_years)
    except (TypeError, ValueError):
        raise InputError(f"age {age_years!r} is not a number of years", field="age") from None
    if not math.isfinite(age) or age < 0 or age > 130:
        raise InputError(f"age {age_years!r} is not a plausible age", field="age")
    key = (sex or "").strip().lower()
    if key not in _FEMALE | _MALE | _OTHER:
        raise InputError(f"sex {sex!r} is not one of female, male, other, unknown", field="sex")
    lo, hi = prof.pregnancy_ask_age_min, prof.pregnancy_ask_age_max
    warnings = []
    if lo.status is not Status.VERIFIED:
        warnings.append(
            f"age range {lo.value:g}-{hi.value:g} y has status {lo.status.value} ({lo.source.id}); "
            "configure the department's range"
        )
    in_range = lo.value <= age <= hi.value
    if key in _MALE:
        ask, reason = False, "male patient"
    elif not in_range:
        ask, reason = False, f"age {format_sig(age)} y outside {lo.value:g}-{hi.value:g} y"
    elif key in _FEMALE:
        ask, reason = True, f"female patient aged {format_sig(age)} y (range {lo.value:g}-{hi.value:g} y)"
    else:
        ask, reason = True, f"sex not recorded as male, age {format_sig(age)} y in range: ask"
    return PregnancyQuestion(ask, reason, lo.value, hi.value, lo.source.id, lo.status.value, tuple(warnings))


@dataclass(frozen=True)
class BreastfeedingResult:
    radiopharmaceutical_id: str
    found: bool
    cessation: bool
    interruption_h: float | None
    instructions_required: bool | None
    record_required: bool | None
    advice: str
    edition: str | None
    source: str | None
    status: str | None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["warnings"] = list(self.warnings)
        return out


def breastfeeding_check(rp: str, activity_Bq: float | None = None) -> BreastfeedingResult:
    """Interruption advice and instruction / record thresholds for a breast-feeding patient."""
    product = get_radiopharmaceutical(rp)
    advice = breastfeeding_advice(product.id)
    if advice is None:
        return BreastfeedingResult(
            product.id,
            False,
            False,
            None,
            None,
            None,
            f"{product.id} is not in the breast-feeding table (RG 8.39 Rev. 1): ask the physician or the "
            "radiation protection officer before the administration",
            None,
            None,
            None,
            ("no breast-feeding entry: this is NOT a statement that no interruption is needed",),
        )
    warnings = []
    if advice.status is not Status.VERIFIED:
        warnings.append(f"interruption advice status {advice.status.value} ({advice.source.id})")
    instr = rec = None
    if activity_Bq is not None:
        a = float(activity_Bq)
        if not math.isfinite(a) or a <= 0:
            raise InputError("the activity must be a positive, finite number", field="activity")
        mbq = a / 1e6
        if advice.instructions_above is not None:
            instr = mbq > advice.instructions_above.value
            if advice.instructions_above.status is not Status.VERIFIED:
                warnings.append(
                    f"threshold status {advice.instructions_above.status.value} ({advice.instructions_above.source.id})"
                )
        if advice.record_above is not None:
            rec = mbq > advice.record_above.value
        if advice.instructions_above is None and not advice.cessation and advice.interruption_h:
            instr = True  # duration-only rows: give the interruption instruction
    if advice.cessation:
        text = "stop breast-feeding for this child (complete cessation)"
        instr = True if activity_Bq is not None else instr
    elif not advice.interruption_h:
        text = "no interruption needed"
    else:
        text = f"interrupt breast-feeding for {advice.interruption_h:g} h"
    if advice.note:
        text += f" ({advice.note})"
    return BreastfeedingResult(
        product.id,
        True,
        advice.cessation,
        advice.interruption_h,
        instr,
        rec,
        text,
        advice.edition,
        advice.source.id,
        advice.status.value,
        tuple(warnings),
    )
