"""The activity a department protocol gives for one patient (adult rule or paediatric card)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from nmguard.errors import InputError
from nmguard.physics.display import format_sig

ADULT_AGE_YEARS = 18.0


@dataclass(frozen=True)
class ProtocolRule:
    """A protocol's activity parameters, as plain values (MBq)."""

    radiopharmaceutical_id: str
    mode: str  # "fixed" | "per_kg"
    adult_activity_MBq: float
    activity_per_kg_MBq: float | None = None
    min_activity_MBq: float | None = None
    max_activity_MBq: float | None = None
    paediatric_method: str = "none"  # "none" | "eanm-2016" | "na-2016"
    paediatric_indication: str | None = None

    def __post_init__(self) -> None:
        if not (self.adult_activity_MBq > 0 and math.isfinite(self.adult_activity_MBq)):
            raise InputError("the adult activity must be a positive number of MBq", "adult_activity_MBq")
        if self.mode not in ("fixed", "per_kg"):
            raise InputError(f"unknown activity mode {self.mode!r}", "activity_mode")
        if self.mode == "per_kg" and not (self.activity_per_kg_MBq and self.activity_per_kg_MBq > 0):
            raise InputError("a MBq-per-kg protocol needs a positive MBq per kg", "activity_per_kg_MBq")
        lo, hi = self.min_activity_MBq, self.max_activity_MBq
        if lo is not None and hi is not None and lo > hi:
            raise InputError("the minimum activity is above the maximum", "min_activity_MBq")


@dataclass(frozen=True)
class ProtocolActivity:
    activity_MBq: float
    rule: str
    source: str | None = None
    status: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _check_weight(weight_kg: float | None, needed: bool) -> None:
    if weight_kg is None:
        if needed:
            raise InputError("this protocol needs the patient's weight", "weight_kg")
        return
    if not math.isfinite(weight_kg) or weight_kg <= 0:
        raise InputError("weight must be a positive number of kg", "weight_kg")
    if weight_kg > 350:
        raise InputError(f"weight {weight_kg:g} kg is not plausible; check the entry", "weight_kg")


def protocol_activity(rule: ProtocolRule, age_years: float, weight_kg: float | None) -> ProtocolActivity:
    """Adults get the protocol's fixed or per-kg activity; children the protocol's paediatric card."""
    from nmguard.rules.paediatric import paediatric_activity

    if age_years < 0 or not math.isfinite(age_years):
        raise InputError("the patient's birth date lies after the examination", "birth_date")
    child = age_years < ADULT_AGE_YEARS and rule.paediatric_method != "none"
    _check_weight(weight_kg, needed=child or rule.mode == "per_kg")
    if child:
        result = paediatric_activity(
            rule.radiopharmaceutical_id,
            weight_kg,
            card=rule.paediatric_method,
            indication=rule.paediatric_indication,
            adult_activity_MBq=rule.adult_activity_MBq,
        )
        return ProtocolActivity(
            activity_MBq=result.activity_MBq,
            rule=result.explanation,
            source=result.source,
            status=result.status,
            warnings=tuple(result.warnings),
        )
    if rule.mode == "fixed":
        return ProtocolActivity(rule.adult_activity_MBq, f"fixed adult activity {rule.adult_activity_MBq:g} MBq")
    raw = rule.activity_per_kg_MBq * weight_kg
    activity, notes = raw, [f"{rule.activity_per_kg_MBq:g} MBq/kg × {weight_kg:g} kg = {format_sig(raw, 4)} MBq"]
    if rule.min_activity_MBq is not None and activity < rule.min_activity_MBq:
        activity = rule.min_activity_MBq
        notes.append(f"raised to the minimum {rule.min_activity_MBq:g} MBq")
    if rule.max_activity_MBq is not None and activity > rule.max_activity_MBq:
        activity = rule.max_activity_MBq
        notes.append(f"limited to the maximum {rule.max_activity_MBq:g} MBq")
    return ProtocolActivity(activity, "; ".join(notes))
