"""Planar flood-field uniformity per NEMA NU 1-2018 (integral and differential, UFOV and CFOV).

Method (source notes in ``METHOD`` and in every result's parameters):

1. Rebin by summing k×k blocks, k the integer factor that brings the pixel closest to 6.4 mm within 6.4 mm ± 30 %
   (4.48–8.32 mm); the remainder rows/columns are cropped evenly from both sides.
2. UFOV: the flood's useful region. A first field estimate (pixels above 10 % of the 95th percentile, largest
   4-connected component) gives a provisional CFOV (75 % of its bounding box) and its mean count M. Then, as
   NU 1: "any pixels at the edge of the UFOV containing less than 75 % of the mean counts per pixel in the CFOV
   shall be set to zero" — implemented as the sub-threshold pixels 4-connected to the outside of the image; low
   pixels inside the field (a defect) stay in. Second, "those pixels which now have at least one of their four
   directly abutting neighbours containing zero counts" are also set to zero (one erosion with the 4-neighbour
   cross; outside the matrix counts as zero). The remaining non-zero pixels are the UFOV.
3. CFOV: the UFOV's bounding box scaled by 75 % in each linear dimension about its centre; a pixel belongs when at
   least 50 % of its area lies inside (NU 1); intersected with the UFOV.
4. Smoothing once with the 9-point kernel 1-2-1/2-4-2/1-2-1 (sum-normalised). Over the UFOV pixels only, weights
   renormalised at the UFOV edge (an implementation choice; NU 1 does not say how zeroed neighbours enter).
5. Integral uniformity 100·(max−min)/(max+min) over UFOV and CFOV; differential uniformity the largest of
   100·(max−min)/(max+min) over every set of 5 contiguous pixels in a row or a column (X and Y), all pixels of the
   set inside the field analysed.

Before step 1 the image is checked to be a flood, so that a phantom image never gets uniformity numbers (the
real MEDISO bar and line-source files gave "integral uniformity 55 %" before): the field (pixels whose 5×5 mean
is above half the 95th percentile) must cover at least ``FLOOD_MIN_FIELD_FRACTION`` of the matrix (line sources
and small phantoms cover 4–8 %, a camera flood most of it), and the centre of the field must show no repeating
pattern with a period up to ``PATTERN_MAX_PERIOD_MM`` (a bar phantom: the autocorrelation of the detrended image
along rows or columns rises again after its first dip by more than ``PATTERN_MAX_SCORE``; Poisson noise and
single defects such as a failed PMT stay below 0.05, the MEDISO four-quadrant bar image gives 0.48). Both
thresholds are implementation choices of this module, not values from a standard.

Sources: NEMA NU 1-2018 §2.4 (the standard's text was not available here; the quoted sentences are NU 1-2007
wording as cited in public QC software, e.g. the pyWAD NM uniformity plugin), IAEA Human Health Series 6
"Quality Assurance for SPECT Systems" (2009) and the IAEA NMQC plugin manual, which describe the same steps.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from scipy import ndimage

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError
from nmguard.qc.nm._common import differential_uniformity, integral_uniformity, new_figure, smooth9, svg
from nmguard.qc.nm.dicom_planar import PlanarImage, read_planar

ANALYSIS = "nema-nu1-2018-planar-uniformity"
NEMA_PIXEL_MM = 6.4
NEMA_PIXEL_TOLERANCE = 0.30
EDGE_THRESHOLD = 0.75
CFOV_SCALE = 0.75
DU_WINDOW = 5
MIN_COUNTS_PER_PIXEL = 10_000
SOURCE = (
    "NEMA NU 1-2018 §2.4 (intrinsic uniformity); step wording per NU 1-2007 as quoted in public QC software; "
    "IAEA Human Health Series No. 6 (2009) and IAEA NMQC plugin manual"
)
_CROSS = ndimage.generate_binary_structure(2, 1)
FLOOD_MIN_FIELD_FRACTION = 0.20
PATTERN_MAX_PERIOD_MM = 20.0
PATTERN_MAX_SCORE = 0.20
NEEDS_FLOOD = "uniformity needs a flood image (the detector uniformly irradiated, no phantom in front of it)"


def pattern_score(pixels: np.ndarray, pixel_mm: float, max_period_mm: float = PATTERN_MAX_PERIOD_MM):
    """(score, period in mm) of the strongest repeating pattern in the centre of the field.

    The central three quarters of the field's bounding box, minus a Gaussian-smoothed copy (σ = the longest
    period, so PMT-scale shading drops out); per axis the mean product of the image with itself shifted by
    k pixels, normalised to 1 at k = 0; score = largest rise above the running minimum over k ≥ 1. A pattern
    of bars rises back towards +1 at one period; noise and single defects decay without rising.
    """
    m = ndimage.uniform_filter(pixels, 5)
    positive = m[m > 0]
    if positive.size == 0:
        return 0.0, None
    field = m > 0.5 * np.percentile(positive, 95)
    r0, r1, c0, c1 = _bbox(field)
    h, w = r1 - r0, c1 - c0
    crop = pixels[r0 + h // 8 : r1 - h // 8 + 1, c0 + w // 8 : c1 - w // 8 + 1]
    lags = int(max_period_mm / pixel_mm) + 1
    if min(crop.shape) < 2 * lags:
        return 0.0, None
    detrended = crop - ndimage.gaussian_filter(crop, max_period_mm / pixel_mm)
    best, period = 0.0, None
    for y in (detrended, detrended.T):
        n = y.shape[1]
        ac = np.array([np.mean(y[:, : n - k] * y[:, k:]) for k in range(lags + 1)])
        if not ac[0] > 0:
            continue
        ac = ac / ac[0]
        rise = ac[1:] - np.minimum.accumulate(ac[1:])
        k = int(np.flatnonzero(rise >= 0.8 * rise.max())[0])  # the first period, not a multiple of it
        if rise[k] > best:
            best, period = float(rise[k]), (k + 1) * pixel_mm
    return best, period


def refuse_non_flood(pixels: np.ndarray, pixel_mm: float, name: str) -> None:
    """An :class:`InputError` when ``pixels`` is not a flood (line sources, a small phantom, a bar pattern)."""
    m = ndimage.uniform_filter(pixels, 5)
    positive = m[m > 0]
    fraction = float((m > 0.5 * np.percentile(positive, 95)).mean())
    if fraction < FLOOD_MIN_FIELD_FRACTION:
        raise InputError(
            f"{name} is not a flood: its counts cover only {100 * fraction:.0f} % of the matrix (line sources or a "
            f"small phantom?); {NEEDS_FLOOD}",
            "file",
        )
    score, period = pattern_score(pixels, pixel_mm)
    if score > PATTERN_MAX_SCORE:
        raise InputError(
            f"{name} is not a flood: it shows a repeating pattern with a period of {period:.1f} mm (a bar "
            f"phantom?); {NEEDS_FLOOD}",
            "file",
        )


def choose_rebin_factor(pixel_mm: float) -> int:
    """Integer k ≥ 1 with k·pixel closest to 6.4 mm, preferring factors inside 6.4 mm ± 30 %."""
    if not pixel_mm > 0:
        raise InputError(f"pixel size must be positive, got {pixel_mm!r}", "pixel_spacing")
    lo, hi = NEMA_PIXEL_MM * (1 - NEMA_PIXEL_TOLERANCE), NEMA_PIXEL_MM * (1 + NEMA_PIXEL_TOLERANCE)
    inside = [k for k in range(1, 257) if lo <= k * pixel_mm <= hi]
    pool = inside or [max(1, round(NEMA_PIXEL_MM / pixel_mm))]
    return min(pool, key=lambda k: abs(k * pixel_mm - NEMA_PIXEL_MM))


def rebin_sum(image: np.ndarray, k: int) -> np.ndarray:
    """Sum k×k blocks; rows/columns that do not fill a block are cropped evenly from both sides."""
    if k == 1:
        return np.asarray(image, dtype=np.float64)
    rows, cols = image.shape
    nr, nc = rows // k, cols // k
    if nr == 0 or nc == 0:
        raise InputError(f"matrix {rows}×{cols} is smaller than one {k}×{k} rebinning block", "matrix")
    r0, c0 = (rows - nr * k) // 2, (cols - nc * k) // 2
    cropped = np.asarray(image[r0 : r0 + nr * k, c0 : c0 + nc * k], dtype=np.float64)
    return cropped.reshape(nr, k, nc, k).sum(axis=(1, 3))


def _largest_component(mask: np.ndarray) -> np.ndarray:
    labels, n = ndimage.label(mask, structure=_CROSS)
    if n <= 1:
        return mask.copy()
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    return labels == int(np.argmax(sizes))


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])


def cfov_mask(ufov: np.ndarray, scale: float = CFOV_SCALE) -> np.ndarray:
    """Pixels with ≥ 50 % of their area inside the UFOV bounding box scaled by ``scale`` about its centre."""
    r0, r1, c0, c1 = _bbox(ufov)

    def fractions(first: int, last: int, n: int) -> np.ndarray:
        lo_edge, hi_edge = float(first), float(last + 1)  # pixel i spans [i, i+1)
        centre, half = (lo_edge + hi_edge) / 2, (hi_edge - lo_edge) * scale / 2
        a, b = centre - half, centre + half
        edges = np.arange(n, dtype=np.float64)
        return np.clip(np.minimum(edges + 1, b) - np.maximum(edges, a), 0.0, 1.0)

    fr = fractions(r0, r1, ufov.shape[0])
    fc = fractions(c0, c1, ufov.shape[1])
    return (np.outer(fr, fc) >= 0.5 - 1e-12) & ufov


def nema_fields(rebinned: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(UFOV mask, CFOV mask, CFOV mean counts used for the 75 % edge threshold) of a rebinned flood."""
    positive = rebinned[rebinned > 0]
    if positive.size == 0:
        raise InputError("empty frame: the flood holds no counts", "frame")
    level = np.percentile(positive, 95)
    field = _largest_component(rebinned > 0.10 * level)
    provisional_cfov = cfov_mask(field)
    cfov_mean = float(rebinned[provisional_cfov].mean())
    low = rebinned < EDGE_THRESHOLD * cfov_mean
    # low pixels reachable from outside the matrix through low pixels are "at the edge of the UFOV"
    padded = np.pad(low, 1, constant_values=True)
    labels, _ = ndimage.label(padded, structure=_CROSS)
    outside = (labels == labels[0, 0])[1:-1, 1:-1]
    kept = _largest_component(~outside)
    ufov = ndimage.binary_erosion(kept, structure=_CROSS, border_value=0)
    if ufov.sum() < DU_WINDOW**2:
        raise InputError(
            f"no useful field of view: only {int(ufov.sum())} pixels remain after the NEMA edge rules", "frame"
        )
    return ufov, cfov_mask(ufov), cfov_mean


def uniformity_from_array(
    pixels: np.ndarray,
    pixel_size_mm: tuple[float, float] | float,
    inputs: dict | None = None,
    figure: bool = True,
    rebin_factor: int | None = None,
) -> AnalysisResult:
    """NEMA NU 1 integral/differential uniformity of a 2-D flood array (counts per pixel)."""
    started = time.perf_counter()
    pixels = np.asarray(pixels, dtype=np.float64)
    if pixels.ndim != 2:
        raise InputError(f"a flood must be a 2-D image, got shape {pixels.shape}", "file")
    if not np.any(pixels):
        raise InputError("empty frame: the flood holds no counts", "frame")
    if np.any(pixels < 0):
        raise InputError("a flood holds counts; negative pixel values found", "file")
    sizes = (float(pixel_size_mm), float(pixel_size_mm)) if np.isscalar(pixel_size_mm) else tuple(pixel_size_mm)
    refuse_non_flood(pixels, sizes[1], str((inputs or {}).get("file") or "the image"))
    warnings: list[str] = []
    if abs(sizes[0] - sizes[1]) > 1e-3 * max(sizes):
        warnings.append(f"non-square pixels {sizes[0]:.4g}×{sizes[1]:.4g} mm; rebinning uses the column spacing")
    k = rebin_factor or choose_rebin_factor(sizes[1])
    rebinned = rebin_sum(pixels, k)
    new_size = sizes[1] * k
    lo, hi = NEMA_PIXEL_MM * (1 - NEMA_PIXEL_TOLERANCE), NEMA_PIXEL_MM * (1 + NEMA_PIXEL_TOLERANCE)
    if not lo <= new_size <= hi:
        warnings.append(
            f"pixel size after rebinning {new_size:.3g} mm is outside NEMA's 6.4 mm ± 30 % ({lo:.2f}–{hi:.2f} mm)"
        )
    ufov, cfov, cfov_mean_threshold = nema_fields(rebinned)
    smoothed = smooth9(rebinned, ufov)
    iu_u, max_u, min_u = integral_uniformity(smoothed, ufov)
    iu_c, max_c, min_c = integral_uniformity(smoothed, cfov)
    du_u, where_u = differential_uniformity(smoothed, ufov, DU_WINDOW)
    du_c, where_c = differential_uniformity(smoothed, cfov, DU_WINDOW)
    counts_cfov = float(rebinned[cfov].mean())
    if counts_cfov < MIN_COUNTS_PER_PIXEL:
        warnings.append(
            f"mean {counts_cfov:.0f} counts per {new_size:.2f} mm pixel in the CFOV is below the "
            f"{MIN_COUNTS_PER_PIXEL} that NEMA NU 1 asks for; statistical noise inflates the uniformity values"
        )
    if np.isnan(du_c):
        warnings.append("the CFOV is narrower than 5 pixels: no differential uniformity")
    # expected noise-only contribution: smoothed Poisson SD relative to the mean (sum of squared kernel weights)
    noise_rel = float(np.sqrt((np.array([1, 2, 1, 2, 4, 2, 1, 2, 1]) ** 2).sum() / 256.0 / counts_cfov))
    r0, r1, c0, c1 = _bbox(ufov)
    values = {
        "integral_ufov_percent": Quantity(iu_u, "%", source=SOURCE),
        "integral_cfov_percent": Quantity(iu_c, "%", source=SOURCE),
        "differential_ufov_percent": Quantity(du_u, "%", source=SOURCE),
        "differential_cfov_percent": Quantity(du_c, "%", source=SOURCE),
        "pixel_size_mm": Quantity(new_size, "mm", note=f"native {sizes[1]:.4g} mm × rebin factor {k}"),
        "rebin_factor": Quantity(k, ""),
        "mean_counts_per_pixel_cfov": Quantity(counts_cfov, "counts", note="rebinned, before smoothing"),
        "min_counts_per_pixel_ufov": Quantity(float(rebinned[ufov].min()), "counts"),
        "total_counts": Quantity(float(pixels.sum()), "counts"),
        "smoothed_noise_sd_percent": Quantity(
            100 * noise_rel, "%", note="Poisson SD after 9-point smoothing, relative to the CFOV mean (0.375/√N)"
        ),
        "ufov_pixels": Quantity(int(ufov.sum()), "pixels"),
        "cfov_pixels": Quantity(int(cfov.sum()), "pixels"),
        "ufov_size_mm": Quantity(f"{(r1 - r0 + 1) * new_size:.1f} × {(c1 - c0 + 1) * new_size:.1f}", "mm"),
        "edge_threshold_counts": Quantity(EDGE_THRESHOLD * cfov_mean_threshold, "counts"),
    }
    parameters = {
        "standard": "NEMA NU 1-2018",
        "target_pixel_mm": NEMA_PIXEL_MM,
        "pixel_tolerance": "±30 % (4.48–8.32 mm)",
        "rebin": f"sum of {k}×{k} blocks (factor closest to 6.4 mm inside the band); remainder cropped evenly",
        "ufov_rule": "pixels < 75 % of the CFOV mean connected to the image edge zeroed, then pixels with a zero "
        "4-neighbour zeroed (outside the matrix counts as zero); interior low pixels kept",
        "cfov_rule": "UFOV bounding box × 0.75 linear, pixels with ≥ 50 % of their area inside",
        "smoothing": "9-point 1-2-1/2-4-2/1-2-1 ÷ 16, once, over UFOV pixels (weights renormalised at the edge)",
        "differential_window_pixels": DU_WINDOW,
        "order": "rebin → UFOV/CFOV → smooth → uniformity",
        "source": SOURCE,
        "positions": {
            "ufov_max": max_u,
            "ufov_min": min_u,
            "cfov_max": max_c,
            "cfov_min": min_c,
            "ufov_du_window": where_u,
            "cfov_du_window": where_c,
        },  # fmt: skip
    }
    fig_svg = _figure(smoothed, ufov, cfov, new_size, (max_u, min_u), where_u) if figure else None
    inputs = dict(inputs or {})
    inputs.setdefault("matrix", list(pixels.shape))
    inputs.setdefault("pixel_spacing_mm", list(sizes))
    inputs["analysis_seconds"] = round(time.perf_counter() - started, 6)
    return AnalysisResult(
        analysis=ANALYSIS,
        inputs=inputs,
        parameters=parameters,
        values=values,
        warnings=tuple(warnings),
        figure_svg=fig_svg,
    )


def analyze_uniformity(
    path: str | Path | PlanarImage,
    frame: int | None = None,
    detector: int | None = None,
    energy_window: int | None = None,
    figure: bool = True,
) -> AnalysisResult:
    """NEMA NU 1 planar uniformity of one frame of an NM/PT DICOM flood (default frame 0)."""
    image = path if isinstance(path, PlanarImage) else read_planar(path, frame, detector, energy_window)
    return uniformity_from_array(image.pixels, image.pixel_size_mm, inputs=image.inputs, figure=figure)


def _figure(smoothed, ufov, cfov, pixel_mm, extremes, du_where) -> str:
    fig, (ax, axp) = new_figure(2)
    shown = np.where(ufov, smoothed, np.nan)
    im = ax.imshow(shown, cmap="gray", interpolation="nearest")
    fig.colorbar(im, ax=ax, fraction=0.046, label="counts (smoothed)")
    ax.contour(ufov.astype(float), levels=[0.5], colors="#f2b01e", linewidths=1.2)
    ax.contour(cfov.astype(float), levels=[0.5], colors="#a4262c", linewidths=1.2)
    (rmax, cmax), (rmin, cmin) = extremes
    ax.plot([cmax], [rmax], "s", mfc="none", mec="#f2b01e", label="UFOV max")
    ax.plot([cmin], [rmin], "x", color="#0b6e75", label="UFOV min")
    if du_where:
        kind, r, c = du_where
        dr, dc = (0, DU_WINDOW - 1) if kind == "row" else (DU_WINDOW - 1, 0)
        ax.plot([c, c + dc], [r, r + dr], "-", color="#0b6e75", lw=2, label="max DU window")
    ax.set_title(f"UFOV (yellow), CFOV (red); pixel {pixel_mm:.2f} mm", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    mid_r = int(np.median(np.flatnonzero(ufov.any(axis=1))))
    mid_c = int(np.median(np.flatnonzero(ufov.any(axis=0))))
    for profile, label in ((shown[mid_r, :], f"row {mid_r}"), (shown[:, mid_c], f"column {mid_c}")):
        axp.plot(np.arange(profile.size) * pixel_mm, profile, lw=1, label=label)
    axp.set_xlabel("position (mm)")
    axp.set_ylabel("smoothed counts")
    axp.set_title("central profiles", fontsize=9)
    axp.legend(fontsize=7)
    return svg(fig)
