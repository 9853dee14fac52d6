"""Chi-square test of a counting system (well counter, uptake probe) from N repeated counts.

χ² = Σ (xᵢ − x̄)² / x̄ with N − 1 degrees of freedom; p = P(χ²_{N−1} ≥ χ²), the upper-tail probability, from
the regularised upper incomplete gamma function Q(k/2, χ²/2) computed here (series / continued fraction), so
the pure layer needs no SciPy. Accepted when p lies in the catalogue band of ``counter-chi-square``
(0.05 ≤ p ≤ 0.95 for the shipped data) or the department's band.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError
from nmguard.qc.catalogue import get_qc_test
from nmguard.qc.evaluation import BandOverride, evaluate

TEST_ID = "counter-chi-square"
_EPS = 1e-15
_MAX_ITER = 10_000


def _gamma_series_p(a: float, x: float) -> float:
    """Regularised lower incomplete gamma P(a, x) by its power series (good for x < a + 1)."""
    term = 1.0 / a
    total = term
    n = a
    for _ in range(_MAX_ITER):
        n += 1.0
        term *= x / n
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _gamma_cf_q(a: float, x: float) -> float:
    """Regularised upper incomplete gamma Q(a, x) by its continued fraction, modified Lentz (x ≥ a + 1)."""
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_ITER):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < tiny:
            d = tiny
        c = b + an / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return h * math.exp(-x + a * math.log(x) - math.lgamma(a))


def regularized_gamma_q(a: float, x: float) -> float:
    """Q(a, x) = Γ(a, x) / Γ(a), for a > 0, x ≥ 0."""
    if not (a > 0 and math.isfinite(a)) or not (x >= 0 and math.isfinite(x)):
        raise InputError(f"incomplete gamma needs a > 0 and x >= 0, got a={a!r}, x={x!r}", "x")
    if x == 0:
        return 1.0
    if x < a + 1.0:
        return 1.0 - _gamma_series_p(a, x)
    return _gamma_cf_q(a, x)


def chi2_sf(chi2: float, dof: int) -> float:
    """Upper-tail probability P(χ²_dof ≥ chi2)."""
    if isinstance(dof, bool) or int(dof) != dof or dof < 1:
        raise InputError(f"degrees of freedom must be a positive integer, got {dof!r}", "dof")
    return regularized_gamma_q(dof / 2.0, chi2 / 2.0)


def chi2_cdf(chi2: float, dof: int) -> float:
    """P(χ²_dof ≤ chi2)."""
    return 1.0 - chi2_sf(chi2, dof)


def chi2_isf(p: float, dof: int) -> float:
    """The χ² value whose upper-tail probability is ``p`` (bisection on :func:`chi2_sf`)."""
    if not 0.0 < p < 1.0:
        raise InputError(f"probability must lie strictly between 0 and 1, got {p!r}", "p")
    lo, hi = 0.0, max(10.0, 2.0 * dof)
    while chi2_sf(hi, dof) > p:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if chi2_sf(mid, dof) > p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


def chi_square_statistic(counts: Sequence[float]) -> tuple[float, float]:
    """(χ², mean) of repeated counts; at least three, non-negative, not all zero."""
    values = []
    for i, c in enumerate(counts, start=1):
        if isinstance(c, bool):
            raise InputError(f"count {i} {c!r} is not a number", "counts")
        try:
            v = float(c)
        except (TypeError, ValueError):
            raise InputError(f"count {i} {c!r} is not a number", "counts") from None
        if not math.isfinite(v) or v < 0:
            raise InputError(f"count {i} must be a finite, non-negative number of counts, got {c!r}", "counts")
        values.append(v)
    if len(values) < 3:
        raise InputError(f"the chi-square test needs at least 3 repeated counts, got {len(values)}", "counts")
    mean = sum(values) / len(values)
    if mean <= 0:
        raise InputError("all counts are zero; count a source", "counts")
    return sum((v - mean) ** 2 for v in values) / mean, mean


def chi_square(counts: Sequence[float], bands: BandOverride | None = None) -> AnalysisResult:
    """The chi-square test of N repeated counts (same source, same geometry, same counting time)."""
    chi2, mean = chi_square_statistic(counts)
    dof = len(counts) - 1
    p = chi2_sf(chi2, dof)
    ev = evaluate(TEST_ID, p, bands=bands)
    band = ev.tolerance or ev.action
    test = get_qc_test(TEST_ID)
    values: dict[str, Quantity] = {
        "chi_square": Quantity(chi2),
        "degrees_of_freedom": Quantity(dof),
        "p_value": Quantity(p, note="upper-tail probability P(chi2 >= observed)"),
        "mean_counts": Quantity(mean, "counts"),
        "outcome": Quantity(ev.outcome, source=ev.source, status=ev.status, note=ev.override_reason),
    }
    warnings = list(ev.warnings)
    if band is not None and band.low is not None and band.high is not None:
        # the χ² limits that correspond to the accepted p range (p high ↔ χ² low)
        values["chi_square_low"] = Quantity(chi2_isf(band.high, dof), note=f"chi2 at p = {band.high:g}")
        values["chi_square_high"] = Quantity(chi2_isf(band.low, dof), note=f"chi2 at p = {band.low:g}")
    if p > (band.high if band and band.high is not None else 1.0):
        warnings.append(
            "the counts vary less than Poisson statistics allow (p too high): check for a stuck "
            "scaler, dead-time or repeated readings"
        )
    elif p < (band.low if band and band.low is not None else 0.0):
        warnings.append(
            "the counts vary more than Poisson statistics allow (p too low): repeat once; if it fails "
            "again the system needs service"
        )
    return AnalysisResult(
        analysis="counter-chi-square",
        inputs={"counts": [float(c) for c in counts], "n": len(counts)},
        parameters={"test": test.id, "band": band.to_dict() if band else None, "override_reason": ev.override_reason},
        values=values,
        warnings=tuple(warnings),
        passed=ev.outcome == "ok",
    )
