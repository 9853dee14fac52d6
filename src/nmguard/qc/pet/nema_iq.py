"""NEMA NU 2 / IEC body phantom image quality: sphere localisation, RCmax / RCmean (A50) / RCpeak, background
variability and lung insert residual.

Method (stated in each result's ``parameters``):

- Localisation: each sphere is found by a matched filter (mean in a ball of the sphere's diameter minus the mean in a
  surrounding shell, FFT correlation). The 37 mm sphere is the best response anywhere (or on the ring around a given
  centre); the 28 mm sphere the best response one ring step (57.3 mm) from it. The ring centre (the lung insert axis)
  is one of the two points that make an equilateral triangle with them in the transverse plane (or the centre the user
  gives); the candidate and turning direction whose predicted positions of the other four spheres respond best win.
  Each sphere is then refined to the best response within ±6 mm, to sub-voxel precision by a parabola per axis. The
  phantom axis is assumed parallel to the scanner axis (sphere plane = one transverse slice).
- RCmax: maximum voxel within the sphere's radius of its centre ÷ true sphere concentration.
- RCmean (A50): mean of the voxels ≥ 50 % of the maximum, connected to the maximum, within R + 10 mm. EARL uses a
  background-adapted threshold (C_B + 0.5·(max − C_B)) — recalled, not read (unverified); ``a50_background_adapted``
  chooses.
- RCpeak: the highest mean within a 1 mL sphere (radius 6.20 mm, partial-volume weighted) centred on a voxel within the
  sphere's radius of its centre.
- Background (NEMA NU 2 §7, recalled, unverified): twelve 37 mm ROIs 15 mm from the phantom edge on the sphere plane,
  copied to ±10 and ±20 mm, with concentric 10–28 mm ROIs; N_j = SD_j / C_B,j × 100 over the 60 ROIs (SD with K−1).
  Lung residual: 30 mm ROI on the lung insert on the same slices, ΔC_lung = mean(C_lung,i / C_B,i) × 100.

Why one module of about 430 lines: one standard's procedure (NEMA NU 2 image quality) from sphere localisation to the
lung residual; its steps share the phantom geometry and are checked against the standard together.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.ndimage import distance_transform_edt, label
from scipy.signal import fftconvolve

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError
from nmguard.qc.pet import figures, phantom
from nmguard.qc.pet.series import PetSeries, as_series, series_inputs

ANALYSIS = "nema-nu2-iec-image-quality"
PEAK_VOLUME_ML = 1.0
PEAK_RADIUS_MM = (3.0 * PEAK_VOLUME_ML * 1000.0 / (4.0 * math.pi)) ** (1.0 / 3.0)
BACKGROUND_ROI_DIAMETERS_MM = (10, 13, 17, 22, 28, 37)
BACKGROUND_SLICE_OFFSETS_MM = (-20.0, -10.0, 0.0, 10.0, 20.0)
BACKGROUND_EDGE_DISTANCE_MM = 15.0
LUNG_ROI_DIAMETER_MM = 30.0
SEARCH_MARGIN_MM = 10.0
REFINE_MM = 6.0
SPHERE_CLEARANCE_MM = 3.0  # background ROI edge to sphere/lung-insert edge
NEMA_NOTE = "NEMA NU 2 background/lung ROI layout recalled, not read (unverified)"


def _ball_kernel(radius_mm: float, spacing: Sequence[float], supersample: int = 3) -> np.ndarray:
    """Fraction of each voxel inside a ball centred on the middle voxel."""
    half = [int(math.ceil(radius_mm / h)) + 1 for h in spacing]
    axes = [np.arange(-n, n + 1) * h for n, h in zip(half, spacing, strict=True)]
    offs = (np.arange(supersample) + 0.5) / supersample - 0.5
    z, y, x = np.meshgrid(*axes, indexing="ij")
    frac = np.zeros(z.shape)
    for oz in offs * spacing[0]:
        for oy in offs * spacing[1]:
            for ox in offs * spacing[2]:
                frac += ((z + oz) ** 2 + (y + oy) ** 2 + (x + ox) ** 2) <= radius_mm**2
    return frac / supersample**3


def _matched_filter(volume: np.ndarray, spacing, diameter: float) -> np.ndarray:
    r = diameter / 2.0
    ball = _ball_kernel(r, spacing)
    outer = _ball_kernel(r + 8.0, spacing)
    inner = _ball_kernel(r + 3.0, spacing)
    pad = [(o - b) // 2 for o, b in zip(outer.shape, ball.shape, strict=True)]
    pad_i = [(o - b) // 2 for o, b in zip(outer.shape, inner.shape, strict=True)]
    ball_full = np.pad(ball, [(p, p) for p in pad])
    inner_full = np.pad(inner, [(p, p) for p in pad_i])
    shell = outer - inner_full
    kernel = ball_full / ball_full.sum() - shell / shell.sum()
    return fftconvolve(volume, kernel[::-1, ::-1, ::-1], mode="same")


def _grid_mm(shape, spacing) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(np.arange(n) * h for n, h in zip(shape, spacing, strict=True))  # type: ignore[return-value]


def _argmax_in(response: np.ndarray, mask: np.ndarray) -> np.ndarray:
    masked = np.where(mask, response, -np.inf)
    return np.array(np.unravel_index(int(np.argmax(masked)), response.shape), dtype=float)


def _dist_mask(shape, spacing, centre_idx, lo, hi, dz_max=None):
    z, y, x = _grid_mm(shape, spacing)
    cz, cy, cx = (c * h for c, h in zip(centre_idx, spacing, strict=True))
    d = np.sqrt((z[:, None, None] - cz) ** 2 + (y[None, :, None] - cy) ** 2 + (x[None, None, :] - cx) ** 2)
    mask = (d >= lo) & (d <= hi)
    if dz_max is not None:
        mask &= np.abs(z[:, None, None] - cz) <= dz_max
    return mask


def _refine(response: np.ndarray, start_idx, spacing) -> np.ndarray:
    lo = [max(int(round(s - REFINE_MM / h)), 0) for s, h in zip(start_idx, spacing, strict=True)]
    hi = [min(int(round(s + REFINE_MM / h)) + 1, n) for s, h, n in zip(start_idx, spacing, response.shape, strict=True)]
    sub = response[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]]
    best = np.array(np.unravel_index(int(np.argmax(sub)), sub.shape)) + np.array(lo)
    out = best.astype(float)
    for axis in range(3):
        i = int(best[axis])
        if 0 < i < response.shape[axis] - 1:
            idx_m, idx_p = list(best), list(best)
            idx_m[axis], idx_p[axis] = i - 1, i + 1
            fm, f0, fp = response[tuple(idx_m)], response[tuple(best)], response[tuple(idx_p)]
            denom = fm - 2.0 * f0 + fp
            if denom < 0:
                out[axis] = i + float(np.clip(0.5 * (fm - fp) / denom, -0.5, 0.5))
    return out


def _predict(centre_mm: np.ndarray, angle37: float, clockwise: bool) -> dict[int, np.ndarray]:
    """Ring positions in index-mm coordinates (z, y, x), ring in a transverse plane."""
    sign = -1.0 if clockwise else 1.0
    out = {}
    for i, d in enumerate(phantom.RING_ORDER_MM):
        a = angle37 + sign * math.radians(60.0 * i)
        out[d] = centre_mm + phantom.RING_RADIUS_MM * np.array([0.0, math.sin(a), math.cos(a)])
    return out


def locate_spheres(
    series: PetSeries, ring_centre_mm: Sequence[float] | None = None
) -> tuple[dict[int, np.ndarray], np.ndarray, list[str]]:
    """Sphere centres and ring centre as fractional (slice, row, column) indices; warnings."""
    vol, spacing = series.volume, np.asarray(series.spacing_mm, dtype=float)
    warnings: list[str] = []
    responses = {d: _matched_filter(vol, spacing, d) for d in phantom.SPHERE_DIAMETERS_MM}
    ring = phantom.RING_RADIUS_MM
    if ring_centre_mm is not None:
        given = series.patient_to_index(ring_centre_mm)
        if not all(-0.5 <= g <= n - 0.5 for g, n in zip(given, vol.shape, strict=True)):
            raise InputError(
                f"the phantom centre {tuple(ring_centre_mm)} mm lies outside the image", field="phantom_centre"
            )
        band = _dist_mask(vol.shape, spacing, given, ring - 10.0, ring + 10.0, dz_max=20.0)
        c37 = _argmax_in(responses[37], band)
    else:
        given = None
        c37 = _argmax_in(responses[37], np.ones(vol.shape, bool))
    step = 2.0 * ring * math.sin(math.radians(30.0))
    band28 = _dist_mask(vol.shape, spacing, c37, step - 8.0, step + 8.0, dz_max=8.0)
    if given is not None:
        band28 &= _dist_mask(vol.shape, spacing, given, ring - 10.0, ring + 10.0)
    if not band28.any():
        raise InputError(
            "the 28 mm sphere cannot lie inside the image next to the 37 mm sphere found; "
            "is the whole sphere ring in the field of view?",
            field="series",
        )
    c28 = _argmax_in(responses[28], band28)
    p37, p28 = c37 * spacing, c28 * spacing
    if given is not None:
        g = given * spacing
        candidates = [np.array([0.5 * (p37[0] + p28[0]), g[1], g[2]])]
    else:
        mid = 0.5 * (p37 + p28)
        chord = np.array([0.0, p28[1] - p37[1], p28[2] - p37[2]])
        length = float(np.linalg.norm(chord))
        h = math.sqrt(max(ring * ring - (length / 2.0) ** 2, 0.0))
        perp = np.array([0.0, -chord[2], chord[1]]) / max(length, 1e-9)
        candidates = [mid + h * perp, mid - h * perp]
    best, best_score = None, -np.inf
    for centre in candidates:
        angle37 = math.atan2(p37[1] - centre[1], p37[2] - centre[2])
        for clockwise in (False, True):
            predicted = _predict(centre, angle37, clockwise)
            score = 0.0
            for d, p in predicted.items():
                idx = tuple(int(np.clip(round(v / h), 0, n - 1)) for v, h, n in zip(p, spacing, vol.shape, strict=True))
                score += responses[d][idx]
            if score > best_score:
                best, best_score = (centre, predicted), score
    centre, predicted = best
    located = {d: _refine(responses[d], p / spacing, spacing) for d, p in predicted.items()}
    for d, idx in located.items():
        shift = float(np.linalg.norm((idx * spacing) - predicted[d]))
        if shift > 5.0:
            warnings.append(f"the {d} mm sphere lies {shift:.1f} mm from its position predicted by the ring geometry")
        if responses[d][tuple(int(round(v)) for v in idx)] <= 0:
            warnings.append(f"the {d} mm sphere is not hotter than its surroundings: its position is uncertain")
    return located, centre / spacing, warnings


def _disc_weights(shape2d, centre_rc, radius_mm, dy, dx, supersample: int = 5) -> np.ndarray:
    cy, cx = centre_rc[0] * dy, centre_rc[1] * dx
    offs = (np.arange(supersample) + 0.5) / supersample - 0.5
    ys = (np.arange(shape2d[0])[:, None] + offs[None, :]) * dy - cy
    xs = (np.arange(shape2d[1])[:, None] + offs[None, :]) * dx - cx
    inside = (ys[:, None, :, None] ** 2 + xs[None, :, None, :] ** 2) <= radius_mm**2
    return inside.mean(axis=(2, 3))


def _disc_mean(plane, centre_rc, radius_mm, dy, dx) -> float:
    w = _disc_weights(plane.shape, centre_rc, radius_mm, dy, dx)
    if w.sum() <= 0:
        return float("nan")
    return float((plane * w).sum() / w.sum())


def _sphere_metrics(vol, spacing, centre_idx, diameter, background, adapted):
    z, y, x = _grid_mm(vol.shape, spacing)
    c = centre_idx * spacing
    r = diameter / 2.0
    reach = r + SEARCH_MARGIN_MM
    lo = [max(int(math.floor((cc - reach) / h)), 0) for cc, h in zip(c, spacing, strict=True)]
    hi = [min(int(math.ceil((cc + reach) / h)) + 1, n) for cc, h, n in zip(c, spacing, vol.shape, strict=True)]
    sub = vol[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]]
    dist = np.sqrt(
        (z[lo[0] : hi[0], None, None] - c[0]) ** 2
        + (y[None, lo[1] : hi[1], None] - c[1]) ** 2
        + (x[None, None, lo[2] : hi[2]] - c[2]) ** 2
    )
    inner = dist <= max(r, float(dist.min()) + 1e-9)
    vmax = float(sub[inner].max())
    at_max = np.unravel_index(int(np.argmax(np.where(inner, sub, -np.inf))), sub.shape)
    threshold = background + 0.5 * (vmax - background) if adapted else 0.5 * vmax
    candidates = (sub >= threshold) & (dist <= reach)
    labels, _ = label(candidates, structure=np.ones((3, 3, 3)))
    a50 = labels == labels[at_max]
    mean_a50 = float(sub[a50].mean())
    kernel = _ball_kernel(PEAK_RADIUS_MM, spacing)
    peak_map = fftconvolve(sub, kernel[::-1, ::-1, ::-1] / kernel.sum(), mode="same")
    kz, ky, kx = kernel.shape
    valid = np.zeros(sub.shape, bool)  # centres whose 1 mL sphere lies wholly in the sub-volume
    valid[kz // 2 : sub.shape[0] - kz // 2, ky // 2 : sub.shape[1] - ky // 2, kx // 2 : sub.shape[2] - kx // 2] = True
    peak = float(np.where(inner & valid, peak_map, -np.inf).max())
    if not math.isfinite(peak):
        peak = float("nan")
    return vmax, mean_a50, peak, float(a50.sum() * np.prod(spacing) / 1000.0)


def _place_background_rois(plane, spacing2d, spheres_rc, ring_rc, body_level):
    dy, dx = spacing2d
    body = plane > 0.5 * body_level
    labels, n = label(body)
    if n > 1:
        sizes = np.bincount(labels.ravel())[1:]
        body = labels == (1 + int(np.argmax(sizes)))
    yy, xx = np.meshgrid(np.arange(plane.shape[0]) * dy, np.arange(plane.shape[1]) * dx, indexing="ij")
    # lung insert and spheres are holes/hot spots inside the body: fill them for the edge distance
    filled = body.copy()
    for (ry, rx), d in [(ring_rc, 2 * phantom.LUNG_INSERT_OUTER_RADIUS_MM)] + [(rc, dd) for rc, dd in spheres_rc]:
        filled |= (yy - ry * dy) ** 2 + (xx - rx * dx) ** 2 <= (d / 2.0 + 8.0) ** 2
    edge = distance_transform_edt(filled, sampling=(dy, dx))
    half = 18.5
    base = edge >= BACKGROUND_EDGE_DISTANCE_MM + half
    for (ry, rx), d in [(ring_rc, 2 * phantom.LUNG_INSERT_OUTER_RADIUS_MM)] + [(rc, dd) for rc, dd in spheres_rc]:
        base &= (yy - ry * dy) ** 2 + (xx - rx * dx) ** 2 >= (d / 2.0 + half + SPHERE_CLEARANCE_MM) ** 2
    best: list = []
    best_gap = 0.0
    for extra in (max(dy, dx, 2.0), 6.0, 10.0):  # a band just inside 15 mm from the edge, widened if needed
        pts = np.argwhere(base & (edge <= BACKGROUND_EDGE_DISTANCE_MM + half + extra)).astype(float)
        if len(pts) == 0:
            continue
        mm = pts * np.array([dy, dx])
        for start in np.linspace(0, len(pts) - 1, 24).astype(int):
            chosen = [int(start)]
            dmin = np.linalg.norm(mm - mm[chosen[0]], axis=1)
            while len(chosen) < 12 and dmin.max() >= 2 * half:
                nxt = int(np.argmax(dmin))
                chosen.append(nxt)
                dmin = np.minimum(dmin, np.linalg.norm(mm - mm[nxt], axis=1))
            gap = (
                min(float(np.linalg.norm(mm[a] - mm[b])) for a in chosen for b in chosen if a < b)
                if len(chosen) > 1
                else 0.0
            )
            if (len(chosen), gap) > (len(best), best_gap):
                best, best_gap = [tuple(pts[i]) for i in chosen], gap
        if len(best) == 12:
            break
    return best


def nema_image_quality(
    source: PetSeries | str | Path | Sequence[str | Path],
    *,
    sphere_concentration_Bq_per_mL: float,
    background_concentration_Bq_per_mL: float | None = None,
    concentration_datetime: dt.datetime | None = None,
    half_life_s: float | None = None,
    phantom_centre_mm: Sequence[float] | None = None,
    a50_background_adapted: bool = True,
) -> AnalysisResult:
    """Analyse an IEC/NEMA body phantom image: per sphere RCmax, RCmean (A50), RCpeak; background; lung residual.

    ``sphere_concentration_Bq_per_mL`` (and the optional background) are known at ``concentration_datetime`` and are
    decay-corrected to the time the image values refer to (None: taken as already at that time).
    ``phantom_centre_mm`` is the ring centre (lung-insert axis on the sphere plane) in patient coordinates.
    """
    if not sphere_concentration_Bq_per_mL or sphere_concentration_Bq_per_mL <= 0:
        raise InputError("the sphere activity concentration must be positive", field="sphere_concentration")
    series = as_series(source)
    vol, spacing = series.volume, np.asarray(series.spacing_mm, dtype=float)
    warnings = list(series.warnings)
    true_sphere, decay_note = series.concentration_at_reference(
        sphere_concentration_Bq_per_mL, concentration_datetime, half_life_s
    )
    true_bg = None
    if background_concentration_Bq_per_mL:
        true_bg, _ = series.concentration_at_reference(
            background_concentration_Bq_per_mL, concentration_datetime, half_life_s
        )
    located, ring_idx, loc_warnings = locate_spheres(series, phantom_centre_mm)
    warnings += loc_warnings
    k0 = int(round(float(np.mean([c[0] for c in located.values()]))))
    plane = vol[k0]

    # background level: median of the slice's voxels above 5 % of its maximum
    above = plane[plane > 0.05 * plane.max()]
    body_level = float(np.median(above)) if above.size else 0.0
    spheres_rc = [((c[1], c[2]), d) for d, c in located.items()]
    rois = (
        _place_background_rois(plane, spacing[1:], spheres_rc, (ring_idx[1], ring_idx[2]), body_level)
        if body_level > 0
        else []
    )
    values: dict[str, Quantity] = {}
    bg_37 = float("nan")
    lung_residual = float("nan")
    slices_used = []
    if len(rois) < 12:
        warnings.append(
            f"only {len(rois)} of 12 background ROIs fit 15 mm inside the phantom edge; background "
            "variability and lung residual are not NEMA-conform"
            if rois
            else "no warm background found: background variability and lung residual not computed"
        )
    if rois:
        per_size = {d: [] for d in BACKGROUND_ROI_DIAMETERS_MM}
        lung_ratios = []
        for off in BACKGROUND_SLICE_OFFSETS_MM:
            k = k0 + int(round(off / spacing[0]))
            if not 0 <= k < vol.shape[0]:
                warnings.append(f"the background slice {off:+.0f} mm lies outside the image")
                continue
            slices_used.append(round(float((k - k0) * spacing[0]), 3))
            means37 = []
            for rc in rois:
                for d in BACKGROUND_ROI_DIAMETERS_MM:
                    m = _disc_mean(vol[k], rc, d / 2.0, spacing[1], spacing[2])
                    per_size[d].append(m)
                    if d == 37:
                        means37.append(m)
            lung = _disc_mean(vol[k], (ring_idx[1], ring_idx[2]), LUNG_ROI_DIAMETER_MM / 2.0, spacing[1], spacing[2])
            lung_ratios.append(lung / float(np.mean(means37)))
        for d in BACKGROUND_ROI_DIAMETERS_MM:
            arr = np.asarray(per_size[d])
            cb = float(arr.mean())
            sd = float(arr.std(ddof=1)) if arr.size > 1 else float("nan")
            values[f"background_variability_{d}mm_percent"] = Quantity(100.0 * sd / cb, "%", note=NEMA_NOTE)
            if d == 37:
                bg_37 = cb
        lung_residual = 100.0 * float(np.mean(lung_ratios))
    adapted = a50_background_adapted and math.isfinite(bg_37)
    if a50_background_adapted and not adapted:
        warnings.append("no measured background: the A50 threshold is 50 % of the maximum (not background-adapted)")
    rc_values: dict[str, list[float]] = {"RCmax": [], "RCmean (A50)": [], "RCpeak": []}
    for d in phantom.SPHERE_DIAMETERS_MM:
        vmax, vmean, vpeak, a50_ml = _sphere_metrics(vol, spacing, located[d], d, bg_37 if adapted else 0.0, adapted)
        centre_mm = series.index_to_patient(located[d])
        note = f"true sphere concentration {true_sphere:.6g} Bq/mL"
        values[f"rc_max_{d}mm"] = Quantity(vmax / true_sphere, note=note)
        values[f"rc_mean_{d}mm"] = Quantity(
            vmean / true_sphere, note=note + "; A50 " + ("background-adapted" if adapted else "50 % of max")
        )
        values[f"rc_peak_{d}mm"] = Quantity(vpeak / true_sphere, note=note + "; 1 mL sphere")
        values[f"a50_volume_{d}mm_mL"] = Quantity(a50_ml, "mL")
        for axis, v in zip("xyz", centre_mm, strict=True):
            values[f"centre_{d}mm_{axis}_mm"] = Quantity(float(v), "mm")
        rc_values["RCmax"].append(vmax / true_sphere)
        rc_values["RCmean (A50)"].append(vmean / true_sphere)
        rc_values["RCpeak"].append(vpeak / true_sphere)
    values["sphere_Bq_per_mL_true"] = Quantity(true_sphere, "Bq/mL", note=decay_note)
    if true_bg is not None:
        values["background_Bq_per_mL_true"] = Quantity(true_bg, "Bq/mL", note=decay_note)
    values["background_Bq_per_mL"] = Quantity(bg_37, "Bq/mL", note="mean of the 37 mm background ROIs")
    if true_bg is not None and math.isfinite(bg_37):
        values["background_recovery"] = Quantity(bg_37 / true_bg)
    values["lung_residual_percent"] = Quantity(lung_residual, "%", note=NEMA_NOTE)
    ring_mm = series.index_to_patient(ring_idx)
    for axis, v in zip("xyz", ring_mm, strict=True):
        values[f"phantom_centre_{axis}_mm"] = Quantity(float(v), "mm")

    dy, dx = spacing[1], spacing[2]
    extent = (-0.5 * dx, (plane.shape[1] - 0.5) * dx, (plane.shape[0] - 0.5) * dy, -0.5 * dy)
    figure = figures.iq_figure(
        plane,
        extent,
        [((c[2] * dx, c[1] * dy), d) for d, c in located.items()],
        [(rc[1] * dx, rc[0] * dy) for rc in rois],
        (ring_idx[2] * dx, ring_idx[1] * dy),
        list(phantom.SPHERE_DIAMETERS_MM),
        rc_values,
    )
    parameters = {
        "phantom_geometry_source": phantom.GEOMETRY_SOURCE,
        "phantom_geometry_status": phantom.GEOMETRY_STATUS,
        "ring_diameter_mm": 2 * phantom.RING_RADIUS_MM,
        "phantom_centre_given": phantom_centre_mm is not None,
        "rc_max": "max voxel within the sphere radius / true concentration",
        "rc_mean": "A50: voxels >= "
        + ("C_B + 50 % (max - C_B)" if adapted else "50 % of max")
        + ", connected to the max, within R + 10 mm",
        "a50_background_adapted": adapted,
        "earl_a50_convention": "background-adapted (recalled, unverified)",
        "rc_peak": f"max mean in a {PEAK_VOLUME_ML} mL sphere (r = {PEAK_RADIUS_MM:.2f} mm) centred within R",
        "background_rois": f"{len(rois)} x 37 mm ROIs >= {BACKGROUND_EDGE_DISTANCE_MM} mm from the edge; "
        f"slices at {slices_used} mm from the sphere plane",
        "lung_roi_diameter_mm": LUNG_ROI_DIAMETER_MM,
        "sphere_plane_slice_index": k0,
        "sphere_concentration_Bq_per_mL": sphere_concentration_Bq_per_mL,
        "background_concentration_Bq_per_mL": background_concentration_Bq_per_mL,
        "concentration_datetime": concentration_datetime.isoformat() if concentration_datetime else None,
    }
    return AnalysisResult(
        analysis=ANALYSIS,
        inputs=series_inputs(series),
        parameters=parameters,
        values=values,
        warnings=tuple(warnings),
        figure_svg=figure,
    )
