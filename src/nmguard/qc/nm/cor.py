"""Centre of rotation from a SPECT projection set of a point source (NEMA NU 1-2018 §3.1 style).

Per projection, the centroid (x: column, y: row) weighted by the counts above 10 % of that projection's
maximum, inside a window around the maximum. x(θ) is fitted by linear least squares to a·sin θ + b·cos θ + c,
i.e. A·sin(θ + φ) + c with A = √(a² + b²), φ = atan2(b, a). The COR offset is c − (columns − 1)/2 (the matrix
centre in pixel-index coordinates), reported in pixels and mm; the residuals of x and the deviation of y from its
mean show wobble and axial tilt.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError
from nmguard.qc.nm._common import new_figure, svg
from nmguard.qc.nm.dicom_planar import NMFrames, nm_image_type, read_frames, refuse_reconstruction

ANALYSIS = "spect-centre-of-rotation"
SOURCE = "NEMA NU 1-2018 §3.1 (SPECT centre of rotation); IAEA Human Health Series No. 6 (2009)"


def centroids(projections: np.ndarray, threshold: float = 0.10, half_window: int = 8) -> np.ndarray:
    """(n, 2) array of (x, y) centroids in pixel-index coordinates."""
    out = np.empty((projections.shape[0], 2))
    rows, cols = projections.shape[1:]
    for i, frame in enumerate(projections):
        if not np.any(frame > 0):
            raise InputError(f"empty frame: projection {i} holds no counts", "frame")
        r, c = np.unravel_index(int(np.argmax(frame)), frame.shape)
        r0, r1 = max(0, r - half_window), min(rows, r + half_window + 1)
        c0, c1 = max(0, c - half_window), min(cols, c + half_window + 1)
        win = frame[r0:r1, c0:c1]
        w = np.clip(win - threshold * win.max(), 0.0, None)  # threshold-subtracted weights
        total = w.sum()
        yy, xx = np.mgrid[r0:r1, c0:c1]
        out[i] = ((w * xx).sum() / total, (w * yy).sum() / total)
    return out


def fit_sinusoid(angles_deg: np.ndarray, x: np.ndarray) -> tuple[float, float, float, np.ndarray]:
    """(amplitude, phase_deg, offset c, fitted x) of x = A·sin(θ + φ) + c by linear least squares."""
    theta = np.deg2rad(angles_deg)
    design = np.column_stack([np.sin(theta), np.cos(theta), np.ones_like(theta)])
    (a, b, c), *_ = np.linalg.lstsq(design, x, rcond=None)
    return float(np.hypot(a, b)), float(np.degrees(np.arctan2(b, a))), float(c), design @ np.array([a, b, c])


def angles_from_dataset(stack: NMFrames) -> np.ndarray | None:
    rot = stack.dataset.get("RotationInformationSequence")
    if not rot:
        return None
    item = rot[0]
    if item.get("StartAngle") is None or item.get("AngularStep") is None:
        return None
    n = int(item.get("NumberOfFramesInRotation") or stack.frames.shape[0])
    sign = -1.0 if str(item.get("RotationDirection", "CC")).upper() == "CW" else 1.0
    return float(item.StartAngle) + sign * float(item.AngularStep) * np.arange(n)


def cor_from_projections(
    projections: np.ndarray,
    angles_deg: np.ndarray,
    pixel_size_mm: float,
    inputs: dict | None = None,
    figure: bool = True,
) -> AnalysisResult:
    proj = np.asarray(projections, dtype=np.float64)
    angles = np.asarray(angles_deg, dtype=np.float64)
    if proj.ndim != 3 or proj.shape[0] != angles.size:
        raise InputError(f"{proj.shape[0]} projections but {angles.size} angles", "angles")
    if angles.size < 4 or np.ptp(angles) < 90:
        raise InputError("a centre-of-rotation fit needs at least 4 projections spanning ≥ 90°", "angles")
    xy = centroids(proj)
    amp, phase, c, fitted = fit_sinusoid(angles, xy[:, 0])
    centre = (proj.shape[2] - 1) / 2.0
    offset_px = c - centre
    residual = xy[:, 0] - fitted
    y_dev = xy[:, 1] - xy[:, 1].mean()
    warnings: list[str] = []
    if np.ptp(angles) < 300:
        warnings.append(f"projections span only {np.ptp(angles):.0f}°; a 360° orbit constrains the fit best")
    values = {
        "cor_offset_px": Quantity(offset_px, "pixel", source=SOURCE),
        "cor_offset_mm": Quantity(offset_px * pixel_size_mm, "mm", source=SOURCE),
        "x_residual_max_mm": Quantity(float(np.abs(residual).max() * pixel_size_mm), "mm"),
        "x_residual_rms_mm": Quantity(float(np.sqrt(np.mean(residual**2)) * pixel_size_mm), "mm"),
        "y_deviation_max_mm": Quantity(float(np.abs(y_dev).max() * pixel_size_mm), "mm"),
        "amplitude_mm": Quantity(amp * pixel_size_mm, "mm", note="radius of the point from the axis"),
        "phase_deg": Quantity(phase, "°"),
        "pixel_size_mm": Quantity(pixel_size_mm, "mm"),
    }
    parameters = {
        "centroid": "count-weighted with (counts − 10 % of the projection maximum)⁺ weights in a ±8-pixel window",
        "fit": "x(θ) = A·sin(θ+φ) + c, linear least squares",
        "matrix_centre_px": centre,
        "source": SOURCE,
    }
    fig_svg = _figure(angles, xy, fitted, pixel_size_mm) if figure else None
    inputs = dict(inputs or {})
    inputs.update({"n_projections": int(angles.size), "angles_deg": [float(angles[0]), float(angles[-1])]})
    return AnalysisResult(ANALYSIS, inputs, parameters, values, tuple(warnings), fig_svg)


def analyze_cor(
    path: str | Path,
    angles_deg: np.ndarray | None = None,
    detector: int | None = None,
    figure: bool = True,
) -> AnalysisResult:
    """COR from a multi-frame NM projection set; angles from the Rotation Information Sequence unless given."""
    stack = read_frames(path)
    needs = "the projection set of a point source (Image Type TOMO)"
    refuse_reconstruction(stack, needs)
    kind = nm_image_type(stack.dataset)
    if stack.frames.shape[0] < 4:
        raise InputError(
            f"{stack.inputs['file']} holds {stack.frames.shape[0]} frame(s) ({kind or 'no Image Type'}): "
            f"a centre-of-rotation check needs {needs}",
            "file",
        )
    frames = stack.frames
    inputs = dict(stack.inputs)
    if detector is not None:
        vec = stack.vector("DetectorVector")
        if vec is None:
            raise InputError(f"no DetectorVector in {inputs['file']}: cannot choose detector {detector}", "detector")
        frames = frames[vec == int(detector)]
        inputs["detector"] = int(detector)
    if angles_deg is None:
        angles_deg = angles_from_dataset(stack)
        if angles_deg is None:
            raise InputError(
                f"no projection angles: {inputs['file']} lacks Rotation Information Sequence StartAngle/AngularStep",
                "angles",
            )
        angles_deg = angles_deg[: frames.shape[0]]
    return cor_from_projections(frames, np.asarray(angles_deg), stack.pixel_size_mm[1], inputs, figure)


def _figure(angles, xy, fitted, pixel_mm) -> str:
    fig, (ax, axr) = new_figure(2)
    ax.plot(angles, xy[:, 0], "o", ms=3, label="x centroid")
    ax.plot(angles, fitted, "-", lw=1, label="A·sin(θ+φ)+c")
    ax.set_xlabel("angle (°)")
    ax.set_ylabel("x (pixel)")
    ax.legend(fontsize=7)
    axr.plot(angles, (xy[:, 0] - fitted) * pixel_mm, "o-", ms=3, label="x residual")
    axr.plot(angles, (xy[:, 1] - xy[:, 1].mean()) * pixel_mm, "s-", ms=3, label="y − mean y")
    axr.set_xlabel("angle (°)")
    axr.set_ylabel("mm")
    axr.legend(fontsize=7)
    return svg(fig)
