"""Per-VOI absorbed-dose statistics, cumulative DVHs and the energy balance of a dose map.

Dose-volume convention (all voxels of a VOI have the same volume):
    V(d)  = fraction of the VOI volume receiving a dose >= d (cumulative DVH, V(0) = 100 %).
    D_x   = the largest dose d with V(d) >= x %, i.e. the dose received by at least x % of the VOI.
            With the n VOI doses sorted in decreasing order d_(1) >= ... >= d_(n):
            D_x = d_(k), k = max(1, ceil(x/100 * n))    (nearest rank, no interpolation).
    So D_100 = min, D_x -> max as x -> 0, and D_2 >= D_50 >= D_98 always; V(D_x) >= x % holds exactly.
Mean dose is the volume-weighted mean; with a density map, the mass-weighted mean (energy / mass, the
MIRD organ mean) is reported as well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError


def _finite_positive(value, field: str, what: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} {value!r} is not a number", field=field) from None
    if not math.isfinite(x) or x <= 0:
        raise InputError(f"{what} must be positive and finite, not {value!r}", field=field)
    return x


def _check_dose(dose_Gy) -> np.ndarray:
    dose = np.asarray(dose_Gy, dtype=np.float64)
    if dose.ndim == 0 or dose.size == 0:
        raise InputError("the dose map is empty", field="dose_Gy")
    if not np.all(np.isfinite(dose)):
        raise InputError("the dose map holds NaN or infinite values", field="dose_Gy")
    return dose


def _check_mask(dose: np.ndarray, mask) -> np.ndarray:
    m = np.asarray(mask)
    if m.shape != dose.shape:
        raise InputError(f"mask shape {m.shape} differs from the dose map shape {dose.shape}", field="mask")
    if m.dtype != np.bool_:
        if not np.all((m == 0) | (m == 1)):
            raise InputError("the mask must be boolean (or 0/1)", field="mask")
        m = m.astype(bool)
    if not m.any():
        raise InputError("the VOI mask is empty", field="mask")
    return m


def _density(density_g_per_mL, dose: np.ndarray) -> np.ndarray | None:
    if density_g_per_mL is None:
        return None
    rho = np.asarray(density_g_per_mL, dtype=np.float64)
    if rho.ndim == 0:
        rho = np.full(dose.shape, float(rho))
    if rho.shape != dose.shape:
        raise InputError(
            f"density shape {rho.shape} differs from the dose map shape {dose.shape}", field="density_g_per_mL"
        )
    if not np.all(np.isfinite(rho)) or np.any(rho < 0):
        raise InputError("densities must be finite and >= 0 g/mL", field="density_g_per_mL")
    return rho


def dose_at_volume_percent(voi_doses_Gy: np.ndarray, percent: float) -> float:
    """D_x by the nearest-rank convention of this module (``voi_doses_Gy``: the doses of the VOI voxels)."""
    if not 0 <= percent <= 100:
        raise InputError(f"volume percent {percent!r} must be within 0-100", field="percent")
    d = np.sort(np.asarray(voi_doses_Gy, dtype=np.float64).ravel())[::-1]
    k = max(1, math.ceil(percent / 100.0 * d.size - 1e-9))
    return float(d[k - 1])


def voi_statistics(
    dose_Gy,
    mask,
    voxel_volume_mL: float,
    density_g_per_mL=None,
    *,
    v_thresholds_Gy: Sequence[float] = (),
) -> dict[str, float]:
    """mean, max, min, D2, D50, D98 (Gy), V_x (percent of VOI volume at >= x Gy), volume (mL), mass (g)."""
    dose = _check_dose(dose_Gy)
    m = _check_mask(dose, mask)
    vv = _finite_positive(voxel_volume_mL, "voxel_volume_mL", "voxel volume")
    rho = _density(density_g_per_mL, dose)
    d = dose[m]
    out: dict[str, float] = {
        "n_voxels": int(d.size),
        "volume_mL": float(d.size * vv),
        "mean_Gy": float(d.mean()),
        "max_Gy": float(d.max()),
        "min_Gy": float(d.min()),
        "D2_Gy": dose_at_volume_percent(d, 2.0),
        "D50_Gy": dose_at_volume_percent(d, 50.0),
        "D98_Gy": dose_at_volume_percent(d, 98.0),
    }
    for threshold in v_thresholds_Gy:
        t = float(threshold)
        if not math.isfinite(t) or t < 0:
            raise InputError(f"dose threshold {threshold!r} must be finite and >= 0 Gy", field="v_thresholds_Gy")
        out[f"V{t:g}Gy_percent"] = float(100.0 * np.count_nonzero(d >= t) / d.size)
    if rho is not None:
        r = rho[m]
        mass = float(r.sum() * vv)
        out["mass_g"] = mass
        out["mass_weighted_mean_Gy"] = float((d * r).sum() / r.sum()) if mass > 0 else float("nan")
    return out


def dvh(dose_Gy, mask, bins: int | Sequence[float] = 200) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative DVH: (dose levels in Gy, percent of the VOI volume receiving >= each level).

    ``bins`` an int: levels 0 … max dose in the VOI, ``bins + 1`` points; or an increasing sequence of levels.
    """
    dose = _check_dose(dose_Gy)
    m = _check_mask(dose, mask)
    d = np.sort(dose[m])
    if isinstance(bins, int | np.integer):
        if bins < 1:
            raise InputError("bins must be >= 1", field="bins")
        levels = np.linspace(0.0, float(d[-1]), int(bins) + 1)
    else:
        levels = np.asarray(bins, dtype=np.float64)
        if levels.ndim != 1 or levels.size < 2 or not np.all(np.isfinite(levels)) or np.any(np.diff(levels) <= 0):
            raise InputError("bins must be an increasing sequence of finite dose levels", field="bins")
    at_or_above = d.size - np.searchsorted(d, levels, side="left")
    return levels, 100.0 * at_or_above / d.size


def energy_balance(dose_Gy, density_g_per_mL, voxel_volume_mL: float, expected_energy_J: float) -> AnalysisResult:
    """Energy deposited in the map, sum(D · rho · V), against the energy expected (e.g. emitted and absorbed)."""
    dose = _check_dose(dose_Gy)
    vv = _finite_positive(voxel_volume_mL, "voxel_volume_mL", "voxel volume")
    expected = _finite_positive(expected_energy_J, "expected_energy_J", "expected energy")
    rho = _density(density_g_per_mL, dose)
    if rho is None:
        raise InputError("a density (scalar or map) is needed", field="density_g_per_mL")
    deposited = float((dose * rho).sum() * vv * 1e-3)  # Gy = J/kg; g/mL * mL = g -> kg
    return AnalysisResult(
        analysis="dose-map-energy-balance",
        inputs={"shape": list(dose.shape), "voxel_volume_mL": vv},
        parameters={"formula": "E = sum(D_i * rho_i * V) (J)"},
        values={
            "deposited_energy_J": Quantity(deposited, "J"),
            "expected_energy_J": Quantity(expected, "J"),
            "fraction_of_expected": Quantity(deposited / expected),
        },
    )
