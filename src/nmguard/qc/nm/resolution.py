"""Planar spatial resolution (LSF FWHM/FWTM) and spatial linearity from parallel line sources (NEMA NU 1-2018 §2.1–2.2).

NEMA method for a width: the peak value from a parabolic fit through the maximum sample and its two neighbours; the
positions where the profile crosses half (tenth) of that value by linear interpolation between the adjacent
samples on each side; the width is their distance, converted to mm with the pixel size. Profiles are sums over
strips about 30 mm wide along the lines; NU 1 asks for a sampling of at most 0.1·FWHM across the lines (warned).

Linearity: the peak position (parabola vertex) of every line in every strip; for each line a straight line fitted
through its positions; absolute linearity = largest |deviation|, differential linearity = largest SD of the
deviations of one line (both in mm).

What the analysis refuses (an :class:`InputError` that says what it needs), so that a phantom image never gets
resolution numbers: lines in both directions (a strip is crossed when the counts between the lines, scaled to the
width of the line columns, exceed ``CROSSED_RATIO`` times the median counts on the lines; crossed strips are left
out, the bend of a U-shaped source for instance, and more than ``MAX_CROSSED_STRIP_FRACTION`` of the strips crossed
is refused: crossed lines, a four-bar square); lines that are not separated (between more than half of the
neighbouring peaks the summed profile stays above ``MAX_VALLEY_FRACTION`` of the lower peak: a bar phantom or a
flood; separated line sources fall to a few per cent). Strips where a line is absent (its peak below half the line's
typical peak, the median over the strips where it reaches half its upper-quartile peak: beyond the end of a short
line source) are left out for that line. Spatial linearity needs at least ``MIN_LINES_FOR_LINEARITY`` lines, each in
at least 3 strips: NEMA NU 1 measures it with a slit pattern over the whole field, and two lines sample two
positions only; with fewer it is not reported (a warning says why), and ``require_linearity=True`` refuses. These
thresholds are implementation choices, not values from NU 1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError
from nmguard.qc.nm._common import new_figure, svg
from nmguard.qc.nm.dicom_planar import PlanarImage, read_planar

ANALYSIS = "nema-nu1-2018-line-source-resolution"
CROSSED_RATIO = 0.15
MAX_CROSSED_STRIP_FRACTION = 0.25
MAX_VALLEY_FRACTION = 0.25
MIN_LINES_FOR_LINEARITY = 3
PRESENT_FRACTION = 0.5
SOURCE = "NEMA NU 1-2018 §2.1 (intrinsic spatial resolution) and §2.2 (spatial linearity)"


def parabolic_peak(profile: np.ndarray, index: int) -> tuple[float, float]:
    """(vertex position in samples, vertex value) of the parabola through samples index−1, index, index+1."""
    if index <= 0 or index >= profile.size - 1:
        return float(index), float(profile[index])
    y0, y1, y2 = (float(v) for v in profile[index - 1 : index + 2])
    denom = y0 - 2.0 * y1 + y2
    if denom == 0:
        return float(index), y1
    delta = 0.5 * (y0 - y2) / denom
    return index + delta, y1 - 0.25 * (y0 - y2) * delta


def _crossing(profile: np.ndarray, peak: int, level: float, step: int, stop: int) -> float | None:
    i = peak
    while i != stop:
        j = i + step
        if profile[j] < level:
            # linear interpolation between samples i (≥ level) and j (< level)
            return i + step * (profile[i] - level) / (profile[i] - profile[j])
        i = j
    return None


def lsf_widths(profile: np.ndarray, pixel_mm: float, lo: int = 0, hi: int | None = None) -> dict[str, float]:
    """FWHM and FWTM (mm) of the peak in ``profile[lo:hi]`` by the NEMA method; NaN where a crossing is missing."""
    profile = np.asarray(profile, dtype=np.float64)
    hi = profile.size if hi is None else hi
    peak = lo + int(np.argmax(profile[lo:hi]))
    position, value = parabolic_peak(profile, peak)
    out = {"peak_position_px": position, "peak_value": value}
    for name, fraction in (("fwhm_mm", 0.5), ("fwtm_mm", 0.1)):
        level = fraction * value
        left = _crossing(profile, peak, level, -1, lo)
        right = _crossing(profile, peak, level, +1, hi - 1)
        out[name] = float("nan") if left is None or right is None else (right - left) * pixel_mm
    return out


def _find_peaks(profile: np.ndarray, fraction: float = 0.5) -> list[int]:
    p = profile
    level = fraction * p.max()
    interior = (p[1:-1] >= p[:-2]) & (p[1:-1] > p[2:]) & (p[1:-1] > level)
    return [int(i) + 1 for i in np.flatnonzero(interior)]


def line_source_analysis(
    pixels: np.ndarray,
    pixel_size_mm: tuple[float, float] | float,
    inputs: dict | None = None,
    orientation: str = "auto",
    strip_mm: float = 30.0,
    line_spacing_mm: float | None = None,
    figure: bool = True,
    require_linearity: bool = False,
) -> AnalysisResult:
    """FWHM/FWTM per line and strip, linearity, and (with ``line_spacing_mm``) the measured pixel size."""
    img = np.asarray(pixels, dtype=np.float64)
    if img.ndim != 2 or not np.any(img):
        raise InputError("empty frame: a line-source image must be a 2-D image with counts", "frame")
    sizes = (float(pixel_size_mm),) * 2 if np.isscalar(pixel_size_mm) else tuple(float(v) for v in pixel_size_mm)
    if orientation == "auto":
        peaked = [np.max(p) / np.mean(p) for p in (img.sum(axis=0), img.sum(axis=1))]
        orientation = "vertical" if peaked[0] >= peaked[1] else "horizontal"
    if orientation not in ("vertical", "horizontal"):
        raise InputError("orientation must be auto, vertical or horizontal", "orientation")
    if orientation == "horizontal":
        img, across_mm, along_mm = img.T, sizes[0], sizes[1]
    else:
        across_mm, along_mm = sizes[1], sizes[0]
    n_rows = img.shape[0]
    per_strip = max(1, min(n_rows, int(round(strip_mm / along_mm))))
    n_strips = n_rows // per_strip
    profiles = img[: n_strips * per_strip].reshape(n_strips, per_strip, -1).sum(axis=1)
    name = str((inputs or {}).get("file") or "the image")
    total = profiles.sum(axis=0)
    peaks_ref = _find_peaks(total)
    if not peaks_ref:
        raise InputError(f"no line source found in {name}", "file")
    _refuse_non_line_image(total, peaks_ref, name)
    crossed = _crossed_strips(profiles, peaks_ref)
    holding = profiles.sum(axis=1) > 0.1 * profiles.sum(axis=1).max()
    if crossed.sum() > MAX_CROSSED_STRIP_FRACTION * holding.sum():
        raise InputError(
            f"{name} holds lines in both directions (crossed lines or a four-bar square): {crossed.sum()} of "
            f"{holding.sum()} strips along the lines are crossed; the line-source analysis needs parallel, "
            "separated line sources in one direction",
            "file",
        )
    bounds = [0] + [(a + b) // 2 for a, b in zip(peaks_ref[:-1], peaks_ref[1:], strict=True)] + [img.shape[1]]
    fwhm = np.full((n_strips, len(peaks_ref)), np.nan)
    fwtm = np.full_like(fwhm, np.nan)
    pos = np.full_like(fwhm, np.nan)
    height = np.full_like(fwhm, np.nan)
    for s in range(n_strips):
        for j in range(len(peaks_ref)):
            w = lsf_widths(profiles[s], across_mm, bounds[j], bounds[j + 1])
            fwhm[s, j], fwtm[s, j], pos[s, j] = w["fwhm_mm"], w["fwtm_mm"], w["peak_position_px"]
            height[s, j] = w["peak_value"]
    # a line's typical peak: the median over the strips where it reaches half its upper-quartile peak (a median
    # over all strips is background for a line shorter than half the image; half the highest peak lets one hot
    # spot, the bend of a U-shaped source, make the rest of the line "absent")
    strong = height >= PRESENT_FRACTION * np.nanpercentile(height, 75, axis=0)
    typical = np.array([np.median(height[strong[:, j], j]) for j in range(height.shape[1])])
    absent = ~(height >= PRESENT_FRACTION * typical)
    absent[crossed] = True
    fwhm[absent] = fwtm[absent] = pos[absent] = np.nan
    warnings: list[str] = []
    if crossed.any():
        warnings.append(
            f"{int(crossed.sum())} strip(s) left out where a line runs across the others (the bend of a U-shaped "
            "source or a crossing line)"
        )
    if absent.any():
        warnings.append(
            f"{int(absent.sum())} of {absent.size} line-strip profiles left out: the line is absent there "
            "(peak below half its typical peak)"
        )
    if np.isnan(fwhm).all():
        raise InputError(f"no line profile in {name} falls below half maximum on both sides", "file")
    mean_fwhm = float(np.nanmean(fwhm))
    if across_mm > 0.1 * mean_fwhm:
        warnings.append(
            f"pixel {across_mm:.3g} mm across the lines exceeds 0.1·FWHM ({0.1 * mean_fwhm:.3g} mm) that "
            "NEMA NU 1 asks for; the linear interpolation then biases the widths"
        )
    if (np.isnan(fwhm) & ~absent).any() or (np.isnan(fwtm) & ~absent).any():
        warnings.append("some profiles do not fall below half/tenth maximum between lines: widths left out")
    centres_mm = (np.arange(n_strips) + 0.5) * per_strip * along_mm
    deviations = np.full_like(pos, np.nan)
    for j in range(pos.shape[1]):
        ok = ~np.isnan(pos[:, j])
        if ok.sum() >= 3:
            coef = np.polyfit(centres_mm[ok], pos[ok, j] * across_mm, 1)
            deviations[ok, j] = pos[ok, j] * across_mm - np.polyval(coef, centres_mm[ok])
    lines_with_fit = int((np.sum(~np.isnan(deviations), axis=0) >= 3).sum())
    linearity_ok = lines_with_fit >= MIN_LINES_FOR_LINEARITY
    if not linearity_ok:
        why = (
            f"spatial linearity needs at least {MIN_LINES_FOR_LINEARITY} parallel lines across the field, each in "
            f"at least 3 strips (NEMA NU 1 uses a slit pattern over the whole UFOV); {name} has {len(peaks_ref)} "
            f"({lines_with_fit} in at least 3 strips)"
        )
        if require_linearity:
            raise InputError(why, "file")
        warnings.append(why + ": linearity not reported")
    with np.errstate(invalid="ignore"):
        differential = np.nanstd(deviations[:, np.sum(~np.isnan(deviations), axis=0) >= 3], axis=0, ddof=1)
    values = {
        "fwhm_mm": Quantity(mean_fwhm, "mm", source=SOURCE, note="mean over lines and strips"),
        "fwtm_mm": Quantity(_nan_to_none(np.nanmean, fwtm), "mm", source=SOURCE, note="mean over lines and strips"),
        "fwhm_max_mm": Quantity(float(np.nanmax(fwhm)), "mm"),
        "fwtm_max_mm": Quantity(_nan_to_none(np.nanmax, fwtm), "mm"),
        "n_lines": Quantity(len(peaks_ref), ""),
        "n_strips": Quantity(n_strips, ""),
        "absolute_linearity_mm": Quantity(
            float(np.nanmax(np.abs(deviations))) if linearity_ok else None, "mm", source=SOURCE
        ),
        "differential_linearity_mm": Quantity(
            float(np.max(differential)) if linearity_ok else None, "mm", source=SOURCE
        ),
    }
    if line_spacing_mm and len(peaks_ref) >= 2:
        spacing_px = float(np.nanmean(np.diff(pos, axis=1)))
        values["measured_pixel_size_mm"] = Quantity(line_spacing_mm / spacing_px, "mm")
        values["pixel_size_deviation_percent"] = Quantity(100 * (line_spacing_mm / spacing_px / across_mm - 1), "%")
    parameters = {
        "standard": "NEMA NU 1-2018",
        "orientation": orientation,
        "strip_mm": strip_mm,
        "strip_rows": per_strip,
        "peak": "parabola through the maximum sample and its two neighbours",
        "crossings": "linear interpolation between adjacent samples at 1/2 and 1/10 of the parabola's peak value",
        "background": "not subtracted",
        "line_spacing_mm": line_spacing_mm,
        "source": SOURCE,
        "per_line_fwhm_mm": [_nan_to_none(np.nanmean, fwhm[:, j], 4) for j in range(fwhm.shape[1])],
        "per_line_fwtm_mm": [_nan_to_none(np.nanmean, fwtm[:, j], 4) for j in range(fwtm.shape[1])],
    }
    fig_svg = _figure(profiles, across_mm, peaks_ref, mean_fwhm, img) if figure else None
    inputs = dict(inputs or {})
    inputs.setdefault("matrix", list(np.asarray(pixels).shape))
    inputs.setdefault("pixel_spacing_mm", list(sizes))
    return AnalysisResult(ANALYSIS, inputs, parameters, values, tuple(warnings), fig_svg)


def _nan_to_none(reduce, values: np.ndarray, digits: int | None = None) -> float | None:
    """``reduce`` over the non-NaN values; None (not NaN, not a numpy warning) when there are none."""
    finite = values[~np.isnan(values)]
    if finite.size == 0:
        return None
    out = float(reduce(finite))
    return round(out, digits) if digits is not None else out


def _refuse_non_line_image(total: np.ndarray, peaks: list[int], name: str) -> None:
    """Refuse unseparated lines (bar phantoms, floods): see the module docstring."""
    if len(peaks) < 2:
        return
    shallow = sum(
        float(total[a:b].min()) > MAX_VALLEY_FRACTION * min(float(total[a]), float(total[b]))
        for a, b in zip(peaks[:-1], peaks[1:], strict=True)
    )
    if shallow > 0.5 * (len(peaks) - 1):
        raise InputError(
            f"{name} does not show separated line sources: between {shallow} of {len(peaks) - 1} neighbouring "
            f"peaks the profile stays above {MAX_VALLEY_FRACTION:.0%} of the peaks (a bar phantom or a flood?); "
            "the line-source analysis needs parallel, separated line sources in one direction",
            "file",
        )


def _crossed_strips(profiles: np.ndarray, peaks: list[int]) -> np.ndarray:
    """Strips where the counts between the lines, scaled to the width of the line columns, exceed
    ``CROSSED_RATIO`` times the median counts on the lines (a line in the other direction crosses there).

    The columns between the lines (below a quarter of the line peak) are found on the lower quartile over the
    strips that hold counts, so that crossing lines in up to three quarters of the strips do not hide the gaps.
    """
    strip_totals = profiles.sum(axis=1)
    holding = strip_totals > 0.1 * strip_totals.max()
    base = np.percentile(profiles[holding], 25, axis=0)
    span = np.zeros(base.size, dtype=bool)
    span[peaks[0] : peaks[-1] + 1] = True
    gap = span & (base < 0.25 * base.max())
    on = span & ~gap
    if not gap.any() or not on.any():
        return np.zeros(profiles.shape[0], dtype=bool)
    on_lines = profiles[:, on].sum(axis=1)
    between = profiles[:, gap].mean(axis=1) * on.sum()
    return holding & (between > CROSSED_RATIO * float(np.median(on_lines[holding])))


def analyze_resolution(
    path: str | Path | PlanarImage,
    frame: int | None = None,
    detector: int | None = None,
    orientation: str = "auto",
    strip_mm: float = 30.0,
    line_spacing_mm: float | None = None,
    figure: bool = True,
    require_linearity: bool = False,
) -> AnalysisResult:
    """Line-source resolution and linearity of one frame of an NM DICOM image."""
    image = path if isinstance(path, PlanarImage) else read_planar(path, frame, detector)
    return line_source_analysis(
        image.pixels,
        image.pixel_size_mm,
        image.inputs,
        orientation,
        strip_mm,
        line_spacing_mm,
        figure,
        require_linearity,
    )


def _figure(profiles, pixel_mm, peaks, fwhm, img) -> str:
    fig, (ax, axp) = new_figure(2)
    ax.imshow(img, cmap="gray", aspect="auto")
    ax.set_title("line-source image (lines vertical)", fontsize=9)
    p = profiles.sum(axis=0)
    x = np.arange(p.size) * pixel_mm
    axp.plot(x, p, lw=1, color="#1d2733")
    for k in peaks:
        _, value = parabolic_peak(p, k)
        axp.axhline(0.5 * value, color="#a4262c", lw=0.6, ls="--")
        axp.axhline(0.1 * value, color="#0b6e75", lw=0.6, ls=":")
    axp.set_xlabel("position across lines (mm)")
    axp.set_ylabel("counts (summed strips)")
    axp.set_title(f"LSF profile; mean FWHM {fwhm:.2f} mm", fontsize=9)
    return svg(fig)
