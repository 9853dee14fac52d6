"""Time-integrated activity per voxel, vectorised over the whole grid.

Per-voxel curve fitting with model selection (as :func:`nmguard.dosimetry.tia.fit_tia` does for a VOI)
costs seconds per thousand voxels; a 128³ grid has two million. The voxel method here is the one most
voxel-dosimetry tools use, in closed form:

- straight lines from (0, 0) through the measured activities (uptake taken as linear from administration);
- after the last point, a mono-exponential tail A_n·e^(−λ(t − t_n)) whose rate λ comes from a
  log-linear least-squares fit to the last ``tail_points`` points, never slower than physical decay
  (λ ≥ λ_phys); where a voxel's late values are not all positive the tail is physical decay.

So TIA = Σ trapezoids + A_n/λ. The VOI-level fits stay the reference: with :func:`scale_to_voi_totals`
the voxel TIAs inside each VOI are scaled so that their sum equals the VOI's fitted TIA (the
"VOI-scaled voxel TIA" choice; the scale factors are reported, as they show how far the two differ).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from nmguard.errors import InputError


def _check_series(times_h: Sequence[float], activities: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(times_h, dtype=np.float64)
    if t.ndim != 1 or len(t) < 1:
        raise InputError("at least one time point is needed", "time_points")
    if not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise InputError("times after administration must be positive", "times_h")
    if np.any(np.diff(t) <= 0):
        raise InputError("times after administration must increase strictly", "times_h")
    if len(activities) != len(t):
        raise InputError(f"{len(t)} times but {len(activities)} activity maps", "time_points")
    shapes = {np.shape(a) for a in activities}
    if len(shapes) != 1:
        raise InputError(f"activity maps have different shapes: {sorted(shapes)}", "time_points")
    return t, np.stack([np.asarray(a, dtype=np.float64) for a in activities])


def voxel_tia_Bq_h(
    times_h: Sequence[float],
    activities_Bq: Sequence[np.ndarray],
    physical_decay_per_h: float,
    tail_points: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """TIA per voxel (Bq·h) and the tail rate λ per voxel (1/h); see the module docstring."""
    if not physical_decay_per_h > 0:
        raise InputError("the physical decay constant must be positive", "nuclide")
    t, a = _check_series(times_h, activities_Bq)
    a = np.clip(a, 0.0, None)
    t_prev = np.concatenate([[0.0], t[:-1]])
    widths = (t - t_prev).reshape(-1, *([1] * (a.ndim - 1)))
    a_prev = np.concatenate([np.zeros_like(a[:1]), a[:-1]])
    trapezoids = np.sum(0.5 * widths * (a + a_prev), axis=0)
    lam = np.full(a.shape[1:], physical_decay_per_h)
    k = min(int(tail_points), len(t))
    if k >= 2:
        late = a[-k:]
        positive = np.all(late > 0, axis=0)
        tt = t[-k:] - t[-k:].mean()
        logs = np.log(np.where(positive, late, 1.0))
        slope = np.tensordot(tt, logs - logs.mean(axis=0), axes=(0, 0)) / float(np.sum(tt**2))
        lam = np.where(positive, np.maximum(-slope, physical_decay_per_h), physical_decay_per_h)
    return trapezoids + a[-1] / lam, lam


def scale_to_voi_totals(
    tia_Bq_h: np.ndarray,
    masks: Mapping[str, np.ndarray],
    voi_tia_Bq_h: Mapping[str, float],
    order: Sequence[str] | None = None,
) -> tuple[np.ndarray, dict[str, float]]:
    """Scale the voxel TIAs inside each VOI so they sum to that VOI's fitted TIA.

    A voxel in several VOIs is scaled once, by the first VOI in ``order`` (default: smallest VOI first,
    so a lesion inside an organ keeps its own fit). Returns the scaled map and the factor per VOI.
    """
    out = np.array(tia_Bq_h, dtype=np.float64, copy=True)
    names = list(order) if order is not None else sorted(masks, key=lambda n: int(np.count_nonzero(masks[n])))
    done = np.zeros(out.shape, dtype=bool)
    factors: dict[str, float] = {}
    for name in names:
        if name not in voi_tia_Bq_h:
            continue
        region = np.asarray(masks[name], dtype=bool) & ~done
        voxel_sum = float(out[region].sum())
        # the part of this VOI already scaled by an earlier VOI keeps that scaling
        already = float(out[np.asarray(masks[name], dtype=bool) & done].sum())
        target = float(voi_tia_Bq_h[name]) - already
        if voxel_sum <= 0 or target <= 0:
            continue
        factors[name] = target / voxel_sum
        out[region] *= factors[name]
        done |= region
    return out, factors
