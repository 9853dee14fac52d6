"""EARL 18F accreditation compliance of an image-quality result (standards 1 or 2).

Each band of the standard (``reference/data/earl_standards.csv``) is checked against the matching value of a
:func:`~nmguard.qc.pet.nema_iq.nema_image_quality` result (``rc_max_37mm`` …); the standard passes when every
band passes. Standards 2 limits are unverified: the result says so in its warnings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError
from nmguard.qc.pet import figures
from nmguard.qc.pet.nema_iq import ANALYSIS as IQ_ANALYSIS
from nmguard.qc.pet.nema_iq import nema_image_quality
from nmguard.qc.pet.series import PetSeries
from nmguard.reference.earl import earl_rc_bands, earl_standard_name

ANALYSIS = "earl-18f-compliance"
METRIC_LABELS = {"rc_max": "RCmax", "rc_mean": "RCmean (A50)", "rc_peak": "RCpeak"}


def earl_compliance(iq_result: AnalysisResult, standard: str = "earl1") -> AnalysisResult:
    """Pass/fail per sphere and metric, and overall, of an image-quality result against an EARL standard."""
    if iq_result.analysis != IQ_ANALYSIS:
        raise InputError(f"EARL compliance needs a {IQ_ANALYSIS} result, not {iq_result.analysis}", field="result")
    name = earl_standard_name(standard)
    bands = earl_rc_bands(standard)
    values: dict[str, Quantity] = {
        "standard": Quantity(name, source=bands[0].lower.source.id, status=bands[0].status.value)
    }
    warnings = list(iq_result.warnings)
    unverified = sorted({b.lower.source.id for b in bands if b.status.value == "unverified"})
    if unverified:
        warnings.append(
            f"{name} limits are unverified (from memory, sources {', '.join(unverified)}): check them at "
            "earl.eanm.org before relying on this pass/fail"
        )
    a50 = iq_result.parameters.get("a50_background_adapted")
    if a50 is False:
        warnings.append("RCmean was measured with a 50 %-of-max A50 threshold, not background-adapted")
    all_pass = True
    per_metric: dict[str, tuple[list, list, list]] = {}
    failures = []
    for band in sorted(bands, key=lambda b: (b.metric, b.sphere_diameter_mm)):
        key = f"{band.metric}_{band.sphere_diameter_mm}mm"
        q = iq_result.values.get(key)
        if q is None or not isinstance(q.value, float | int):
            raise InputError(f"the image-quality result has no {key}", field="result")
        ok = band.contains(float(q.value))
        all_pass &= ok
        if not ok:
            failures.append(f"{key} {float(q.value):.3f} outside {band.lower.value:g}..{band.upper.value:g}")
        src, st = band.lower.source.id, band.status.value
        values[key] = Quantity(float(q.value), note=q.note)
        values[f"{key}_lower"] = Quantity(band.lower.value, source=src, status=st)
        values[f"{key}_upper"] = Quantity(band.upper.value, source=src, status=st)
        values[f"{key}_pass"] = Quantity(ok, source=src, status=st)
        vals, lows, highs = per_metric.setdefault(METRIC_LABELS[band.metric], ([], [], []))
        vals.append(float(q.value))
        lows.append(band.lower.value)
        highs.append(band.upper.value)
    for d in sorted({b.sphere_diameter_mm for b in bands}):
        values[f"sphere_{d}mm_pass"] = Quantity(all(values[f"{m}_{d}mm_pass"].value for m in {b.metric for b in bands}))
    values["passed"] = Quantity(all_pass, note="; ".join(failures) or "every band passed")
    for key in (
        "background_variability_10mm_percent",
        "background_variability_37mm_percent",
        "lung_residual_percent",
        "background_Bq_per_mL",
    ):
        if key in iq_result.values:
            values[key] = iq_result.values[key]
    diameters = sorted({b.sphere_diameter_mm for b in bands})
    figure = figures.earl_figure(f"{name}: {'PASS' if all_pass else 'FAIL'}", diameters, per_metric)
    parameters = {**iq_result.parameters, "standard": name, "standard_key": standard.strip().lower()}
    return AnalysisResult(
        analysis=ANALYSIS,
        inputs=iq_result.inputs,
        parameters=parameters,
        values=values,
        warnings=tuple(warnings),
        figure_svg=figure,
        passed=all_pass,
    )


def earl_qc(
    source: PetSeries | str | Path | Sequence[str | Path],
    *,
    standard: str = "earl1",
    sphere_concentration_Bq_per_mL: float,
    background_concentration_Bq_per_mL: float | None = None,
    concentration_datetime: dt.datetime | None = None,
    phantom_centre_mm: Sequence[float] | None = None,
    half_life_s: float | None = None,
) -> AnalysisResult:
    """Image-quality analysis of a DICOM series followed by the EARL check (what ``nmguard qc earl DIR`` calls)."""
    iq = nema_image_quality(
        source,
        sphere_concentration_Bq_per_mL=sphere_concentration_Bq_per_mL,
        background_concentration_Bq_per_mL=background_concentration_Bq_per_mL,
        concentration_datetime=concentration_datetime,
        half_life_s=half_life_s,
        phantom_centre_mm=phantom_centre_mm,
        a50_background_adapted=True,
    )
    return earl_compliance(iq, standard)
