"""A Y-90 microsphere (SIRT) plan as a documented JSON document: ``nmguard.sirt-plan/1``.

The schema is ``schemas/sirt-plan-1.schema.json`` (JSON Schema 2020-12). The document starts as every
NMGuard results document does (:func:`~nmguard.exchange.dosimetry_results.document_header`: schema, software
and reference-data versions, time, patient, study with the input SHA-256), adds the study facts the plan was
made from and the dose grid of the RT Dose file, and then holds the plan's own dictionary
(:meth:`~nmguard.dosimetry.sirt.SirtPlan.to_dict`: VOIs with DVHs, lung shunt, T/N, partition model,
planning per microsphere, uncertainty, assumptions, warnings) at the top level, as ``--json`` has always
printed it. Values that are not finite numbers are written as null (JSON has no NaN).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from importlib import resources
from typing import Any

from nmguard.exchange.dosimetry_results import document_header, dose_grid

SCHEMA_ID = "nmguard.sirt-plan/1"


def schema() -> dict[str, Any]:
    """The JSON Schema document (for validators and for the documentation)."""
    return json.loads(resources.files("nmguard.exchange").joinpath("schemas/sirt-plan-1.schema.json").read_text())


def _plain(value: Any) -> Any:
    """JSON-ready: NumPy scalars and arrays to Python, tuples to lists, non-finite floats to None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):  # NumPy scalar or array
        return _plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def sirt_document(result, rt_dose_file: str | None = None, created: dt.datetime | None = None) -> dict[str, Any]:
    """The exchange document of a :class:`~nmguard.outputs.sirt_plan.SirtResult`."""
    head = document_header(SCHEMA_ID, result, created)
    facts = result.facts
    head["study"].update(
        {
            "study_dir": facts.get("study_dir", result.study_dir),
            "spect_series_instance_uid": facts.get("spect_series"),
            "mapping_nuclide": facts.get("mapping_nuclide"),
            "voi_sources": dict(facts.get("voi_sources") or {}),
        }
    )
    return _plain({**head, "dose_grid": dose_grid(result, rt_dose_file), **result.plan.to_dict()})
