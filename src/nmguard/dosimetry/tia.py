"""Time-integrated activity (TIA) from a time-activity curve: exponential fits and trapezoids.

Models (t in hours from administration, λ in 1/h, every λ ≥ λ_phys = ln2 / T½ of the nuclide; the
amplitudes are ≥ 0, so every model is non-negative for t ≥ 0):

``mono``  A(t) = A1·e^(−λ1 t)                                   TIA = A1/λ1                  (2 parameters)
``bi``    A(t) = A1·(e^(−λ1 t) − e^(−λ2 t)),  λ2 > λ1           TIA = A1·(1/λ1 − 1/λ2)       (3 parameters)
          uptake (rate λ2) then washout (rate λ1), A(0) = 0 (REFERENCE_DATA 7.4: B1 = −A1)
``tri``   A(t) = A1·e^(−λ1 t) + A2·e^(−λ2 t) − (A1 + A2)·e^(−λ3 t),  λ1 < λ2 < λ3
          uptake (rate λ3) and two washout components, A(0) = 0 (C1 = −(A1 + B1))
          TIA = A1/λ1 + A2/λ2 − (A1 + A2)/λ3                                              (5 parameters)
``bi_clearance``  A(t) = A1·e^(−λ1 t) + A2·e^(−λ2 t),  λ_phys ≤ λ1 < λ2, A1, A2 ≥ 0
          two clearance components (e.g. fast renal plus slow tumour-like washout), no uptake phase
          TIA = A1/λ1 + A2/λ2                                                             (4 parameters)
``trapezoid``  straight lines from (0, 0) through the measured points (the curve is taken to start
          at zero activity at administration, as for an organ that takes the activity up; a first point
          at t = 0 is used as measured), then physical decay only after the last point:
          TIA = Σ trapezoids + A(t_last)/λ_phys.
``hybrid`` the same trapezoids, then a mono-exponential tail A(t_last)·e^(−λ(t − t_last)) whose rate is
          the log-linear least-squares fit to the points from the peak on (λ ≥ λ_phys): the method of
          the voxel TIAs (:mod:`nmguard.dosimetry.voxel_tia`, which computes it), for curves that still
          rise after the first point when too few points exist to fit an uptake phase.

The orderings are imposed by fitting differences (λ2 = λ1 + δ2, …, δ > 0) with
``scipy.optimize.curve_fit`` and bounds. Every fit starts from the best of a grid of decay constants
whose amplitudes are solved linearly, then is refined from the three best starts.

Weighting: with ``activity_uncertainty_percent`` each point has σ_i = p·A_i (absolute σ, so the
covariance is not rescaled); without it the fit is unweighted and the covariance is scaled by the
residual variance RSS/(n − k) (unavailable when n = k).

Uncertainty: σ(TIA)² = g·C·gᵀ, g the gradient of the closed-form TIA in the parameters and C the fit
covariance (first-order GUM propagation, as in the EANM guidance, Gear et al. 2018). For the
trapezoid the TIA is linear in the activities, σ² = Σ (w_i σ_i)².

Model choice (``auto``): the corrected Akaike criterion, AICc = n·ln(RSS/n) + 2k + 2k(k+1)/(n − k − 1)
(k = number of fitted parameters; defined only for n ≥ k + 2), the lowest wins; Akaike weights and
BIC = n·ln(RSS/n) + k·ln n are reported too (Glatting et al. 2007 compare AICc with the F-test for this
use). A residual sum below (1e-9 × peak activity)² per point is treated as round-off, so that on exact
data the simplest model that reproduces it wins. A model is rejected when it has too few points, its
fit fails, or its result is non-physical (non-finite or non-positive TIA). When no fitted model has an
AICc, ``auto`` uses ``mono`` if it fitted, else the trapezoid, and says so. When ``auto`` would choose
``mono`` for a curve that rises after its first point while no model with an uptake phase could be
compared (too few points), it uses ``hybrid`` instead: a mono-exponential through an uptake point
over-estimates the early area (by 12 % for a liver curve with a 2 h uptake sampled at 4/24/72/168 h).

Why one module of about 750 lines: the curve models, their fits and the AICc choice between them share parameter
bounds and the physical-decay floor; one module keeps them consistent.
"""

from __future__ import annotations

import itertools
import math
import warnings as _warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit
from scipy.stats import chi2 as _chi2
from scipy.stats import f as _f_dist

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError
from nmguard.reference import get_nuclide

LN2 = math.log(2.0)
MODELS = ("auto", "mono", "bi", "tri", "bi_clearance", "trapezoid", "hybrid")
FIT_MODELS = ("mono", "bi", "tri", "bi_clearance")
N_PARAMS = {"mono": 2, "bi": 3, "tri": 5, "bi_clearance": 4, "trapezoid": 0, "hybrid": 0}
ROUND_OFF = 1e-9
# Residuals whose size (relative to the peak activity) is below this are round-off of the fit (its tolerances
# are 1e-15; 1e-6 leaves room for the exponentials' conditioning): a numerical setting, not a clinical one.
RESIDUAL_ROUND_OFF = 1e-6
# Evaluation budget per start: the bi-clearance fit of a curve with no second component drifts along a
# flat valley (A2 → 0, λ2 free) until the budget ends without changing the TIA; 2000 keeps it fast.
MAX_NFEV = {"bi_clearance": 2000}


def _selection():
    """The model-choice thresholds from reference data (therapy_dosimetry.toml [tia_model_selection]):
    misfit significance level (Bevington & Robinson), ΔAICc for "not distinguishable" (Burnham & Anderson)
    and the largest extrapolated share of a TIA that a chosen fit may have (NMGuard policy)."""
    from nmguard.reference.therapy_dosimetry import tia_selection

    return tia_selection()


SOURCES = {
    "models": "REFERENCE_DATA.md 7.4 (multi-exponential forms and uptake constraints as in PyTheranostics)",
    "uncertainty": "gear-2018-eanm-uncertainty",
    "selection": "glatting-2007-aicc",
    "thresholds": "therapy_dosimetry.toml [tia_model_selection]",
}


@dataclass(frozen=True)
class _Model:
    name: str
    names: tuple[str, ...]  # natural parameter names
    units: tuple[str, ...]
    f: Callable[..., np.ndarray]  # f(t, *raw)
    to_natural: np.ndarray  # natural = M @ raw (linear)
    tia: Callable[[np.ndarray], float]  # natural -> TIA
    grad: Callable[[np.ndarray], np.ndarray]  # natural -> dTIA/dnatural


def _mono(t, a1, l1):
    return a1 * np.exp(-l1 * t)


def _bi(t, a1, l1, d2):
    return a1 * (np.exp(-l1 * t) - np.exp(-(l1 + d2) * t))


def _tri(t, a1, a2, l1, d2, d3):
    l2 = l1 + d2
    l3 = l2 + d3
    return a1 * np.exp(-l1 * t) + a2 * np.exp(-l2 * t) - (a1 + a2) * np.exp(-l3 * t)


def _bi_clearance(t, a1, a2, l1, d2):
    return a1 * np.exp(-l1 * t) + a2 * np.exp(-(l1 + d2) * t)


_MODELS = {
    "mono": _Model(
        "mono",
        ("A1", "lambda1"),
        ("MBq", "1/h"),
        _mono,
        np.eye(2),
        lambda p: p[0] / p[1],
        lambda p: np.array([1 / p[1], -p[0] / p[1] ** 2]),
    ),
    "bi": _Model(
        "bi",
        ("A1", "lambda1", "lambda2"),
        ("MBq", "1/h", "1/h"),
        _bi,
        np.array([[1, 0, 0], [0, 1, 0], [0, 1, 1]], dtype=float),
        lambda p: p[0] * (1 / p[1] - 1 / p[2]),
        lambda p: np.array([1 / p[1] - 1 / p[2], -p[0] / p[1] ** 2, p[0] / p[2] ** 2]),
    ),
    "tri": _Model(
        "tri",
        ("A1", "A2", "lambda1", "lambda2", "lambda3"),
        ("MBq", "MBq", "1/h", "1/h", "1/h"),
        _tri,
        np.array([[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 1, 1, 0], [0, 0, 1, 1, 1]], dtype=float),
        lambda p: p[0] / p[2] + p[1] / p[3] - (p[0] + p[1]) / p[4],
        lambda p: np.array(
            [
                1 / p[2] - 1 / p[4],
                1 / p[3] - 1 / p[4],
                -p[0] / p[2] ** 2,
                -p[1] / p[3] ** 2,
                (p[0] + p[1]) / p[4] ** 2,
            ]
        ),
    ),
    "bi_clearance": _Model(
        "bi_clearance",
        ("A1", "A2", "lambda1", "lambda2"),
        ("MBq", "MBq", "1/h", "1/h"),
        _bi_clearance,
        np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 1]], dtype=float),
        lambda p: p[0] / p[2] + p[1] / p[3],
        lambda p: np.array([1 / p[2], 1 / p[3], -p[0] / p[2] ** 2, -p[1] / p[3] ** 2]),
    ),
}


@dataclass
class Candidate:
    model: str
    n_params: int
    status: str  # "fitted", "rejected"
    reason: str | None = None
    tia_MBq_h: float | None = None
    sigma_MBq_h: float | None = None
    rss: float | None = None
    aicc: float | None = None
    bic: float | None = None
    weight: float | None = None
    parameters: dict[str, Any] | None = None
    misfit: bool = False
    fit_test: str | None = None  # how the misfit was judged, or why it could not be
    fit_p_value: float | None = None
    reduced_chi_square: float | None = None
    early_fraction: float | None = None  # share of the TIA before the first time point

    @property
    def undetermined(self) -> bool:
        return self.early_fraction is not None and self.early_fraction > _selection().extrapolated_max_fraction.value

    def to_dict(self) -> dict[str, Any]:
        def fin(x):
            return None if x is None or not math.isfinite(x) else x

        return {
            "model": self.model,
            "n_params": self.n_params,
            "status": self.status,
            "reason": self.reason,
            "tia_MBq_h": fin(self.tia_MBq_h),
            "tia_uncertainty_MBq_h": fin(self.sigma_MBq_h),
            "rss": fin(self.rss),
            "aicc": fin(self.aicc),
            "bic": fin(self.bic),
            "aicc_weight": fin(self.weight),
            "parameters": self.parameters,
            "misfit": self.misfit,
            "fit_test": self.fit_test,
            "fit_p_value": fin(self.fit_p_value),
            "reduced_chi_square": fin(self.reduced_chi_square),
            "tia_fraction_before_first_point": fin(self.early_fraction),
        }


# --------------------------------------------------------------------------- input


def _as_floats(values: Sequence[float], field: str) -> np.ndarray:
    try:
        arr = np.asarray([float(v) for v in values], dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{field.replace('_', ' ')}: every value must be a number", field) from None
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{field.replace('_', ' ')}: every value must be finite", field)
    return arr


def check_curve(times_h: Sequence[float], activities_MBq: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Validated arrays; raises :class:`InputError` naming ``times_h`` or ``activities_MBq``."""
    t = _as_floats(times_h, "times_h")
    a = _as_floats(activities_MBq, "activities_MBq")
    if len(t) != len(a):
        raise InputError(f"{len(t)} times but {len(a)} activities: give one activity per time", "activities_MBq")
    if len(t) < 2:
        raise InputError(f"at least 2 time points are needed, got {len(t)}", "times_h")
    if np.any(t < 0):
        raise InputError("times cannot be negative (hours after administration)", "times_h")
    if np.any(np.diff(t) <= 0):
        raise InputError("times must increase strictly (no repeats, in order)", "times_h")
    if np.any(a < 0):
        raise InputError("activities cannot be negative", "activities_MBq")
    if not np.any(a > 0):
        raise InputError("at least one activity must be above zero", "activities_MBq")
    return t, a


def physical_decay_constant_per_h(nuclide: str) -> float:
    try:
        n = get_nuclide(nuclide)
    except InputError as exc:
        raise InputError(exc.message, "nuclide") from None
    return LN2 / (n.half_life_s / 3600.0)


# --------------------------------------------------------------------------- fits


def _sigma(a: np.ndarray, pct: float | None) -> np.ndarray | None:
    if pct is None:
        return None
    return np.maximum(pct / 100.0 * a, pct / 100.0 * 1e-3 * a.max())


def _rate_grid(t: np.ndarray, lam_p: float) -> np.ndarray:
    t_pos = t[t > 0]
    lo = max(lam_p, 0.01 / t.max())
    hi = max(20.0 / t_pos.min(), 10 * lo)
    return np.unique(np.concatenate([[lam_p], np.geomspace(lo, hi, 30)]))


def _starts(model: str, t: np.ndarray, a: np.ndarray, w: np.ndarray, lam_p: float) -> list[np.ndarray]:
    """Raw starting vectors: rates from a grid, amplitudes by linear (weighted) least squares."""
    grid = _rate_grid(t, lam_p)
    scored: list[tuple[float, np.ndarray]] = []
    if model == "mono":
        combos = [(l1,) for l1 in grid]
    elif model in ("bi", "bi_clearance"):
        combos = list(itertools.combinations(grid, 2))
    else:
        combos = list(itertools.combinations(grid[::2], 3))
    for rates in combos:
        if model == "mono":
            basis = np.exp(-rates[0] * t)[:, None]
        elif model == "bi":
            basis = (np.exp(-rates[0] * t) - np.exp(-rates[1] * t))[:, None]
        elif model == "bi_clearance":
            basis = np.stack([np.exp(-rates[0] * t), np.exp(-rates[1] * t)], axis=1)
        else:
            e3 = np.exp(-rates[2] * t)
            basis = np.stack([np.exp(-rates[0] * t) - e3, np.exp(-rates[1] * t) - e3], axis=1)
        amp, *_ = np.linalg.lstsq(basis * w[:, None], a * w, rcond=None)
        amp = np.maximum(amp, 0.0)
        rss = float(np.sum(((basis @ amp - a) * w) ** 2))
        if model == "mono":
            raw = np.array([amp[0], rates[0]])
        elif model == "bi":
            raw = np.array([amp[0], rates[0], rates[1] - rates[0]])
        elif model == "bi_clearance":
            raw = np.array([amp[0], amp[1], rates[0], rates[1] - rates[0]])
        else:
            raw = np.array([amp[0], amp[1], rates[0], rates[1] - rates[0], rates[2] - rates[1]])
        scored.append((rss, raw))
    scored.sort(key=lambda s: s[0])
    return [raw for _, raw in scored[:3]]


def _bounds(model: str, lam_p: float) -> tuple[list[float], list[float]]:
    tiny = 1e-12
    if model == "mono":
        return [0.0, lam_p], [np.inf, np.inf]
    if model == "bi":
        return [0.0, lam_p, tiny], [np.inf, np.inf, np.inf]
    if model == "bi_clearance":
        return [0.0, 0.0, lam_p, tiny], [np.inf] * 4
    return [0.0, 0.0, lam_p, tiny, tiny], [np.inf] * 5


def _fit(model: str, t, a, lam_p, pct) -> tuple[np.ndarray, np.ndarray, float]:
    """Best raw parameters, their covariance and the (weighted) residual sum of squares."""
    spec = _MODELS[model]
    sigma = _sigma(a, pct)
    w = 1.0 / sigma if sigma is not None else np.ones_like(a)
    lo, hi = _bounds(model, lam_p)
    best = None
    for p0 in _starts(model, t, a, w, lam_p):
        p0 = np.clip(p0, np.array(lo) + 1e-12 * np.abs(p0) + 1e-15, hi)
        p0[0] = max(p0[0], 1e-9 * a.max())
        try:
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore", OptimizeWarning)
                popt, pcov = curve_fit(
                    spec.f,
                    t,
                    a,
                    p0=p0,
                    sigma=sigma,
                    absolute_sigma=sigma is not None,
                    bounds=(lo, hi),
                    method="trf",
                    x_scale="jac",
                    ftol=1e-15,
                    xtol=1e-15,
                    gtol=1e-15,
                    max_nfev=MAX_NFEV.get(model, 20000),
                )
        except (RuntimeError, ValueError):
            continue
        rss = float(np.sum(((spec.f(t, *popt) - a) * w) ** 2))
        if np.all(np.isfinite(popt)) and (best is None or rss < best[2]):
            best = (popt, pcov, rss)
    if best is None:
        raise RuntimeError("the least-squares fit did not converge from any start")
    return best


def _criteria(n: int, k: int, rss: float, floor: float) -> tuple[float, float]:
    rss = max(rss, floor)
    base = n * math.log(rss / n)
    bic = base + k * math.log(n)
    if n - k - 1 < 1:
        return math.inf, bic
    return base + 2 * k + 2 * k * (k + 1) / (n - k - 1), bic


def _fit_candidate(model: str, t, a, lam_p, pct, floor: float) -> Candidate:
    spec = _MODELS[model]
    n, k = len(t), N_PARAMS[model]
    cand = Candidate(model, k, "rejected")
    if n < k:
        cand.reason = f"too few points: {n} points for {k} parameters"
        return cand
    try:
        raw, cov, rss = _fit(model, t, a, lam_p, pct)
    except RuntimeError as exc:
        cand.reason = f"fit failed: {exc}"
        return cand
    nat = spec.to_natural @ raw
    tia = float(spec.tia(nat))
    if not math.isfinite(tia) or tia <= 0:
        cand.reason = f"non-physical: TIA {tia:g} MBq·h"
        return cand
    with np.errstate(invalid="ignore", over="ignore"):  # an infinite covariance (n = k) gives no uncertainty
        cov_nat = spec.to_natural @ cov @ spec.to_natural.T
        g = spec.grad(nat)
        var = float(g @ cov_nat @ g)
    sigma = math.sqrt(var) if math.isfinite(var) and var >= 0 else None
    sd = np.sqrt(np.where(np.diag(cov_nat) >= 0, np.diag(cov_nat), np.nan))
    params: dict[str, Any] = {}
    for name, unit, value, s in zip(spec.names, spec.units, nat, sd, strict=True):
        params[name] = {"value": float(value), "unit": unit, "sd": float(s) if math.isfinite(s) else None}
        if name.startswith("lambda"):
            params["T_eff_" + name[-1] + "_h"] = {"value": LN2 / float(value), "unit": "h", "sd": None}
    cand.status = "fitted"
    cand.tia_MBq_h, cand.sigma_MBq_h, cand.rss, cand.parameters = tia, sigma, rss, params
    if t[0] > 0:
        early = np.linspace(0.0, float(t[0]), 2001)
        cand.early_fraction = float(np.trapezoid(spec.f(early, *raw), early)) / tia
    cand.aicc, cand.bic = _criteria(n, k, rss, floor)
    if not math.isfinite(cand.aicc):
        cand.reason = f"AICc undefined: {n} points for {k} parameters (needs at least {k + 2})"
    return cand


def judge_fits(fits: Sequence[Candidate], n: int, pct: float | None, peak: float, floor: float) -> None:
    """Mark the fitted models whose residuals show structure beyond the noise (``misfit``), in place.

    Why: AICc only ranks the candidates; when every candidate is wrong (a single exponential through a
    two-component clearance) the best of them is still chosen. With a stated activity uncertainty the
    weighted residual sum is tested as χ² with n − k degrees of freedom; a model with as many parameters
    as points (ν = 0) misfits when it cannot pass through them (χ² above the 1-ν critical value). Without
    one, the noise is estimated from the residuals of the fitted model with the most parameters that
    still has a spare point, and each simpler model gets the extra-sum-of-squares F-test against it
    (exact for nested models, mono ⊂ bi_clearance; approximate otherwise), or, when it has no spare
    point, misfits if its residuals exceed round-off.
    """
    fitted = [c for c in fits if c.status == "fitted" and c.rss is not None]
    if pct is not None:
        for c in fitted:
            nu = n - c.n_params
            chi = max(float(c.rss), 0.0)
            if nu < 1:
                c.misfit = chi > float(_chi2.isf(_selection().misfit_alpha.value, 1))
                c.fit_test = (
                    f"{n} points for {c.n_params} parameters: no residual check beyond passing through the points "
                    f"(χ² = {chi:.3g})"
                )
                continue
            c.reduced_chi_square = chi / nu
            c.fit_p_value = float(_chi2.sf(chi, nu))
            c.misfit = c.fit_p_value < _selection().misfit_alpha.value
            c.fit_test = (
                f"χ² against the stated {pct:g} % activity uncertainty: χ²/ν = {chi / nu:.3g} (ν = {nu}), "
                f"p = {c.fit_p_value:.2g}"
            )
        return
    spare = [c for c in fitted if n > c.n_params]
    ref = max(spare, key=lambda c: (c.n_params, -float(c.rss))) if spare else None
    for c in fitted:
        rss = max(float(c.rss), floor)
        if n <= c.n_params:
            c.misfit = math.sqrt(float(c.rss) / n) > RESIDUAL_ROUND_OFF * peak
            c.fit_test = f"{n} points for {c.n_params} parameters: no residual check beyond passing through the points"
            continue
        if ref is None or c.n_params >= ref.n_params:
            c.fit_test = (
                "no residual check: no stated activity uncertainty and no model with more parameters to test against"
            )
            continue
        nu = n - ref.n_params
        s2 = max(float(ref.rss), floor) / nu
        dk = ref.n_params - c.n_params
        stat = max(rss - max(float(ref.rss), floor), 0.0) / dk / s2
        c.fit_p_value = float(_f_dist.sf(stat, dk, nu))
        c.misfit = c.fit_p_value < _selection().misfit_alpha.value
        c.fit_test = (
            f"F-test of the residuals against {ref.model} (no stated activity uncertainty): p = {c.fit_p_value:.2g}"
        )


def _model_spread(chosen: Candidate, fits: Sequence[Candidate]) -> tuple[float, list[Candidate]]:
    """Half the largest TIA difference to a fitted model the data cannot tell from ``chosen``, and those models.

    Why half: the stated k = 2 interval then reaches every model that the data neither reject (misfit) nor
    rank clearly below the chosen one (ΔAICc > the reference data's distinguishable ΔAICc, where both have an
    AICc), except fits whose own TIA is undetermined (fit uncertainty above 100 %), which would only say
    "anything goes"."""
    close = []
    for c in fits:
        if c is chosen or c.status != "fitted" or c.misfit or c.undetermined or c.tia_MBq_h is None:
            continue
        if c.sigma_MBq_h is not None and c.sigma_MBq_h > c.tia_MBq_h:
            continue  # its own TIA is undetermined (σ above 100 %): it carries no information on the TIA
        both = c.aicc is not None and chosen.aicc is not None and math.isfinite(c.aicc) and math.isfinite(chosen.aicc)
        if both and c.aicc - chosen.aicc > _selection().distinguishable_delta_aicc.value:
            continue
        close.append(c)
    spread = max((abs(c.tia_MBq_h - chosen.tia_MBq_h) / 2 for c in close), default=0.0)
    return spread, close


def trapezoid_tia(t: np.ndarray, a: np.ndarray, lam_p: float) -> tuple[float, np.ndarray]:
    """TIA from (0, 0) through the points plus the physical-decay tail, and the weight of each activity."""
    tt = np.concatenate([[0.0], t]) if t[0] > 0 else t
    dt = np.diff(tt)
    wfull = np.zeros_like(tt)
    wfull[:-1] += dt / 2
    wfull[1:] += dt / 2
    wfull[-1] += 1.0 / lam_p
    weights = wfull[1:] if t[0] > 0 else wfull
    return float(weights @ a), weights


def hybrid_tia(t: np.ndarray, a: np.ndarray, lam_p: float) -> tuple[float, float]:
    """Trapezoids from (0, 0) plus a mono-exponential tail fitted from the peak on: (TIA, tail rate λ)."""
    from nmguard.dosimetry.voxel_tia import voxel_tia_Bq_h

    tail_points = len(t) - int(np.argmax(a))
    tia, lam = voxel_tia_Bq_h(t, [np.asarray(x) for x in a], lam_p, tail_points=max(tail_points, 2))
    return float(tia), float(lam)


def _hybrid_candidate(t, a, lam_p, pct) -> Candidate:
    tia, lam = hybrid_tia(t, a, lam_p)
    sigma = None
    if pct is not None:  # first-order propagation, gradient by central differences of the closed form
        grad = np.empty_like(a)
        for i in range(len(a)):
            h = 1e-6 * a[i]
            up, down = a.copy(), a.copy()
            up[i] += h
            down[i] -= h
            grad[i] = (hybrid_tia(t, up, lam_p)[0] - hybrid_tia(t, down, lam_p)[0]) / (2 * h)
        sigma = float(np.sqrt(np.sum((grad * pct / 100.0 * a) ** 2)))
    params = {
        "tail_points": {"value": len(t) - int(np.argmax(a)), "unit": "", "sd": None},
        "lambda_tail": {"value": lam, "unit": "1/h", "sd": None},
        "T_eff_tail_h": {"value": LN2 / lam, "unit": "h", "sd": None},
    }
    return Candidate("hybrid", 0, "fitted", None, tia, sigma, parameters=params)


def _trapezoid_candidate(t, a, lam_p, pct) -> Candidate:
    tia, weights = trapezoid_tia(t, a, lam_p)
    sigma = None
    if pct is not None:
        sigma = float(np.sqrt(np.sum((weights * pct / 100.0 * a) ** 2)))
    tail = a[-1] / lam_p
    params = {
        "start": {"value": "(0, 0)" if t[0] > 0 else "first point at t = 0", "unit": "", "sd": None},
        "tail_MBq_h": {"value": float(tail), "unit": "MBq·h", "sd": None},
        "lambda_phys": {"value": lam_p, "unit": "1/h", "sd": None},
    }
    return Candidate("trapezoid", 0, "fitted", None, tia, sigma, parameters=params)


# --------------------------------------------------------------------------- public


def fit_tia(
    times_h: Sequence[float],
    activities_MBq: Sequence[float],
    nuclide: str,
    model: str = "auto",
    activity_uncertainty_percent: float | None = None,
) -> AnalysisResult:
    """Time-integrated activity ∫₀^∞ A(t) dt (MBq·h) of a time-activity curve; see the module docstring."""
    model_key = str(model).strip().lower()
    if model_key not in MODELS:
        raise InputError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}", "model")
    t, a = check_curve(times_h, activities_MBq)
    lam_p = physical_decay_constant_per_h(nuclide)
    pct = activity_uncertainty_percent
    if pct is not None:
        if not (math.isfinite(float(pct)) and float(pct) > 0):
            raise InputError("activity uncertainty must be a positive percentage", "activity_uncertainty_percent")
        pct = float(pct)
    n = len(t)
    if model_key in FIT_MODELS and n < N_PARAMS[model_key]:
        raise InputError(
            f"model {model_key} has {N_PARAMS[model_key]} parameters and needs at least that many points; got {n}",
            "times_h",
        )
    w = 1.0 / _sigma(a, pct) if pct is not None else np.ones_like(a)
    floor = n * (ROUND_OFF * float(np.max(a * w))) ** 2
    fits = [_fit_candidate(m, t, a, lam_p, pct, floor) for m in FIT_MODELS]
    finite = [c for c in fits if c.status == "fitted" and c.aicc is not None and math.isfinite(c.aicc)]
    if finite:
        best_aicc = min(c.aicc for c in finite)
        total = sum(math.exp(-(c.aicc - best_aicc) / 2) for c in finite)
        for c in finite:
            c.weight = math.exp(-(c.aicc - best_aicc) / 2) / total
    trap = _trapezoid_candidate(t, a, lam_p, pct)
    hybrid = _hybrid_candidate(t, a, lam_p, pct)
    candidates = [*fits, trap, hybrid]
    by_name = {c.model: c for c in candidates}
    warnings: list[str] = []
    judge_fits(fits, n, pct, float(np.max(a * w)), floor)
    spread, close = 0.0, []
    if model_key == "auto":
        uptake_comparable = any(c in finite for c in (by_name["bi"], by_name["tri"]))
        fitted = [c for c in fits if c.status == "fitted"]
        accepted = [c for c in fitted if not c.misfit and not c.undetermined]
        ranked = [c for c in accepted if c in finite]
        checked = [c for c in accepted if c.fit_p_value is not None]
        if ranked:
            best = min(c.aicc for c in ranked)
            near = [c for c in ranked if c.aicc - best <= _selection().distinguishable_delta_aicc.value]
            chosen = min(near, key=lambda c: (c.n_params, c.aicc))
            reason = f"lowest AICc ({chosen.aicc:.4g}; Akaike weight {chosen.weight:.3f})"
            if chosen.aicc > best:
                reason = (
                    f"fewest parameters among the models within ΔAICc "
                    f"{_selection().distinguishable_delta_aicc.value:g} of the lowest "
                    f"(AICc {chosen.aicc:.4g}; Akaike weight {chosen.weight:.3f})"
                )
            if len(ranked) < len(finite):
                reason += " among the models whose residuals fit the data"
        elif checked or (accepted and by_name["mono"] not in accepted):
            chosen = min(accepted, key=lambda c: (max(float(c.rss), floor), c.n_params))
            reason = (
                "too few points for AICc; smallest residual among the models whose residuals fit the data "
                f"({', '.join(c.model for c in accepted)})"
            )
        elif by_name["mono"].status == "fitted" and not by_name["mono"].misfit:
            chosen = by_name["mono"]
            reason = "no model has an AICc with so few points; mono-exponential used as the simplest fit"
            warnings.append(f"{n} points are too few to compare models by AICc; mono-exponential fit used")
        elif fitted:
            chosen = min(finite, key=lambda c: c.aicc) if finite else min(fitted, key=lambda c: float(c.rss))
            reason = "every exponential model misfits the data; the least bad one is used"
            warnings.append(
                "every exponential model shows residual structure beyond the stated activity uncertainty "
                f"({'; '.join(f'{c.model}: {c.fit_test}' for c in fitted)}): check the points, or give a larger "
                "uncertainty; the fit uncertainty is scaled by √(χ²/ν)"
            )
        else:
            chosen = trap
            reason = "no exponential model could be fitted; trapezoid with physical-decay tail used"
            warnings.append("no exponential model could be fitted; trapezoid with physical-decay tail used")
        if chosen.model in FIT_MODELS and int(np.argmax(a)) > 0 and not uptake_comparable:
            chosen = hybrid
            reason = (
                "the activity rises after the first point and too few points exist to fit an uptake phase: "
                "trapezoids to the last point, then a mono-exponential tail fitted from the peak"
            )
        spread, close = _model_spread(chosen, fits)
        for c in fitted:
            if c.misfit and c is not chosen and c.reason is None:
                c.reason = f"misfit: {c.fit_test}"
            elif c.undetermined and c is not chosen and c.reason is None:
                c.reason = (
                    f"undetermined: {100 * c.early_fraction:.0f} % of its TIA lies before the first point "
                    "(a component extrapolated back to administration)"
                )
    else:
        chosen = by_name[model_key]
        reason = "requested"
        if chosen.status != "fitted":
            raise InputError(f"model {model_key} cannot be used: {chosen.reason}", "model")
        if chosen.misfit:
            warnings.append(f"the requested model {model_key} misfits the data ({chosen.fit_test})")
    for c in fits:
        if c is chosen or c.status != "fitted":
            continue
        if model_key == "auto" and c.weight is not None and c.reason is None:
            if chosen.aicc is None:
                c.reason = "cannot model the uptake seen in the data (the hybrid was used)"
            elif c.aicc < chosen.aicc:
                c.reason = (
                    f"lower AICc by {chosen.aicc - c.aicc:.3g} "
                    f"(within {_selection().distinguishable_delta_aicc.value:g}) but more "
                    "parameters: not distinguishable, the simpler model is used"
                )
            else:
                c.reason = f"higher AICc (ΔAICc {c.aicc - chosen.aicc:.3g})"
    if chosen.sigma_MBq_h is None:
        warnings.append(
            "TIA uncertainty not available: give the activity uncertainty, or more points than fitted parameters"
        )
    if chosen.model == "hybrid":
        tail_h = hybrid.parameters["T_eff_tail_h"]["value"]
        warnings.append(
            f"hybrid: uptake as straight lines from (0, 0); tail effective half-life {tail_h:.4g} h "
            f"fitted on {hybrid.parameters['tail_points']['value']} point(s) from the peak"
        )
    if chosen.model == "trapezoid":
        warnings.append(
            "trapezoid starts at (0, 0) and assumes physical decay only after the last point; "
            "it over-estimates when biological clearance continues"
        )
    lam_last = None
    if chosen.model == "mono" and int(np.argmax(a)) > 0:
        warnings.append(
            "the activity rises before it falls but the mono-exponential model has no uptake phase: "
            "more points (at least 5 for the bi-exponential) would let the uptake be fitted"
        )
    if chosen.model in FIT_MODELS:
        lam_last = chosen.parameters["lambda1"]["value"]
        if t[-1] * lam_last < LN2:
            warnings.append(
                f"last point at {t[-1]:g} h is less than one effective half-life ({LN2 / lam_last:.3g} h) of the "
                "slowest component: the extrapolated part of the TIA dominates"
            )
    tia = chosen.tia_MBq_h
    sigma_fit = chosen.sigma_MBq_h
    if sigma_fit is not None and chosen.misfit and (chosen.reduced_chi_square or 0) > 1:
        sigma_fit *= math.sqrt(chosen.reduced_chi_square)  # Birge ratio: the scatter the model leaves
    if chosen.model in FIT_MODELS and n - chosen.n_params <= 1:
        check = "cannot be checked" if chosen.fit_p_value is None else "are checked on one degree of freedom"
        warnings.append(
            f"{n} points for the {chosen.n_params} parameters of {chosen.model}: its residuals {check} (more "
            "points, or the activity uncertainty, would help); its uncertainty is a linear approximation and "
            "may be too small"
        )
    # named only when it matters: a model term of a third of the fit term raises the total by 5 %
    if close and spread > 0.0 and (sigma_fit is None or spread >= sigma_fit / 3):
        alt = ", ".join(f"{c.model} {c.tia_MBq_h:.4g} MBq·h" for c in close)
        warnings.append(
            f"the data cannot distinguish {chosen.model} ({tia:.4g} MBq·h) from {alt}: the model uncertainty "
            f"±{spread:.3g} MBq·h (half the largest difference) is included in the stated uncertainty"
        )
    sigma = math.hypot(sigma_fit, spread) if sigma_fit is not None else None
    unc_pct = 100.0 * sigma / tia if sigma is not None else None
    flat_params = {k: v["value"] for k, v in (chosen.parameters or {}).items()}
    values = {
        "tia_MBq_h": Quantity(tia, "MBq·h"),
        "model": Quantity(chosen.model),
        "parameters": Quantity(flat_params),  # type: ignore[arg-type]
        "tia_uncertainty_percent": Quantity(unc_pct, "%", source=SOURCES["uncertainty"]),
        "tia_uncertainty_MBq_h": Quantity(sigma, "MBq·h"),
        "model_reason": Quantity(reason),
        "lambda_phys_per_h": Quantity(lam_p, "1/h", note=f"ln2 / T½ of {nuclide}"),
        "candidates": Quantity([c.to_dict() for c in candidates]),  # type: ignore[arg-type]
        "tia_fit_uncertainty_MBq_h": Quantity(sigma_fit, "MBq·h", note="propagated fit covariance"),
        "tia_model_uncertainty_MBq_h": Quantity(
            spread, "MBq·h", note="half the largest TIA difference to a model the data cannot tell apart"
        ),
        "misfit": Quantity(bool(chosen.misfit)),
        "fit_test": Quantity(chosen.fit_test),
    }
    return AnalysisResult(
        analysis="tia-fit",
        inputs={
            "times_h": [float(x) for x in t],
            "activities_MBq": [float(x) for x in a],
            "nuclide": nuclide,
            "activity_uncertainty_percent": pct,
        },
        parameters={
            "model": model_key,
            "selection": (
                "models whose residuals misfit (χ² against the stated uncertainty, or F-test) are set aside, "
                "then AICc (k = fitted parameters); BIC reported"
            ),
            "misfit_alpha": _selection().misfit_alpha.value,
            "distinguishable_delta_aicc": _selection().distinguishable_delta_aicc.value,
            "extrapolated_max_fraction": _selection().extrapolated_max_fraction.value,
            "trapezoid_start": "(0, 0)",
            "sources": SOURCES,
        },
        values=values,
        warnings=tuple(warnings),
    )
