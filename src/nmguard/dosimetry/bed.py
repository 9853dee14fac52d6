"""Biologically effective dose (BED) for molecular radiotherapy, linear-quadratic model with incomplete repair.

Dose rate as a sum of exponentials, R(t) = sum_i a_i exp(-lambda_i t) for t >= 0, repair of sub-lethal
damage mono-exponential with mu = ln 2 / T_rep (Dale 1985; Dale 1996). Then

    BED = D (1 + G D / (alpha/beta)),   D = sum_i a_i / lambda_i,
    G   = (2 / D^2) int_0^inf R(t) int_0^t R(w) exp(-mu (t - w)) dw dt
        = (2 / D^2) sum_i sum_j a_i a_j / ((lambda_i + lambda_j) (lambda_i + mu))      (derived here)

(the inner integral is a_j (exp(-lambda_j t) - exp(-mu t)) / (mu - lambda_j); integrating against
a_i exp(-lambda_i t) gives a_i a_j / ((lambda_i + lambda_j)(lambda_i + mu)); the mu = lambda_j pole cancels).

* Instantaneous uptake, mono-exponential clearance (one term): G = lambda / (lambda + mu).
  G -> 1 as lambda -> inf (acute delivery: BED = D (1 + D/(alpha/beta))); G -> 0 as lambda -> 0.
* Finite uptake (``uptake_half_life_h``): R(t) = R0 (exp(-lambda t) - exp(-lambda_u t)), lambda_u > lambda;
  the two-term case of the formula above, checked in the tests against numerical integration.
* Cycles: BED adds over cycles when repair is complete between them (cycle intervals >> T_rep).

lambda is the *effective* decay constant of the dose rate in the tissue (physical and biological).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError
from nmguard.reference.radiobiology import radiobiology_parameters

LN2 = math.log(2.0)


def _positive(value: float, field: str, what: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} {value!r} is not a number", field=field) from None
    if not math.isfinite(x) or x <= 0:
        raise InputError(f"{what} must be a positive finite number, not {value!r}", field=field)
    return x


def _dose(value: float, field: str = "dose_Gy") -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"absorbed dose {value!r} is not a number", field=field) from None
    if not math.isfinite(x) or x < 0:
        raise InputError(f"absorbed dose must be finite and >= 0 Gy, not {value!r}", field=field)
    return x


def lea_catcheside_exponentials(
    amplitudes: Sequence[float], decay_constants_per_h: Sequence[float], repair_half_time_h: float
) -> float:
    """G for a dose rate sum_i a_i exp(-lambda_i t) (any consistent amplitude unit, lambda in 1/h)."""
    if len(amplitudes) != len(decay_constants_per_h) or not amplitudes:
        raise InputError("give one decay constant per amplitude", field="decay_constants_per_h")
    lam = [_positive(x, "decay_constants_per_h", "decay constant") for x in decay_constants_per_h]
    a = [float(x) for x in amplitudes]
    mu = LN2 / _positive(repair_half_time_h, "repair_half_time_h", "repair half-time")
    dose = sum(ai / li for ai, li in zip(a, lam, strict=True))
    if not dose > 0:
        raise InputError("the dose-rate curve integrates to zero or less", field="amplitudes")
    total = sum(a[i] * a[j] / ((lam[i] + lam[j]) * (lam[i] + mu)) for i in range(len(a)) for j in range(len(a)))
    return 2.0 * total / dose**2


def lea_catcheside_mono(effective_half_life_h: float, repair_half_time_h: float) -> float:
    """G = lambda / (lambda + mu) for instantaneous uptake and mono-exponential clearance."""
    lam = LN2 / _positive(effective_half_life_h, "effective_half_life_h", "effective half-life")
    mu = LN2 / _positive(repair_half_time_h, "repair_half_time_h", "repair half-time")
    return lam / (lam + mu)


def lea_catcheside_uptake(effective_half_life_h: float, uptake_half_life_h: float, repair_half_time_h: float) -> float:
    """G for R(t) ∝ exp(-lambda t) - exp(-lambda_u t): finite uptake (T_u) then clearance (T_eff), T_u < T_eff."""
    t_eff = _positive(effective_half_life_h, "effective_half_life_h", "effective half-life")
    t_u = _positive(uptake_half_life_h, "uptake_half_life_h", "uptake half-life")
    if t_u >= t_eff:
        raise InputError(
            "the uptake half-life must be shorter than the effective (clearance) half-life", field="uptake_half_life_h"
        )
    return lea_catcheside_exponentials([1.0, -1.0], [LN2 / t_eff, LN2 / t_u], repair_half_time_h)


def _lq_parameters(tissue, alpha_beta_Gy, repair_half_time_h):
    """(alpha/beta Quantity, T_rep Quantity) from explicit values, else from the tissue's reference row."""
    if tissue is None and (alpha_beta_Gy is None or repair_half_time_h is None):
        raise InputError("name a tissue or give both alpha/beta and the repair half-time", field="tissue")
    ref = radiobiology_parameters(tissue) if tissue is not None else None
    if alpha_beta_Gy is not None:
        ab = Quantity(_positive(alpha_beta_Gy, "alpha_beta_Gy", "alpha/beta"), "Gy", source="user")
    else:
        sv = ref.alpha_beta
        ab = Quantity(sv.value, "Gy", source=sv.source.id, status=sv.status.value, note=sv.note)
    if repair_half_time_h is not None:
        tr = Quantity(_positive(repair_half_time_h, "repair_half_time_h", "repair half-time"), "h", source="user")
    else:
        sv = ref.repair_half_time
        tr = Quantity(sv.value, "h", source=sv.source.id, status=sv.status.value, note=sv.note)
    return ab, tr


def _g_factor(t_eff: float, t_u: float | None, t_rep: float) -> float:
    if t_u is None:
        return lea_catcheside_mono(t_eff, t_rep)
    return lea_catcheside_uptake(t_eff, t_u, t_rep)


def bed_cycles(
    doses_Gy: Sequence[float],
    effective_half_lives_h: Sequence[float] | float,
    *,
    tissue: str | None = None,
    alpha_beta_Gy: float | None = None,
    repair_half_time_h: float | None = None,
    uptake_half_lives_h: Sequence[float | None] | float | None = None,
) -> AnalysisResult:
    """BED summed over cycles (complete repair between cycles); per-cycle G from that cycle's kinetics."""
    doses = [_dose(d, "doses_Gy") for d in doses_Gy]
    if not doses:
        raise InputError("give at least one cycle dose", field="doses_Gy")
    n = len(doses)
    t_effs = (
        [effective_half_lives_h] * n
        if isinstance(effective_half_lives_h, int | float)
        else list(effective_half_lives_h)
    )
    if uptake_half_lives_h is None or isinstance(uptake_half_lives_h, int | float):
        t_ups = [uptake_half_lives_h] * n
    else:
        t_ups = list(uptake_half_lives_h)
    if len(t_effs) != n:
        raise InputError(f"{len(t_effs)} effective half-lives for {n} cycles", field="effective_half_lives_h")
    if len(t_ups) != n:
        raise InputError(f"{len(t_ups)} uptake half-lives for {n} cycles", field="uptake_half_lives_h")
    ab, tr = _lq_parameters(tissue, alpha_beta_Gy, repair_half_time_h)
    gs, beds = [], []
    for d, te, tu in zip(doses, t_effs, t_ups, strict=True):
        g = _g_factor(te, tu, float(tr.value))
        gs.append(g)
        beds.append(d * (1.0 + g * d / float(ab.value)))
    total_bed = sum(beds)
    total_dose = sum(doses)
    eqd2 = total_bed / (1.0 + 2.0 / float(ab.value))
    warnings = []
    if ab.status == "unverified" or tr.status == "unverified":
        warnings.append("the tissue's LQ parameters are unverified reference values; check them before clinical use")
    return AnalysisResult(
        analysis="bed-mono-exponential",
        inputs={
            "doses_Gy": doses,
            "effective_half_lives_h": [float(t) for t in t_effs],
            "uptake_half_lives_h": [None if t is None else float(t) for t in t_ups],
            "tissue": tissue,
        },
        parameters={
            "model": "LQ with incomplete repair (Dale 1985/1996); G = 2/D^2 sum a_i a_j/((l_i+l_j)(l_i+mu))",
            "cycles": "BED summed; complete repair between cycles assumed",
        },
        values={
            "bed_Gy": Quantity(total_bed, "Gy"),
            "eqd2_Gy": Quantity(eqd2, "Gy", note="BED / (1 + 2 Gy / (alpha/beta))"),
            "dose_Gy": Quantity(total_dose, "Gy"),
            "alpha_beta_Gy": ab,
            "repair_half_time_h": tr,
            "g_factors": Quantity(", ".join(f"{g:.6g}" for g in gs)),
            "cycle_bed_Gy": Quantity(", ".join(f"{b:.6g}" for b in beds), "Gy"),
        },
        warnings=tuple(warnings),
    )


def bed_mono_exponential(
    dose_Gy: float,
    effective_half_life_h: float,
    *,
    tissue: str | None = None,
    alpha_beta_Gy: float | None = None,
    repair_half_time_h: float | None = None,
    uptake_half_life_h: float | None = None,
) -> AnalysisResult:
    """BED of one administration: instantaneous uptake (default) or finite uptake, mono-exponential clearance."""
    return bed_cycles(
        [dose_Gy],
        [effective_half_life_h],
        tissue=tissue,
        alpha_beta_Gy=alpha_beta_Gy,
        repair_half_time_h=repair_half_time_h,
        uptake_half_lives_h=[uptake_half_life_h],
    )
