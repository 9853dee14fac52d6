"""Writing a run's outputs: RT Dose, a Parametric Map, the results document (JSON) and the HTML report.

They are written into a temporary folder beside the destination, which is renamed into place only
when every file is complete, so a failed or interrupted run never leaves a partial result that looks final.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pydicom
import pydicom.errors

from nmguard.errors import InputError
from nmguard.exchange.dicom.parametric_map import write_dose_parametric_map
from nmguard.exchange.dicom.rtdose import write_rt_dose
from nmguard.exchange.dosimetry_results import run_document
from nmguard.reporting.dosimetry_report import report_html

RT_DOSE = "rtdose.dcm"
PARAMETRIC_MAP = "dose_parametric_map.dcm"
RESULTS = "results.json"
REPORT = "report.html"


def source_images(study_dir: str | os.PathLike, series_uid: str) -> list[pydicom.Dataset]:
    """Headers of the reference SPECT/PET series (the dose grid's source), for the Parametric Map."""
    found = []
    for path in sorted(Path(study_dir).rglob("*")):
        if not path.is_file():
            continue
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
        except (pydicom.errors.InvalidDicomError, OSError):
            continue
        if getattr(ds, "SeriesInstanceUID", None) == series_uid:
            found.append(ds)
    if not found:
        raise InputError(f"the reference series {series_uid} is no longer in {study_dir}", "study_dir")
    return found


def check_out_dir(out_dir: str | os.PathLike) -> Path:
    """The output folder, refused when it already holds files (a result is never mixed with another)."""
    dest = Path(out_dir)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InputError(f"{dest} already holds files; choose a new output folder", "out_dir")
    return dest


def default_out_dir(study_dir: str | os.PathLike, kind: str, when: dt.datetime | None = None) -> Path:
    """``STUDY_DIR-<kind>-<local time>`` beside the study, with ``-2``, ``-3``… when that name is taken (two
    runs in the same second)."""
    study = Path(study_dir)
    base = study.with_name(f"{study.name}-{kind}-{(when or dt.datetime.now()).strftime('%Y%m%dT%H%M%S')}")
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def write_atomically(out_dir: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call ``write(folder)`` on a temporary folder beside ``out_dir`` and rename it into place when it
    returns; on any error the temporary folder is removed, so nothing partial looks final."""
    dest = check_out_dir(out_dir)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
    try:
        write(tmp)
        if dest.exists():
            dest.rmdir()
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def write_outputs(run, out_dir: str | os.PathLike) -> dict[str, Path]:
    """Write RT Dose, the Parametric Map, results.json and report.html into ``out_dir`` (new or empty)."""

    def write(tmp: Path) -> None:
        write_rt_dose(
            run.dose_Gy,
            run.spacing_mm,
            run.origin_mm,
            tmp / RT_DOSE,
            frame_of_reference_uid=run.frame_of_reference_uid,
            study_instance_uid=run.study_instance_uid,
            patient_id=run.patient_id,
            patient_name=run.patient_name,
            series_description=f"Absorbed dose ({run.options.method}) {run.nuclide}",
            comment=f"NMGuard dosimetry, method {run.options.method}, input sha256 {run.input_digest[:16]}",
        )
        write_dose_parametric_map(
            run.dose_Gy,
            run.spacing_mm,
            run.origin_mm,
            tmp / PARAMETRIC_MAP,
            source_images=source_images(run.study_dir, run.reference_series_uid),
            frame_of_reference_uid=run.frame_of_reference_uid,
            study_instance_uid=run.study_instance_uid,
            patient_id=run.patient_id,
            patient_name=run.patient_name,
            series_description=f"Absorbed dose ({run.options.method}) {run.nuclide}",
        )
        doc = run_document(run, rt_dose_file=RT_DOSE, parametric_map_file=PARAMETRIC_MAP)
        (tmp / RESULTS).write_text(json.dumps(doc, indent=1), encoding="utf-8")
        (tmp / REPORT).write_text(report_html(run, run.masks), encoding="utf-8")

    dest = write_atomically(out_dir, write)
    return {
        "rt_dose": dest / RT_DOSE,
        "parametric_map": dest / PARAMETRIC_MAP,
        "results": dest / RESULTS,
        "report": dest / REPORT,
    }
