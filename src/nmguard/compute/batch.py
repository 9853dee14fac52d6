"""Batch dosimetry over many studies through Dask.

Each study is one task (read, register, fit, dose, write outputs). Locally the tasks run in Dask's
process pool (one study per core; the numerical libraries inside a task use threads of their own).
With ``NMGUARD_DASK_SCHEDULER=tcp://host:8786`` they go to a Dask distributed cluster instead; that
needs the ``distributed`` package on every node, and says so when it is missing.

A study that fails does not stop the batch: its row says why, and its output folder is not created
(outputs are written atomically, see :mod:`nmguard.outputs.dosimetry_run`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nmguard.dosimetry.run_options import RunOptions
from nmguard.errors import InputError


def run_one(study_dir: str, options: dict[str, Any], out_dir: str) -> dict[str, Any]:
    """One study end to end; returns a summary row (never raises for bad input)."""
    from nmguard.dosimetry.pipeline import run_dosimetry
    from nmguard.outputs.dosimetry_run import write_outputs

    try:
        run = run_dosimetry(study_dir, RunOptions(**options))
        paths = write_outputs(run, out_dir)
    except InputError as exc:
        return {"study": study_dir, "status": "failed", "message": str(exc)}
    return {
        "study": study_dir,
        "status": "succeeded",
        "patient_id": run.patient_id,
        "results": str(paths["results"]),
        "rt_dose": str(paths["rt_dose"]),
        "vois": {v.name: v.mean_Gy for v in run.vois},
        "seconds": round(sum(run.timings_s.values()), 3),
    }


def _scheduler() -> dict[str, Any]:
    address = os.environ.get("NMGUARD_DASK_SCHEDULER", "").strip()
    if not address:
        return {"scheduler": "processes"}
    try:
        from dask.distributed import Client
    except ImportError:
        raise InputError(
            "NMGUARD_DASK_SCHEDULER is set but the 'distributed' package is not installed", "NMGUARD_DASK_SCHEDULER"
        ) from None
    return {"scheduler": Client(address).get}


def run_batch(
    study_dirs: Sequence[str | Path], options: RunOptions, out_root: str | Path, scheduler: str | None = None
) -> list[dict[str, Any]]:
    """Run every study (one output folder each under ``out_root``, named after the study folder)."""
    import dask

    options = options.checked()
    dirs = [Path(d) for d in study_dirs]
    if not dirs:
        raise InputError("no study folders given", "study_dirs")
    names = [d.name for d in dirs]
    if len(set(names)) != len(names):
        raise InputError("two study folders have the same name; their outputs would collide", "study_dirs")
    for d in dirs:
        if not d.is_dir():
            raise InputError(f"{d} is not a folder", "study_dirs")
    out = Path(out_root)
    tasks = [dask.delayed(run_one)(str(d), options.to_dict(), str(out / d.name)) for d in dirs]
    kwargs = {"scheduler": scheduler} if scheduler else _scheduler()
    return list(dask.compute(*tasks, **kwargs))
