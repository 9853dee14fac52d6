"""Paediatric administered activity from the EANM dosage card 2016 or the North American consensus 2016.

EANM: ``A = max(baseline x multiple(class, weight band), minimum)``, never above the adult activity when
given. The card is a step table: a weight uses the row of its band (``band_from <= w < band_to``, the
band ending where the next row starts), so 53 kg and 55 kg use the '52-54 kg' row and 5 kg the 4 kg row.
Weights under 3 kg are refused (not on the card).

Above the card (from 70 kg, where NMGuard closes the 68-kg top row's band) the top row's activity for the
same indication is held: the card has no row above 68 kg and no scaling rule beyond it, and the older
EANM fraction-of-adult table with the same weight rows gives 0.99 x the adult activity at 68 kg
(``eanm-paediatric-fraction-table-sukl``), so the top row stands for about the adult activity (e.g. FDG
2D 25.9 x 14.00 = 363 MBq, MIBG 28 x 14.00 = 392 MBq). The activity is therefore continuous at the top
weight, per indication, and needs no catalogue "typical adult" value; the department's adult activity,
when given, still caps it (the card's "never above the adult activity").

North American consensus 2016: ``A = MBq/kg x weight``, raised to the minimum, limited to the maximum,
never above the adult activity when given.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from nmguard.errors import InputError
from nmguard.physics.display import format_sig
from nmguard.reference.citations import Status
from nmguard.reference.paediatric_cards import (
    eanm_band_for,
    eanm_baseline,
    eanm_weight_bands,
    na_consensus_entry,
)
from nmguard.reference.radiopharmaceuticals import get_radiopharmaceutical

CARDS = ("eanm-2016", "na-2016")
MAX_WEIGHT_KG = 250.0


@dataclass(frozen=True)
class PaediatricActivity:
    radiopharmaceutical_id: str
    weight_kg: float
    card: str
    indication: str
    activity_MBq: float
    minimum_applied: bool
    maximum_applied: bool
    capped_at_adult: bool
    above_card: bool
    explanation: str
    source: str
    source_text: str
    status: str
    eanm_class: str | None = None
    weight_band: str | None = None
    multiple: float | None = None
    baseline_MBq: float | None = None
    minimum_MBq: float | None = None
    maximum_MBq: float | None = None
    MBq_per_kg: float | None = None
    adult_activity_MBq: float | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["warnings"] = list(self.warnings)
        return out


def check_weight(weight_kg: float) -> float:
    try:
        weight = float(weight_kg)
    except (TypeError, ValueError):
        raise InputError(f"weight {weight_kg!r} is not a number of kg", field="weight") from None
    if not math.isfinite(weight) or weight <= 0:
        raise InputError("weight must be a positive number of kg", field="weight")
    if weight > MAX_WEIGHT_KG:
        raise InputError(
            f"weight {weight:g} kg is not plausible (over {MAX_WEIGHT_KG:g} kg); check the entry", field="weight"
        )
    return weight


def _check_adult(adult_activity_MBq: float | None) -> float | None:
    if adult_activity_MBq is None:
        return None
    value = float(adult_activity_MBq)
    if not math.isfinite(value) or value <= 0:
        raise InputError("the adult activity must be a positive number of MBq", field="adult_activity_MBq")
    return value


def paediatric_activity(
    rp: str,
    weight_kg: float,
    card: str = "eanm-2016",
    indication: str | None = None,
    adult_activity_MBq: float | None = None,
) -> PaediatricActivity:
    """The paediatric activity (MBq) for a product and body weight under the chosen card."""
    product = get_radiopharmaceutical(rp)
    weight = check_weight(weight_kg)
    adult = _check_adult(adult_activity_MBq)
    key = str(card).strip().lower()
    if key == "eanm-2016":
        return _eanm(product.id, weight, indication, adult)
    if key == "na-2016":
        return _na(product.id, weight, indication, adult)
    raise InputError(f"unknown paediatric card {card!r} (choices: {', '.join(CARDS)})", field="card")


def _status_warning(status: Status, source_id: str) -> list[str]:
    if status is Status.VERIFIED:
        return []
    return [f"card value status is {status.value} ({source_id}): check against the card before clinical use"]


def _eanm(rp_id: str, weight: float, indication: str | None, adult: float | None) -> PaediatricActivity:
    entry = eanm_baseline(rp_id, indication)
    warnings: list[str] = []
    if indication is None:
        others = [e for e in _siblings(rp_id) if e != entry.indication]
        if others:
            warnings.append(f"no indication given: used '{entry.indication}' (others: {', '.join(others)})")
    bands = eanm_weight_bands()
    lowest, top = bands[0], bands[-1]
    if weight < lowest.band_from_kg:
        raise InputError(
            f"weight {weight:g} kg is below the EANM card's lowest row ({lowest.card_row_kg:g} kg); "
            "the card gives no activity - a physician must decide",
            field="weight",
        )
    common = dict(
        radiopharmaceutical_id=rp_id,
        weight_kg=weight,
        card="eanm-2016",
        indication=entry.indication,
        eanm_class=entry.eanm_class,
        baseline_MBq=entry.baseline.value,
        minimum_MBq=entry.minimum.value,
        source=entry.baseline.source.id,
        source_text=entry.baseline.source.text,
        status=entry.baseline.status.value,
        adult_activity_MBq=adult,
    )
    above_card = weight >= top.band_to_kg
    band = top if above_card else eanm_band_for(weight)
    multiple = band.multiples[entry.eanm_class]
    raw = entry.baseline.value * multiple.value
    parts = [
        f"class {entry.eanm_class}, row {band.label}: {entry.baseline.value:g} MBq x {multiple.value:g} = "
        f"{format_sig(raw, 4)} MBq"
    ]
    if above_card:
        parts.insert(
            0,
            f"{weight:g} kg is above the EANM card's top row ({top.card_row_kg:g} kg): that row's activity "
            "is held (the card has no row above it)",
        )
    activity, minimum_applied, capped = raw, False, False
    if activity < entry.minimum.value:
        activity, minimum_applied = entry.minimum.value, True
        parts.append(f"raised to the minimum {entry.minimum.value:g} MBq")
    if adult is not None and activity > adult:
        activity, capped = adult, True
        parts.append(f"limited to the adult activity {adult:g} MBq")
    warnings += _status_warning(entry.baseline.status, entry.baseline.source.id)
    return PaediatricActivity(
        activity_MBq=activity,
        minimum_applied=minimum_applied,
        maximum_applied=False,
        capped_at_adult=capped,
        above_card=above_card,
        explanation="; ".join(parts),
        weight_band=band.label,
        multiple=multiple.value,
        warnings=tuple(warnings),
        **common,
    )


def _siblings(rp_id: str) -> list[str]:
    from nmguard.reference.paediatric_cards import eanm_baselines

    return [e.indication for e in eanm_baselines(rp_id)]


def _na(rp_id: str, weight: float, indication: str | None, adult: float | None) -> PaediatricActivity:
    entry = na_consensus_entry(rp_id, indication)
    warnings: list[str] = []
    raw = entry.per_kg.value * weight
    parts = [f"{entry.per_kg.value:g} MBq/kg x {weight:g} kg = {format_sig(raw, 4)} MBq"]
    if entry.per_kg_max is not None:
        warnings.append(
            f"the guideline gives a range {entry.per_kg.value:g}-{entry.per_kg_max:g} MBq/kg; the lower end is used"
        )
    activity, min_applied, max_applied, capped = raw, False, False, False
    if entry.minimum is not None and activity < entry.minimum.value:
        activity, min_applied = entry.minimum.value, True
        parts.append(f"raised to the minimum {entry.minimum.value:g} MBq")
    if entry.maximum is not None and activity > entry.maximum.value:
        activity, max_applied = entry.maximum.value, True
        parts.append(f"limited to the maximum {entry.maximum.value:g} MBq")
    if adult is not None and activity > adult:
        activity, capped = adult, True
        parts.append(f"limited to the adult activity {adult:g} MBq")
    warnings += _status_warning(entry.per_kg.status, entry.per_kg.source.id)
    if entry.per_kg.note:
        warnings.append(entry.per_kg.note)
    return PaediatricActivity(
        radiopharmaceutical_id=rp_id,
        weight_kg=weight,
        card="na-2016",
        indication=entry.indication,
        activity_MBq=activity,
        minimum_applied=min_applied,
        maximum_applied=max_applied,
        capped_at_adult=capped,
        above_card=False,
        explanation="; ".join(parts),
        source=entry.per_kg.source.id,
        source_text=entry.per_kg.source.text,
        status=entry.per_kg.status.value,
        minimum_MBq=None if entry.minimum is None else entry.minimum.value,
        maximum_MBq=None if entry.maximum is None else entry.maximum.value,
        MBq_per_kg=entry.per_kg.value,
        adult_activity_MBq=adult,
        warnings=tuple(warnings),
    )
