"""SPECT tomographic uniformity on the central slices of a reconstructed uniform cylinder.

Per slice: the cylinder is segmented (≥ 50 % of the slice's 95th-percentile value, largest component), its centre
and equivalent radius R = √(area/π) found; the UFOV is the disc of radius ``ufov_fraction``·R (default 0.8, to keep
off the partial-volume edge) and the CFOV the disc of 0.75 × that radius. The 9-point NEMA smoothing is applied
over the UFOV, then integral and differential uniformity (5-pixel windows) as in the planar analysis. Reported:
the worst slice and the mean over the central slices, plus the CFOV coefficient of variation.

Sources: IAEA Human Health Series No. 6 (2009), SPECT reconstructed uniformity; definitions of integral and
differential uniformity from NEMA NU 1-2018. This is not a NEMA-prescribed tomographic test (NU 1-2018 has none
with these numbers); treat results as constancy values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import ndimage

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError
from nmguard.qc.nm._common import differential_uniformity, integral_uniformity, new_figure, smooth9, svg
from nmguard.qc.nm.dicom_planar import read_frames

ANALYSIS = "spect-tomographic-uniformity"
SOURCE = "IAEA Human Health Series No. 6 (2009) reconstructed uniformity; IU/DU definitions NEMA NU 1-2018"


def tomographic_uniformity_from_volume(
    volume: np.ndarray,
    pixel_size_mm: float,
    inputs: dict | None = None,
    n_central_slices: int | None = None,
    ufov_fraction: float = 0.8,
    figure: bool = True,
) -> AnalysisResult:
    vol = np.asarray(volume, dtype=np.float64)
    if vol.ndim != 3 or vol.shape[0] < 1:
        raise InputError(f"a reconstructed volume must be 3-D (slices, rows, cols), got {vol.shape}", "file")
    slice_means = vol.reshape(vol.shape[0], -1).mean(axis=1)
    occupied = np.flatnonzero(slice_means > 0.5 * slice_means.max())
    if occupied.size == 0:
        raise InputError("empty volume: no slice holds the cylinder", "file")
    if n_central_slices is None:
        n_central_slices = max(1, occupied.size // 2)
    mid = int(round(occupied.mean()))
    chosen = np.arange(mid - n_central_slices // 2, mid - n_central_slices // 2 + n_central_slices)
    chosen = chosen[(chosen >= occupied[0]) & (chosen <= occupied[-1])]
    rows = []
    last = None
    for k in chosen:
        sl = vol[k]
        level = np.percentile(sl[sl > 0], 95) if np.any(sl > 0) else 0.0
        labels, n = ndimage.label(sl >= 0.5 * level)
        if n == 0:
            continue
        sizes = np.bincount(labels.ravel())
        sizes[0] = 0
        body = ndimage.binary_fill_holes(labels == int(np.argmax(sizes)))
        cy, cx = ndimage.center_of_mass(body)
        radius = float(np.sqrt(body.sum() / np.pi))
        yy, xx = np.mgrid[0 : sl.shape[0], 0 : sl.shape[1]]
        dist = np.hypot(yy - cy, xx - cx)
        ufov = dist <= ufov_fraction * radius
        cfov = dist <= 0.75 * ufov_fraction * radius
        sm = smooth9(sl, ufov)
        iu_u, _, _ = integral_uniformity(sm, ufov)
        iu_c, _, _ = integral_uniformity(sm, cfov)
        du_u, _ = differential_uniformity(sm, ufov)
        du_c, _ = differential_uniformity(sm, cfov)
        cv = float(sl[cfov].std(ddof=1) / sl[cfov].mean() * 100)
        rows.append((int(k), iu_u, iu_c, du_u, du_c, cv, radius))
        last = (sm, ufov, cfov)
    if not rows:
        raise InputError("no central slice with a segmentable cylinder", "file")
    arr = np.array([r[1:6] for r in rows])
    names = ("integral_ufov_percent", "integral_cfov_percent", "differential_ufov_percent", "differential_cfov_percent")
    values = {name: Quantity(float(np.nanmax(arr[:, i])), "%", source=SOURCE, note="worst central slice")
              for i, name in enumerate(names)}  # fmt: skip
    for i, name in enumerate(names):
        values[name.replace("_percent", "_mean_percent")] = Quantity(float(np.nanmean(arr[:, i])), "%")
    values["cfov_cv_percent"] = Quantity(float(np.mean(arr[:, 4])), "%", note="mean over slices, unsmoothed")
    values["phantom_radius_mm"] = Quantity(float(np.mean([r[6] for r in rows])) * pixel_size_mm, "mm")
    values["slices_analysed"] = Quantity(len(rows), "")
    parameters = {
        "slices": [r[0] for r in rows],
        "ufov": f"disc of {ufov_fraction} × phantom radius",
        "cfov": "disc of 0.75 × UFOV radius",
        "smoothing": "9-point NEMA kernel over the UFOV, once",
        "source": SOURCE,
    }
    fig_svg = None
    if figure and last is not None:
        sm, ufov, cfov = last
        fig, (ax, axp) = new_figure(2)
        ax.imshow(np.where(ufov, sm, np.nan), cmap="gray")
        ax.contour(ufov.astype(float), levels=[0.5], colors="#f2b01e")
        ax.contour(cfov.astype(float), levels=[0.5], colors="#a4262c")
        ax.set_title("central slice: UFOV (yellow), CFOV (red)", fontsize=9)
        axp.plot([r[0] for r in rows], arr[:, 0], "o-", ms=3, label="IU UFOV")
        axp.plot([r[0] for r in rows], arr[:, 1], "s-", ms=3, label="IU CFOV")
        axp.set_xlabel("slice")
        axp.set_ylabel("%")
        axp.legend(fontsize=7)
        fig_svg = svg(fig)
    inputs = dict(inputs or {})
    inputs.setdefault("matrix", list(vol.shape))
    return AnalysisResult(ANALYSIS, inputs, parameters, values, (), fig_svg)


def analyze_tomographic_uniformity(
    path: str | Path, n_central_slices: int | None = None, ufov_fraction: float = 0.8, figure: bool = True
) -> AnalysisResult:
    """Tomographic uniformity of a multi-frame NM reconstruction (frames = slices)."""
    stack = read_frames(path)
    return tomographic_uniformity_from_volume(
        stack.frames, stack.pixel_size_mm[1], stack.inputs, n_central_slices, ufov_fraction, figure
    )
