"""How each kind of QC test is entered and analysed, and what the evaluated value is.

A test's catalogue id picks its entry: a check-source reading for activity-meter constancy, a
DICOM image for the image analyses, a plain number for the rest. Each adapter runs the pure
analysis and hands (value, unit, AnalysisResult) to :func:`qc_services.record_result`.

Why one module of about 430 lines: one adapter per kind of QC entry (reading, image, number), each small; together
they are the single table of how a catalogue test is entered.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from nmguard.analysis import AnalysisResult
from nmguard.apps.equipment import qc_services
from nmguard.apps.equipment.forms import (
    ComparedResultForm,
    ConstancyForm,
    EarlForm,
    ImageResultForm,
    LinearityForm,
    NumericResultForm,
    SuvCalibrationForm,
)
from nmguard.apps.equipment.models import Equipment, QCResult, QCSchedule
from nmguard.errors import InputError
from nmguard.physics.display import format_sig
from nmguard.reporting.plots import control_chart
from nmguard.reporting.qc_report import ReportRow, ReportSeries, monthly_report_pdf


@dataclass(frozen=True)
class Measured:
    """What an entry produced: the evaluated value, its unit, the evaluation when the analysis made it
    (several points: the worst decides), and the full analysis."""

    value: float
    unit: str
    evaluation: dict | None = None
    analysis: AnalysisResult | None = None


@dataclass(frozen=True)
class Entry:
    form: type
    analyse: Callable[[QCSchedule, dict], Measured]


def _unit(schedule: QCSchedule) -> str:
    from nmguard.reference.qc_tests import get_qc_test

    return get_qc_test(schedule.test.catalogue_id).band_unit


def _numeric(schedule: QCSchedule, data: dict) -> Measured:
    return Measured(data["value"], _unit(schedule))


def _compared(schedule: QCSchedule, data: dict) -> Measured:
    """Measured against expected: the stored value is the compared quantity (deviation %, or difference)."""
    evaluation = qc_services.evaluate_value(schedule.test, data["value"], data["reference_value"])
    return Measured(evaluation["deviation"], evaluation["deviation_unit"], evaluation)


def _evaluation_of(analysis: AnalysisResult, value: float) -> dict:
    """The analysis's own verdict in the shape the QC result stores."""
    outcome = analysis.values["outcome"]
    return {
        "outcome": outcome.value,
        "deviation": value,
        "source": outcome.source,
        "status": outcome.status,
        "override_reason": outcome.note,
        "tolerance": analysis.parameters.get("tolerance"),
        "action": analysis.parameters.get("action"),
    }


def _constancy(schedule: QCSchedule, data: dict) -> Measured:
    from nmguard.qc.activity_meter import constancy

    source = schedule.check_source
    if source is None:
        raise InputError("this constancy schedule has no check source: set one first", "reading")
    setting = schedule.nuclide_setting or source.nuclide
    result = constancy(
        source.nuclide,
        source.certified_activity_Bq,
        source.certified_at,
        data["performed_at"],
        {setting: data["reading"]},
        bands=qc_services.department_bands(schedule.test),
    )
    (row,) = result.values["settings"].value
    deviation = row["deviation_percent"]
    return Measured(deviation, "%", _evaluation_of(result, deviation), result)


def _read_upload(upload: UploadedFile) -> list[bytes]:
    """A single DICOM file, or every member of a .zip (a series)."""
    import io
    import zipfile

    data = upload.read()
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            if not members:
                raise InputError("the .zip holds no files", "file")
            return [archive.read(m) for m in members]
    return [data]


def _uniformity(schedule: QCSchedule, data: dict) -> Measured:
    import tempfile
    from pathlib import Path

    from nmguard.qc.nm.uniformity import analyze_uniformity

    blob = _read_upload(data["file"])[0]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (Path(data["file"].name).name or "flood.dcm")
        path.write_bytes(blob)
        result = analyze_uniformity(path)
    value = result.values["integral_ufov_percent"].value
    return Measured(value, "%", qc_services.evaluate_value(schedule.test, value), result)


def _cor(schedule: QCSchedule, data: dict) -> Measured:
    import tempfile

    from nmguard.qc.nm.cor import analyze_cor

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cor.dcm"
        path.write_bytes(_read_upload(data["file"])[0])
        result = analyze_cor(path)
    value = result.values["cor_offset_px"].value
    return Measured(value, "pixel", qc_services.evaluate_value(schedule.test, value), result)


def _series_folder(data: dict, folder) -> Path:
    """Unpack the uploaded file or .zip into ``folder`` (a PET series is many files)."""

    for i, blob in enumerate(_read_upload(data["file"])):
        (Path(folder) / f"{i:05d}.dcm").write_bytes(blob)
    return Path(folder)


def _earl(schedule: QCSchedule, data: dict) -> Measured:
    import tempfile

    from nmguard.qc.pet.earl import earl_qc

    with tempfile.TemporaryDirectory() as folder:
        background = data.get("background_kbq_ml")
        result = earl_qc(
            _series_folder(data, folder),
            standard=data["standard"],
            sphere_concentration_Bq_per_mL=data["sphere_kbq_ml"] * 1e3,
            background_concentration_Bq_per_mL=background * 1e3 if background else None,
        )
    checks = {k: q for k, q in result.values.items() if k.endswith("mm_pass") and not k.startswith("sphere_")}
    failed = sum(1 for q in checks.values() if q.value is False)
    any_band = next(iter(checks.values()), None)
    evaluation = {
        "outcome": "ok" if result.passed else "action",
        "deviation": failed,
        "band": f"{result.parameters.get('standard', data['standard'])} recovery-coefficient bands",
        "source": any_band.source if any_band else None,
        "status": any_band.status if any_band else None,
    }
    return Measured(float(failed), "bands missed", evaluation, result)


def _suv_calibration(schedule: QCSchedule, data: dict) -> Measured:
    import tempfile

    from nmguard.qc.pet.suv_calibration import suv_calibration

    with tempfile.TemporaryDirectory() as folder:
        result = suv_calibration(
            _series_folder(data, folder), phantom_volume_mL=data["volume_ml"], injected_activity_Bq=data.get("activity")
        )
    bias = result.values["bias_percent"].value
    measured, expected = result.values["measured_Bq_per_mL"].value, result.values["expected_Bq_per_mL"].value
    return Measured(bias, "%", qc_services.evaluate_value(schedule.test, measured, expected), result)


def _linearity(schedule: QCSchedule, data: dict) -> Measured:
    import tempfile

    from nmguard.qc.activity_meter import linearity_from_csv

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "linearity.csv"
        path.write_bytes(_read_upload(data["file"])[0])
        result = linearity_from_csv(path, data["nuclide"], bands=qc_services.department_bands(schedule.test))
    worst = result.values["max_abs_deviation_percent"].value
    return Measured(worst, "%", _evaluation_of(result, worst), result)


ENTRIES: dict[str, Entry] = {
    "gc-cor": Entry(ImageResultForm, _cor),
    "am-linearity": Entry(LinearityForm, _linearity),
    "pet-image-quality": Entry(EarlForm, _earl),
    "pet-suv-calibration": Entry(SuvCalibrationForm, _suv_calibration),
    "am-constancy": Entry(ConstancyForm, _constancy),
    "gc-uniformity-daily": Entry(ImageResultForm, _uniformity),
    "gc-uniformity-intrinsic-high-count": Entry(ImageResultForm, _uniformity),
}


def entry_for(schedule: QCSchedule) -> Entry:
    """The test's own entry, else a number: compared with a reference where the test's basis needs one."""
    from nmguard.reference.qc_tests import get_qc_test

    if schedule.test.catalogue_id in ENTRIES:
        return ENTRIES[schedule.test.catalogue_id]
    if get_qc_test(schedule.test.catalogue_id).needs_reference:
        return Entry(ComparedResultForm, _compared)
    return Entry(NumericResultForm, _numeric)


def entry_form_for(schedule: QCSchedule, data=None, files=None):
    """The entry form, its number fields labelled with the test's unit."""
    from nmguard.reference.qc_tests import get_qc_test

    form = entry_for(schedule).form(data, files)
    unit = get_qc_test(schedule.test.catalogue_id).unit
    for name in ("value", "reference_value"):
        if name in form.fields and unit and form.fields[name].label:
            form.fields[name].label = f"{form.fields[name].label} ({unit})"
    return form


def record_from_form(schedule: QCSchedule, data: dict, user) -> QCResult:
    m = entry_for(schedule).analyse(schedule, data)
    return qc_services.record_result(
        schedule,
        performed_at=data["performed_at"],
        user=user,
        value=m.value,
        unit=m.unit,
        evaluation=m.evaluation,
        analysis=m.analysis,
        comment=data.get("comment", ""),
    )


# ---------------------------------------------------------------- trends and reports
def trend_svg(schedule: QCSchedule, results: list[QCResult]) -> str | None:
    if not results:
        return None
    return control_chart(
        f"{schedule.test.name} — {schedule.equipment}",
        [timezone.localtime(r.performed_at) for r in results],
        [r.value for r in results],
        results[-1].unit,
        qc_services.bands_for(schedule.test),
        [r.outcome for r in results],
    )


def monthly_report(device: Equipment, year: int, month: int) -> bytes:
    start = timezone.make_aware(dt.datetime(year, month, 1))
    end = start + dt.timedelta(days=calendar.monthrange(year, month)[1])
    results = list(
        QCResult.objects.filter(schedule__equipment=device, performed_at__gte=start, performed_at__lt=end)
        .select_related("schedule__test", "performed_by", "approved_by")
        .order_by("performed_at")
    )
    rows = [
        ReportRow(
            f"{timezone.localtime(r.performed_at):%Y-%m-%d %H:%M %Z}",
            r.schedule.test.name,
            f"{format_sig(r.value)} {r.unit}".strip(),
            r.get_outcome_display(),
            str(r.performed_by),
            str(r.approved_by or "—"),
            r.comment,
        )
        for r in results
    ]
    series = []
    for schedule in QCSchedule.objects.filter(equipment=device).select_related("test"):
        mine = [r for r in results if r.schedule_id == schedule.pk]
        if mine:
            series.append(
                ReportSeries(
                    schedule.test.name,
                    mine[-1].unit,
                    [timezone.localtime(r.performed_at) for r in mine],
                    [r.value for r in mine],
                    [r.outcome for r in mine],
                    qc_services.bands_for(schedule.test),
                )
            )
    return monthly_report_pdf(
        f"QC report — {device}", f"{calendar.month_name[month]} {year} · {device.location}", rows, series
    )


# ---------------------------------------------------------------- words and numbers for the result page
def _band_text(band: dict | str | None) -> str | None:
    """A stored band (dict of low/high/unit) in words, e.g. "±5 %" or "≤ 5 %"; text bands pass through."""
    if not band:
        return None
    if isinstance(band, str):
        return band
    from nmguard.reference.qc_tests import Band

    try:
        return Band(band.get("low"), band.get("high"), band.get("unit") or "").describe()
    except InputError:
        return None


def describe_evaluation(evaluation: dict) -> str:
    """What a result was evaluated against, in words with units and the deciding source (never a dict)."""
    parts = [f"{role} {text}" for role in ("tolerance", "action") if (text := _band_text(evaluation.get(role)))]
    if not parts and (text := _band_text(evaluation.get("band"))):
        parts.append(text)
    words = "; ".join(parts) or "the department's bands"
    source, status = evaluation.get("source"), evaluation.get("status")
    if source == "department" or (source and not status):
        words += " (department's bands"
        words += f": {evaluation['override_reason']})" if evaluation.get("override_reason") else ")"
    elif source:
        words += f" ({source}, {status})"
    return words


_NAMES = {"ufov": "UFOV", "cfov": "CFOV", "cor": "COR", "rc": "RC", "suv": "SUV", "mm": "mm", "px": "px"}


_UNITS = {"percent": "%", "MBq": "MBq", "Bq": "Bq", "mm": "mm", "px": "px", "d": "d", "s": "s"}


def _unit_of(key: str) -> str:
    """The unit a key's suffix names (``measured_MBq`` → " MBq"), or nothing."""
    last = key.rsplit("_", 1)[-1]
    return f" {_UNITS[last]}" if "_" in key and last in _UNITS else ""


def _label(key: str) -> str:
    """``integral_ufov_percent`` → "integral UFOV" (the unit goes after the value or in its own column)."""
    words = key.split("_")
    if len(words) > 1 and words[-1] in _UNITS:
        words = words[:-1]
    return " ".join(_NAMES.get(w, w) for w in words).strip() or key


def display_value(value) -> str:
    """Any stored analysis value as a person reads it: numbers to 4 significant figures, lists and
    records spelled out, no Python syntax."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format_sig(float(value), 4)
    if isinstance(value, dict):
        return ", ".join(f"{_label(str(k))} {display_value(v)}{_unit_of(str(k))}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(display_value(v) for v in value) or "–"
    return str(value)


_YEAR_S = 365.25 * 86400.0


@dataclass(frozen=True)
class ValueRow:
    name: str
    value: str
    unit: str
    source: str


def value_rows(analysis: dict) -> list[ValueRow]:
    """The analysis's numbers for the "All values" table: readable names, values and sources."""
    rows = []
    for key, q in (analysis.get("values") or {}).items():
        q = q if isinstance(q, dict) else {"value": q}
        cited = ", ".join(x for x in (q.get("source"), q.get("status")) if x)
        value, unit = q.get("value"), q.get("unit") or ""
        if unit == "s" and isinstance(value, int | float) and abs(value) >= 2 * _YEAR_S:  # a half-life: years
            value, unit = value / _YEAR_S, "a"
        rows.append(ValueRow(_label(key), display_value(value), unit, cited))
    return rows


def sphere_table(analysis: dict) -> dict | None:
    """EARL / NEMA IQ values regrouped as sphere × metric (value, band, pass) for the result page."""
    import re

    values = analysis.get("values") or {}
    pattern = re.compile(r"^(rc_[a-z]+)_(\d+)mm$")
    metrics: list[str] = []
    spheres: dict[int, dict[str, dict]] = {}
    for key, q in values.items():
        m = pattern.match(key)
        if not m:
            continue
        metric, diameter = m.group(1), int(m.group(2))
        if metric not in metrics:
            metrics.append(metric)
        spheres.setdefault(diameter, {})[metric] = {
            "value": q["value"],
            "lower": (values.get(f"{key}_lower") or {}).get("value"),
            "upper": (values.get(f"{key}_upper") or {}).get("value"),
            "passed": (values.get(f"{key}_pass") or {}).get("value"),
        }
    if not spheres:
        return None
    rows = [
        {
            "diameter": d,
            "cells": [spheres[d].get(m) for m in metrics],
            "passed": (values.get(f"sphere_{d}mm_pass") or {}).get("value"),
        }
        for d in sorted(spheres)
    ]
    return {"metrics": [m.replace("rc_", "RC").replace("RCmean", "RCmean (A50)") for m in metrics], "rows": rows}
