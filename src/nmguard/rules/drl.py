"""Diagnostic reference level (DRL) audit: median administered activity against the DRL.

The DRL methodology compares the MEDIAN of a sample of administered activities with the DRL (GSR Part 3
para. 3.169: review when typical values exceed the DRL). Children are grouped by weight band (the EANM
card 2016 bands by default, or bands given as ``[(from_kg, to_kg), ...]``, each ``from <= w < to``).
Quartiles use the inclusive method (``statistics.quantiles(..., method="inclusive")``).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from nmguard.errors import InputError
from nmguard.reference.paediatric_cards import eanm_weight_bands


@dataclass(frozen=True)
class DrlStatistics:
    label: str
    n: int
    median_MBq: float
    q1_MBq: float
    q3_MBq: float
    min_MBq: float
    max_MBq: float
    drl_MBq: float | None
    ratio_to_drl: float | None
    above_drl: bool | None


@dataclass(frozen=True)
class DrlAudit:
    overall: DrlStatistics
    bands: tuple[DrlStatistics, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _values(activities_MBq: Sequence[float]) -> list[float]:
    values = []
    for v in activities_MBq:
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise InputError(f"activity {v!r} is not a number", field="activities") from None
        if not math.isfinite(x) or x <= 0:
            raise InputError("every administered activity must be a positive, finite number of MBq", field="activities")
        values.append(x)
    return values


def _stats(label: str, values: list[float], drl: float | None) -> DrlStatistics:
    med = statistics.median(values)
    if len(values) >= 2:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    else:
        q1 = q3 = values[0]
    ratio = None if drl is None else med / drl
    return DrlStatistics(
        label, len(values), med, q1, q3, min(values), max(values), drl, ratio, None if drl is None else med > drl
    )


def _check_drl(drl: float | None, name: str) -> float | None:
    if drl is None:
        return None
    x = float(drl)
    if not math.isfinite(x) or x <= 0:
        raise InputError("a DRL must be a positive number of MBq", field=name)
    return x


def drl_audit(
    activities_MBq: Sequence[float],
    drl_MBq: float | None = None,
    *,
    weights_kg: Sequence[float] | None = None,
    bands: Sequence[tuple[float, float]] | str = "eanm-2016",
    drl_by_band: Mapping[str, float] | None = None,
    minimum_n: int = 10,
) -> DrlAudit:
    """Median, quartiles and n of the administered activities, ratio to the DRL and an 'above DRL' flag;
    per weight band too when ``weights_kg`` are given."""
    values = _values(activities_MBq)
    if not values:
        raise InputError("no administrations in the chosen set: a DRL audit needs at least one", field="activities")
    drl = _check_drl(drl_MBq, "drl")
    warnings = []
    if len(values) < minimum_n:
        warnings.append(f"only {len(values)} administrations (fewer than {minimum_n}): the median is uncertain")
    overall = _stats("all", values, drl)
    band_stats: list[DrlStatistics] = []
    if weights_kg is not None:
        weights = [float(w) for w in weights_kg]
        if len(weights) != len(values):
            raise InputError("give one weight per administered activity", field="weights")
        if any(not math.isfinite(w) or w <= 0 for w in weights):
            raise InputError("every weight must be a positive number of kg", field="weights")
        if isinstance(bands, str):
            if bands != "eanm-2016":
                raise InputError(f"unknown band set {bands!r}", field="bands")
            edges = [(b.band_from_kg, b.band_to_kg, b.label) for b in eanm_weight_bands()]
        else:
            edges = []
            for lo, hi in bands:
                if not (0 <= float(lo) < float(hi)):
                    raise InputError(f"weight band {lo}-{hi} kg is empty", field="bands")
                edges.append((float(lo), float(hi), f"{float(lo):g}-{float(hi):g} kg"))
        outside = 0
        for lo, hi, label in edges:
            sel = [v for v, w in zip(values, weights, strict=True) if lo <= w < hi]
            if sel:
                band_drl = _check_drl((drl_by_band or {}).get(label), "drl_by_band")
                band_stats.append(_stats(label, sel, band_drl))
        outside = sum(1 for w in weights if not any(lo <= w < hi for lo, hi, _ in edges))
        if outside:
            warnings.append(f"{outside} administrations fall outside every weight band")
    return DrlAudit(overall, tuple(band_stats), tuple(warnings))
