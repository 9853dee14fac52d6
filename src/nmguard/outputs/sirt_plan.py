"""A SIRT plan's outputs, as for a dosimetry run: RT Dose (the Y-90 dose on the SPECT grid), results.json
(schema ``nmguard.sirt-plan/1``) and report.html, written atomically by :func:`outputs.write_atomically`.

:func:`plan_study_result` wraps :func:`nmguard.dosimetry.sirt.plan_study` with what the files need and the
plan does not return: the SPECT grid's origin and frame of reference, the study UID, the patient's name,
the VOI masks (for the report's dose-map slices), the input SHA-256 and the software versions. The study is
read a second time for these (about 2 s for the Siemens MAA study); ``plan_study`` could return them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nmguard.dosimetry.sirt import Y90, SirtOptions, SirtPlan
from nmguard.errors import InputError
from nmguard.outputs.dosimetry_run import REPORT, RESULTS, RT_DOSE, write_atomically

Progress = Callable[[str, float], None]


@dataclass
class SirtResult:
    """A plan with the study facts that its RT Dose, results document and report need."""

    plan: SirtPlan
    facts: dict[str, Any]
    patient_id: str
    patient_name: str
    study_instance_uid: str
    frame_of_reference_uid: str
    spacing_mm: tuple[float, float, float]
    origin_mm: tuple[float, float, float]
    study_dir: str
    input_digest: str
    versions: dict[str, str]
    masks: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def dose_Gy(self) -> np.ndarray:
        return self.plan.dose_Gy


def _quiet(_step: str, _fraction: float) -> None:
    return None


def plan_study_result(study_dir: str | os.PathLike, options: SirtOptions, progress: Progress = _quiet) -> SirtResult:
    """Plan on a study folder (:func:`~nmguard.dosimetry.sirt.plan_study`) and collect the grid and study facts."""
    from nmguard.dosimetry.pipeline import input_digest, software_versions
    from nmguard.dosimetry.sirt import plan_study
    from nmguard.imaging.study import load_study

    folder = Path(study_dir)
    progress("planning", 0.05)
    plan, facts = plan_study(folder, options)
    progress("reading the SPECT grid", 0.6)
    study = load_study(folder, calibration_cps_per_MBq=1.0)  # as plan_study reads it
    grid = study.time_points[0].activity_Bq
    if plan.dose_Gy is None or tuple(plan.dose_Gy.shape) != tuple(grid.array.shape):
        raise InputError("the plan's dose map is not on the SPECT grid of the study", "study_dir")
    progress("input checksum", 0.7)
    return SirtResult(
        plan=plan,
        facts=facts,
        patient_id=study.patient_id,
        patient_name=study.patient_name,
        study_instance_uid=study.study_instance_uid,
        frame_of_reference_uid=grid.frame_of_reference_uid,
        spacing_mm=tuple(float(s) for s in grid.spacing_mm),
        origin_mm=tuple(float(s) for s in grid.origin_mm),
        study_dir=str(folder),
        input_digest=input_digest(folder),
        versions=software_versions(),
        masks={name: np.asarray(m, dtype=bool) for name, m in study.vois.items()},
    )


def write_sirt_outputs(result: SirtResult, out_dir: str | os.PathLike) -> dict[str, Path]:
    """Write rtdose.dcm, results.json and report.html into ``out_dir`` (new or empty), all or nothing."""
    from nmguard.exchange.dicom.rtdose import write_rt_dose
    from nmguard.exchange.sirt_plan import sirt_document
    from nmguard.reporting.sirt_report import sirt_report_html

    o = result.plan.options
    label = f"{Y90} microsphere plan ({o.method}), {o.activity_GBq:.4g} GBq"

    def write(tmp: Path) -> None:
        write_rt_dose(
            result.dose_Gy,
            result.spacing_mm,
            result.origin_mm,
            tmp / RT_DOSE,
            frame_of_reference_uid=result.frame_of_reference_uid,
            study_instance_uid=result.study_instance_uid,
            patient_id=result.patient_id,
            patient_name=result.patient_name,
            series_description=label,
            dose_summation_type="PLAN",
            comment=f"NMGuard SIRT plan (MAA), input sha256 {result.input_digest[:16]}",  # LO: 64 chars
        )
        doc = sirt_document(result, rt_dose_file=RT_DOSE)
        (tmp / RESULTS).write_text(json.dumps(doc, indent=1, allow_nan=False), encoding="utf-8")
        (tmp / REPORT).write_text(sirt_report_html(result), encoding="utf-8")

    dest = write_atomically(out_dir, write)
    return {"rt_dose": dest / RT_DOSE, "results": dest / RESULTS, "report": dest / REPORT}
