"""SUV calibration from a uniform cylinder (EARL calibration QC).

Expected concentration = injected activity decay-corrected to the time the image values refer to (DecayCorrection
START: series time; ADMIN: administration time, i.e. no decay; NONE: acquisition start) ÷ filled volume.
Measured = mean in a central cylindrical VOI: diameter ``voi_diameter_fraction`` (2/3) of the phantom diameter found in
the image, over the central ``voi_length_fraction`` (2/3) of the phantom length found in the image (50 % threshold).
SUV bias % = (C_measured / C_calculated − 1) × 100 (REFERENCE_DATA §5.5, V); mean SUV = C_measured / C_calculated.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.ndimage import label

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError
from nmguard.qc.pet import figures
from nmguard.qc.pet.series import PetSeries, _naive, as_series, series_inputs
from nmguard.reference.earl import earl_standard_name, suv_calibration_band

ANALYSIS = "pet-suv-calibration-uniform-cylinder"


def suv_calibration(
    source: PetSeries | str | Path | Sequence[str | Path],
    *,
    phantom_volume_mL: float,
    injected_activity_Bq: float | None = None,
    activity_datetime: dt.datetime | None = None,
    half_life_s: float | None = None,
    voi_diameter_fraction: float = 2.0 / 3.0,
    voi_length_fraction: float = 2.0 / 3.0,
    standard: str = "earl1",
) -> AnalysisResult:
    """Calibration bias of a uniform-cylinder PET image against the activity put in it.

    ``injected_activity_Bq`` / ``activity_datetime`` override RadionuclideTotalDose / RadiopharmaceuticalStartDateTime.
    """
    if not phantom_volume_mL or phantom_volume_mL <= 0:
        raise InputError("the phantom volume (mL) must be positive", field="phantom_volume_mL")
    if not 0 < voi_diameter_fraction <= 1 or not 0 < voi_length_fraction <= 1:
        raise InputError("VOI fractions must lie in (0, 1]", field="voi_diameter_fraction")
    series = as_series(source)
    warnings = list(series.warnings)
    activity = injected_activity_Bq if injected_activity_Bq is not None else series.injected_activity_Bq
    if activity is None or not activity > 0:
        raise InputError(
            "no injected activity: RadionuclideTotalDose (0018,1074) is missing; give the activity",
            field="injected_activity_Bq",
        )
    at = _naive(activity_datetime) if activity_datetime is not None else series.injection_datetime
    if at is None:
        raise InputError(
            "no activity time: RadiopharmaceuticalStartDateTime (0018,1078) is missing; give the time the "
            "activity was measured",
            field="activity_datetime",
        )
    ref, why = series.scan_reference_datetime()
    if series.decay_correction == "ADMIN" and series.injection_datetime is not None:
        ref = series.injection_datetime
    if ref is None:
        raise InputError(
            "the series has no reference time (SeriesDate/SeriesTime or AcquisitionDateTime)", field="SeriesTime"
        )
    factor = series.decay_factor(at, ref, half_life_s)
    expected = activity * factor / phantom_volume_mL

    vol, (dz, dy, dx) = series.volume, series.spacing_mm
    level = float(np.percentile(vol, 99.0))
    inside = vol > 0.5 * level
    labels, n = label(inside)
    if n == 0:
        raise InputError("no uniform cylinder found in the image", field="series")
    sizes = np.bincount(labels.ravel())[1:]
    cyl = labels == (1 + int(np.argmax(sizes)))
    per_slice = cyl.sum(axis=(1, 2))
    slices = np.nonzero(per_slice > 0.5 * per_slice.max())[0]
    k_lo, k_hi = int(slices.min()), int(slices.max())
    k_mid = 0.5 * (k_lo + k_hi)
    length_mm = (k_hi - k_lo + 1) * dz
    radius_mm = math.sqrt(float(np.median(per_slice[k_lo : k_hi + 1])) * dy * dx / math.pi)
    rows, cols = np.nonzero(cyl[int(round(k_mid))])
    cy, cx = float(rows.mean()), float(cols.mean())
    voi_r = voi_diameter_fraction * radius_mm
    half_len = 0.5 * voi_length_fraction * length_mm
    ks = np.arange(vol.shape[0])
    k_sel = ks[np.abs((ks - k_mid) * dz) <= half_len]
    yy, xx = np.meshgrid((np.arange(vol.shape[1]) - cy) * dy, (np.arange(vol.shape[2]) - cx) * dx, indexing="ij")
    disc = yy * yy + xx * xx <= voi_r * voi_r
    if len(k_sel) == 0 or not disc.any():
        raise InputError("the VOI holds no voxels: image too coarse for the phantom", field="series")
    voxels = vol[k_sel][:, disc]
    measured = float(voxels.mean())
    cov = 100.0 * float(voxels.std(ddof=1)) / measured if voxels.size > 1 else float("nan")
    profile = voxels.mean(axis=1)
    axial_dev = 100.0 * float(np.max(np.abs(profile / measured - 1.0)))
    bias = (measured / expected - 1.0) * 100.0
    band = suv_calibration_band(standard)
    within = band.contains(bias)
    tol_note = (
        f"{earl_standard_name(standard)} calibration band {band.lower.value:g}..{band.upper.value:g} %"
        f" ({band.status.value})"
    )
    if band.status.value == "unverified":
        warnings.append(
            f"the calibration acceptance band ±{band.upper.value:g} % is unverified (from memory): "
            "check it at earl.eanm.org before relying on it"
        )
    implied_mL = math.pi * radius_mm**2 * length_mm / 1000.0
    if abs(implied_mL / phantom_volume_mL - 1.0) > 0.2:
        warnings.append(
            f"the cylinder in the image ({implied_mL:.0f} mL by its 50 % outline) differs from the given "
            f"volume {phantom_volume_mL:g} mL by more than 20 %"
        )
    z_mm = (k_sel - k_mid) * dz
    values = {
        "measured_Bq_per_mL": Quantity(measured, "Bq/mL", note=f"mean of {voxels.size} voxels in the central VOI"),
        "expected_Bq_per_mL": Quantity(expected, "Bq/mL", note=f"{why}; decay factor {factor:.6f}"),
        "bias_percent": Quantity(
            bias,
            "%",
            source="REFERENCE_DATA 5.5 (EARL tool)",
            status="verified",
            note="(C_measured / C_calculated - 1) x 100",
        ),
        "mean_suv": Quantity(measured / expected, note="SUV with weight = filled volume (1 g/mL)"),
        "within_tolerance": Quantity(within, source=band.lower.source.id, status=band.status.value, note=tol_note),
        "tolerance_lower_percent": Quantity(band.lower.value, "%", band.lower.source.id, band.status.value),
        "tolerance_upper_percent": Quantity(band.upper.value, "%", band.upper.source.id, band.status.value),
        "cov_percent": Quantity(cov, "%", note="voxel standard deviation / mean in the VOI"),
        "axial_max_deviation_percent": Quantity(axial_dev, "%", note="largest slice-mean deviation from the VOI mean"),
        "phantom_diameter_mm_image": Quantity(2 * radius_mm, "mm", note="50 % outline"),
        "phantom_length_mm_image": Quantity(length_mm, "mm", note="50 % outline"),
        "decay_factor": Quantity(factor),
    }
    parameters = {
        "phantom_volume_mL": phantom_volume_mL,
        "injected_activity_Bq": activity,
        "activity_datetime": at.isoformat(),
        "reference_datetime": ref.isoformat(),
        "voi": f"cylinder, diameter {voi_diameter_fraction:.3g} x phantom diameter ({2 * voi_r:.1f} mm), central "
        f"{voi_length_fraction:.3g} of its length ({len(k_sel)} slices)",
        "standard": earl_standard_name(standard),
        "axial_profile_mm": [round(float(z), 3) for z in z_mm],
        "axial_profile_Bq_per_mL": [float(p) for p in profile],
    }
    figure = figures.profile_figure(
        z_mm, profile, measured, (expected * (1 + band.lower.value / 100), expected * (1 + band.upper.value / 100))
    )
    return AnalysisResult(
        analysis=ANALYSIS,
        inputs=series_inputs(series),
        parameters=parameters,
        values=values,
        warnings=tuple(warnings),
        figure_svg=figure,
        passed=within,
    )
