"""Single-time-point (STP) estimates of the time-integrated activity.

``haenscheid`` (Hänscheid et al., J Nucl Med 2018;59:75): TIA ≈ A(t)·2t/ln2, t the measurement time.
    For a true mono-exponential A0·e^(−λt) the exact TIA is A(t)·e^(λt)/λ, so the ratio is
    Hänscheid/exact = 2x·e^(−x)/ln2 with x = λt = ln2·t/T_eff (REFERENCE_DATA 7.4, analytic). It is
    exact at t = T_eff and at t = 2·T_eff, at most +6.2 % (2/(e·ln2) − 1) at t = T_eff/ln2 ≈ 1.44·T_eff,
    and within ±10 % for 0.764 ≤ t/T_eff ≤ 2.437 (roots of 2x·e^(−x)/ln2 = 0.9; derived here, not a
    range quoted from the paper). With an effective half-life given, a warning is raised outside that
    range; without one the validity cannot be checked and a warning says so.
``madsen`` (Madsen et al., Med Phys 2018;45:2318): TIA = A(t)·e^(λ_eff t)/λ_eff with λ_eff = ln2/T_eff
    from a population effective half-life that the user gives (no per-organ defaults are shipped:
    NMGuard holds no cited population values). Exact for a mono-exponential with that T_eff.
``physical``: TIA = A(t)·e^(λ_p t)/λ_p, physical decay only: exact for a permanent implant or a trapped
    radiopharmaceutical (Tc-99m MAA lodged in capillaries, Y-90 microspheres), where the activity leaves
    only by decay. It is Madsen's formula with T_eff = T½ (analytic; no population value needed).
"""

from __future__ import annotations

import math

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.dosimetry.tia import LN2, physical_decay_constant_per_h
from nmguard.errors import InputError

METHODS = ("haenscheid", "madsen", "physical")
VALID_RANGE_T_OVER_TEFF = (0.764, 2.437)  # ±10 % for a mono-exponential (derived analytically)
SOURCES = {
    "haenscheid": "haenscheid-2018-stp",
    "madsen": "madsen-2018-stp",
    "physical": "nmguard-analytic-physical-decay",
}


def haenscheid_ratio(t_h: float, effective_half_life_h: float) -> float:
    """Hänscheid / exact TIA for a mono-exponential curve: 2x·e^(−x)/ln2, x = ln2·t/T_eff."""
    x = LN2 * t_h / effective_half_life_h
    return 2 * x * math.exp(-x) / LN2


def _positive(value: float, field: str, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, got {value!r}", field) from None
    if not (math.isfinite(v) and v > 0):
        raise InputError(f"{what} must be a positive number, got {value!r}", field)
    return v


def stp_tia(
    time_h: float,
    activity_MBq: float,
    nuclide: str,
    method: str = "haenscheid",
    effective_half_life_h: float | None = None,
) -> AnalysisResult:
    """TIA (MBq·h) from one measurement of ``activity_MBq`` at ``time_h`` after administration."""
    method_key = str(method).strip().lower().replace("ä", "ae")
    if method_key not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}", "method")
    t = _positive(time_h, "time_h", "measurement time (h)")
    try:
        a = float(activity_MBq)
    except (TypeError, ValueError):
        raise InputError(f"activity must be a number, got {activity_MBq!r}", "activity") from None
    if not (math.isfinite(a) and a >= 0):
        raise InputError("activity cannot be negative", "activity")
    lam_p = physical_decay_constant_per_h(nuclide)
    t_phys_h = LN2 / lam_p
    t_eff = None
    if effective_half_life_h is not None:
        t_eff = _positive(effective_half_life_h, "effective_half_life_h", "effective half-life (h)")
        if t_eff > t_phys_h * (1 + 1e-9):
            raise InputError(
                f"effective half-life {t_eff:g} h exceeds the physical half-life of {nuclide} ({t_phys_h:.4g} h)",
                "effective_half_life_h",
            )
    warnings: list[str] = []
    values: dict[str, Quantity] = {}
    if method_key == "haenscheid":
        tia = a * 2 * t / LN2
        assumptions = [
            "mono-exponential clearance after the measurement",
            "the measurement is made near 1-2 effective half-lives after administration",
        ]
        if t_eff is None:
            warnings.append(
                "validity not checked: give the expected effective half-life; the approximation is within "
                "±10 % of a mono-exponential TIA only for 0.764 ≤ t/T_eff ≤ 2.437"
            )
        else:
            ratio = haenscheid_ratio(t, t_eff)
            values["t_over_T_eff"] = Quantity(t / t_eff)
            values["ratio_to_mono_exponential"] = Quantity(ratio, note="2x·e^(−x)/ln2, x = ln2·t/T_eff")
            lo, hi = VALID_RANGE_T_OVER_TEFF
            if not lo <= t / t_eff <= hi:
                warnings.append(
                    f"t/T_eff = {t / t_eff:.3g} is outside {lo}-{hi}: for a mono-exponential curve the "
                    f"Hänscheid estimate is {100 * (ratio - 1):+.0f} % off"
                )
    elif method_key == "physical":
        if t_eff is not None and abs(t_eff / t_phys_h - 1) > 1e-6:
            raise InputError(
                "physical decay only needs no effective half-life (it is the physical half-life)",
                "effective_half_life_h",
            )
        tia = a * math.exp(lam_p * t) / lam_p
        assumptions = ["the activity leaves the region only by physical decay (trapped or implanted)"]
        values["lambda_physical_per_h"] = Quantity(lam_p, "1/h")
    else:
        if t_eff is None:
            raise InputError(
                "the Madsen method needs a population effective half-life (--effective-half-life-h)",
                "effective_half_life_h",
            )
        lam = LN2 / t_eff
        tia = a * math.exp(lam * t) / lam
        assumptions = [
            "mono-exponential clearance with the given population effective half-life",
            "the patient's effective half-life equals the population value",
        ]
        values["lambda_eff_per_h"] = Quantity(lam, "1/h")
        if lam * t > 3 * LN2:
            warnings.append(
                f"measurement at {t / t_eff:.2g} effective half-lives: an error in T_eff is amplified by e^(λt)"
            )
    values = {
        "tia_MBq_h": Quantity(tia, "MBq·h", source=SOURCES[method_key]),
        "method": Quantity(method_key),
        "assumptions": Quantity("; ".join(assumptions)),
        **values,
    }
    return AnalysisResult(
        analysis="tia-single-time-point",
        inputs={"time_h": t, "activity_MBq": a, "nuclide": nuclide, "effective_half_life_h": t_eff},
        parameters={"method": method_key, "source": SOURCES[method_key], "valid_t_over_T_eff": VALID_RANGE_T_OVER_TEFF},
        values=values,
        warnings=tuple(warnings),
    )
