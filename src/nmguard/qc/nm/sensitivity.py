"""Planar system sensitivity in cps/MBq, decay-corrected to the acquisition start (NEMA NU 1-2018 §3.3 style).

S = (C/T − B) / (A₀ · D), where C are the counts in the frame, T the acquisition duration, B the background count
rate, A₀ the source activity decay-corrected from its assay time to the acquisition start and
D = (1 − e^(−λT)) / (λT) the mean fraction of A₀ left during the acquisition (decay during the acquisition).
Half-lives come from ``nmguard.reference`` (cited, with status); decay from ``nmguard.physics.decay``.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError
from nmguard.physics.decay import decay_factor, elapsed_seconds
from nmguard.qc.nm._common import new_figure, svg
from nmguard.qc.nm.dicom_planar import PlanarImage, acquisition_start, frame_duration_s, read_planar
from nmguard.reference import get_nuclide

ANALYSIS = "planar-sensitivity"


def analyze_sensitivity(
    path: str | Path | PlanarImage,
    activity_MBq: float,
    activity_time: dt.datetime,
    nuclide: str,
    acquisition_start_time: dt.datetime | None = None,
    duration_s: float | None = None,
    background_cps: float = 0.0,
    frame: int | None = None,
    detector: int | None = None,
    figure: bool = True,
) -> AnalysisResult:
    """Sensitivity of one frame; acquisition start and duration from the DICOM object unless given."""
    image = path if isinstance(path, PlanarImage) else read_planar(path, frame, detector)
    if not (activity_MBq > 0 and math.isfinite(activity_MBq)):
        raise InputError("activity must be a positive number of MBq", "activity")
    nuc = get_nuclide(nuclide)
    start = acquisition_start_time or acquisition_start(image.dataset)
    if start is None:
        raise InputError(
            "no acquisition start: the file lacks Acquisition Date/Time with a Timezone Offset From UTC; give it",
            "acquisition_start",
        )
    duration = duration_s if duration_s is not None else frame_duration_s(image.dataset)
    if duration is None or not duration > 0:
        raise InputError(
            "no acquisition duration: no Actual Frame Duration (0018,1242) in the file; give it", "duration"
        )
    counts = float(image.pixels.sum())
    cps = counts / duration - background_cps
    half_life = nuc.half_life_s
    elapsed = elapsed_seconds(activity_time, start)
    a0 = activity_MBq * decay_factor(half_life, elapsed)
    lam_t = math.log(2.0) * duration / half_life
    d = -math.expm1(-lam_t) / lam_t
    sensitivity = cps / (a0 * d)
    warnings = []
    if elapsed < 0:
        warnings.append("the activity was assayed after the acquisition started; decay corrected backwards")
    if cps <= 0:
        warnings.append("background rate is at or above the measured rate")
    hl = nuc.half_life
    values = {
        "sensitivity_cps_per_MBq": Quantity(sensitivity, "cps/MBq", note="decay-corrected to the acquisition start"),
        "count_rate_cps": Quantity(cps, "cps", note="background subtracted"),
        "total_counts": Quantity(counts, "counts"),
        "activity_at_start_MBq": Quantity(a0, "MBq"),
        "decay_during_acquisition_factor": Quantity(d, ""),
        "half_life_s": Quantity(half_life, "s", source=hl.source.id, status=str(hl.status.value)),
        "duration_s": Quantity(duration, "s"),
    }
    parameters = {
        "nuclide": nuc.name,
        "activity_MBq": activity_MBq,
        "activity_time": activity_time.isoformat(),
        "acquisition_start": start.isoformat(),
        "background_cps": background_cps,
        "formula": "S = (C/T − B) / (A(t_start) · (1 − e^(−λT))/(λT))",
        "source": "NEMA NU 1-2018 §3.3 (planar sensitivity)",
    }
    fig_svg = _figure(image.pixels, sensitivity) if figure else None
    return AnalysisResult(ANALYSIS, dict(image.inputs), parameters, values, tuple(warnings), fig_svg)


def _figure(pixels: np.ndarray, sensitivity: float) -> str:
    fig, ax = new_figure(1, 4.5, 3.6)
    ax.imshow(pixels, cmap="gray")
    ax.set_title(f"sensitivity {sensitivity:.4g} cps/MBq", fontsize=9)
    ax.set_axis_off()
    return svg(fig)
