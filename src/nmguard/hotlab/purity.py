"""Radiochemical purity (RCP) from TLC/ITLC strip counts or HPLC peak areas, with its uncertainty.

Strips. Each strip separates one impurity (or one group) from the rest: the strip is cut (or scanned) into
segments; the gross counts of the segments holding the impurity and of the other segments are counted for
the same time, and a background count B (same counting time, per segment) is subtracted from each segment.
With ``a`` = net impurity counts and ``c`` = net counts of the rest, the impurity fraction is

    f = a / (a + c)

Counting statistics are Poisson: var(N) = N for a gross count and var(B) = B for the background count. For a
group of n segments, net = ΣN − n·r·B and var(net) = ΣN + (n·r)²·B, where r = segment counting time /
background counting time (``background_time_ratio``, 1 by default). First-order propagation gives

    σ_f² = (c²·var(a) + a²·var(c)) / (a + c)⁴

(the background term is treated as independent per group, a slight over-estimate of σ when one background
count is shared). RCP = 1 − Σ f_i over the strips of a method (the strips are independent), so
σ_RCP² = Σ σ_fi². Percentages are 100× these.

The 99mTc two-strip method (:data:`TWO_STRIP_TC99M`): strip 1 (e.g. ITLC-SG in acetone or MEK) carries free
pertechnetate to the solvent front, strip 2 (ITLC-SG in saline) leaves hydrolysed-reduced Tc at the origin.

HPLC. RCP = A_p / ΣA_i over the integrated peaks. With independent area uncertainties σ_i,
∂RCP/∂A_p = (S − A_p)/S² and ∂RCP/∂A_j = −A_p/S² (j ≠ p), S = ΣA_i, so
σ_RCP² = ((S − A_p)²·σ_p² + A_p²·Σ_{j≠p} σ_j²) / S⁴.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nmguard.errors import InputError


@dataclass(frozen=True)
class StripLayout:
    """Which part of a strip holds the impurity in one chromatographic system (a method description)."""

    impurity: str
    impurity_position: str  # "front" | "origin"
    system: str


#: 99mTc kits, two-strip method (free pertechnetate at the front of an acetone/MEK strip; hydrolysed-reduced
#: Tc at the origin of a saline strip). Method layout from common practice; limits come from the reference data.
TWO_STRIP_TC99M = (
    StripLayout("free pertechnetate", "front", "ITLC-SG / acetone or MEK"),
    StripLayout("hydrolysed-reduced Tc", "origin", "ITLC-SG / 0.9 % NaCl"),
)


@dataclass(frozen=True)
class StripReading:
    """Gross counts of the impurity segments and of the other segments of one strip, same counting time."""

    impurity: str
    impurity_counts: Sequence[float]
    other_counts: Sequence[float]
    background_counts: float = 0.0  # per segment, counted for background_time_ratio⁻¹ × the segment time
    background_time_ratio: float = 1.0  # segment counting time / background counting time


@dataclass(frozen=True)
class Fraction:
    name: str
    percent: float
    uncertainty_percent: float


@dataclass(frozen=True)
class PurityResult:
    method: str
    rcp_percent: float
    uncertainty_percent: float | None  # 1 standard uncertainty (k = 1); None when no uncertainty was given
    impurities: tuple[Fraction, ...]
    formula: str
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def within(self, limit_percent: float, k: float = 2.0) -> bool:
        """True when the limit lies more than k·σ below the RCP (a clear pass)."""
        return self.rcp_percent - k * (self.uncertainty_percent or 0.0) >= limit_percent

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "rcp_percent": self.rcp_percent,
            "uncertainty_percent": self.uncertainty_percent,
            "impurities": [
                {"name": f.name, "percent": f.percent, "uncertainty_percent": f.uncertainty_percent}
                for f in self.impurities
            ],
            "formula": self.formula,
            "warnings": list(self.warnings),
        }


def _counts(values: Sequence[float], what: str) -> list[float]:
    if isinstance(values, int | float):
        values = [values]
    out = []
    for v in values:
        if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v) or v < 0:
            raise InputError(f"{what}: counts must be non-negative numbers, got {v!r}", what)
        out.append(float(v))
    if not out:
        raise InputError(f"{what}: no segment counts given", what)
    return out


def strip_fraction(reading: StripReading) -> tuple[Fraction, list[str]]:
    """Impurity fraction of one strip with its Poisson counting uncertainty (see the module formula)."""
    imp = _counts(reading.impurity_counts, "impurity_counts")
    rest = _counts(reading.other_counts, "other_counts")
    b, r = reading.background_counts, reading.background_time_ratio
    if not (isinstance(b, int | float) and math.isfinite(b) and b >= 0):
        raise InputError("background counts must be a non-negative number", "background_counts")
    if not (isinstance(r, int | float) and math.isfinite(r) and r > 0):
        raise InputError("background time ratio must be positive", "background_time_ratio")
    warnings: list[str] = []
    a = sum(imp) - len(imp) * b * r
    c = sum(rest) - len(rest) * b * r
    var_a = sum(imp) + (len(imp) * r) ** 2 * b
    var_c = sum(rest) + (len(rest) * r) ** 2 * b
    if a < 0:
        warnings.append(f"{reading.impurity}: net impurity counts below background ({a:.1f}); taken as 0")
        a = 0.0
    if c < 0:
        warnings.append(f"{reading.impurity}: net counts of the rest below background ({c:.1f}); taken as 0")
        c = 0.0
    total = a + c
    if total <= 0:
        raise InputError(f"{reading.impurity}: no net counts above background on the strip", "counts")
    f = a / total
    sigma = math.sqrt(c * c * var_a + a * a * var_c) / total**2
    if total < 1e4:
        warnings.append(f"{reading.impurity}: only {total:.0f} net counts; the counting uncertainty is large")
    return Fraction(reading.impurity, 100.0 * f, 100.0 * sigma), warnings


def rcp_from_strips(strips: Sequence[StripReading], method: str = "strips") -> PurityResult:
    """RCP % = 100·(1 − Σ f_i) over independent strips, σ_RCP = 100·sqrt(Σ σ_fi²)."""
    if not strips:
        raise InputError("no strip readings given", "strips")
    fractions, warnings = [], []
    for s in strips:
        frac, w = strip_fraction(s)
        fractions.append(frac)
        warnings += w
    impurity_total = sum(f.percent for f in fractions)
    if impurity_total > 100.0 + 1e-9:
        warnings.append(f"impurities add up to {impurity_total:.2f} % (> 100 %): check the strips")
    sigma = math.sqrt(sum(f.uncertainty_percent**2 for f in fractions))
    return PurityResult(
        method=method,
        rcp_percent=100.0 - impurity_total,
        uncertainty_percent=sigma,
        impurities=tuple(fractions),
        formula="f_i = a_i/(a_i+c_i); sigma_f^2 = (c^2 var(a) + a^2 var(c))/(a+c)^4; RCP = 100(1 - sum f_i); "
        "sigma_RCP = 100 sqrt(sum sigma_f^2); var = gross counts + background variance (Poisson)",
        warnings=tuple(warnings),
    )


def rcp_two_strip_tc99m(
    strip1_front: float,
    strip1_origin: float,
    strip2_front: float,
    strip2_origin: float,
    background_counts: float = 0.0,
) -> PurityResult:
    """The 99mTc two-strip method: strip 1 front = free pertechnetate, strip 2 origin = hydrolysed-reduced Tc."""
    free, hr = TWO_STRIP_TC99M
    return rcp_from_strips(
        [
            StripReading(free.impurity, [strip1_front], [strip1_origin], background_counts),
            StripReading(hr.impurity, [strip2_origin], [strip2_front], background_counts),
        ],
        method="tc99m-two-strip",
    )


def rcp_from_hplc(
    peak_areas: Mapping[str, float],
    product_peak: str,
    area_uncertainties: Mapping[str, float] | None = None,
) -> PurityResult:
    """RCP % = 100·A_p/ΣA over the radio-HPLC peaks; σ by first-order propagation when σ_i are given."""
    if not peak_areas:
        raise InputError("no peak areas given", "peak_areas")
    if product_peak not in peak_areas:
        raise InputError(f"product peak {product_peak!r} is not among the peaks {sorted(peak_areas)}", "product_peak")
    for name, area in peak_areas.items():
        if not isinstance(area, int | float) or not math.isfinite(area) or area < 0:
            raise InputError(f"peak {name!r}: area must be a non-negative number, got {area!r}", "peak_areas")
    total = float(sum(peak_areas.values()))
    if total <= 0:
        raise InputError("the peak areas add up to zero", "peak_areas")
    ap = float(peak_areas[product_peak])
    impurities = []
    sigma_rcp: float | None = None
    if area_uncertainties is not None:
        unknown = set(area_uncertainties) - set(peak_areas)
        if unknown:
            raise InputError(f"uncertainties given for unknown peaks {sorted(unknown)}", "area_uncertainties")
        s = {k: float(area_uncertainties.get(k, 0.0)) for k in peak_areas}
        if any(not math.isfinite(v) or v < 0 for v in s.values()):
            raise InputError("area uncertainties must be non-negative numbers", "area_uncertainties")
        others = sum(v * v for k, v in s.items() if k != product_peak)
        sigma_rcp = 100.0 * math.sqrt((total - ap) ** 2 * s[product_peak] ** 2 + ap * ap * others) / total**2
    for name, area in peak_areas.items():
        if name == product_peak:
            continue
        sig = 0.0
        if area_uncertainties is not None:
            s = {k: float(area_uncertainties.get(k, 0.0)) for k in peak_areas}
            rest = sum(v * v for k, v in s.items() if k != name)
            sig = 100.0 * math.sqrt((total - area) ** 2 * s[name] ** 2 + area * area * rest) / total**2
        impurities.append(Fraction(name, 100.0 * area / total, sig))
    return PurityResult(
        method="hplc",
        rcp_percent=100.0 * ap / total,
        uncertainty_percent=sigma_rcp,
        impurities=tuple(impurities),
        formula="RCP = 100 A_p/S; sigma^2 = ((S-A_p)^2 s_p^2 + A_p^2 sum_{j!=p} s_j^2)/S^4 (x100)",
    )
