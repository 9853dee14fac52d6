"""Writing a run's outputs: RT Dose, the results document (JSON) and the HTML report.

All three are written into a temporary folder beside the destination, which is renamed into place only
when every file is complete, so a failed or interrupted run never leaves a partial result that looks final.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from nmguard.errors import InputError
from nmguard.exchange.dosimetry_results import run_document
from nmguard.imaging.rtdose import write_rt_dose
from nmguard.reporting.dosimetry_report import report_html

RT_DOSE = "rtdose.dcm"
RESULTS = "results.json"
REPORT = "report.html"


def write_outputs(run, out_dir: str | os.PathLike) -> dict[str, Path]:
    """Write RT Dose, results.json and report.html into ``out_dir`` (which must not exist yet)."""
    dest = Path(out_dir)
    if dest.exists() and any(dest.iterdir()):
        raise InputError(f"{dest} already holds files; choose a new output folder", "out_dir")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
    try:
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
        doc = run_document(run, rt_dose_file=RT_DOSE)
        (tmp / RESULTS).write_text(json.dumps(doc, indent=1), encoding="utf-8")
        (tmp / REPORT).write_text(report_html(run, run.masks), encoding="utf-8")
        if dest.exists():
            dest.rmdir()
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"rt_dose": dest / RT_DOSE, "results": dest / RESULTS, "report": dest / REPORT}
