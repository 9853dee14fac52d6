"""Dosimetry results as a documented JSON document, import of another system's results, and comparison.

The schema is ``schemas/dosimetry-results-1.schema.json`` (JSON Schema 2020-12; described in
docs/dosimetry-exchange.md). :func:`run_document` writes it from a run; :func:`read_results` reads it
back, or a plain CSV with one row per VOI (``voi,mean_Gy[,uncertainty_percent][,tia_MBq_h]``), which is
what most other systems can export. :func:`compare_results` matches VOIs by name and says, for each,
whether the difference is significant given both stated uncertainties.

Significance: with relative standard uncertainties u_a, u_b (k = 1) the combined standard uncertainty of
the difference is u_c = √((u_a·D_a)² + (u_b·D_b)²) (the two systems' errors taken as independent), and
the difference is called significant when |D_a − D_b| > k·u_c with k = 2 (about 95 % coverage, GUM).
Where either uncertainty is missing the significance is "not assessable" rather than guessed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from nmguard.errors import InputError

SCHEMA_ID = "nmguard.dosimetry-results/1"
COVERAGE_K = 2.0


def schema() -> dict[str, Any]:
    """The JSON Schema document (for validators and for the documentation)."""
    text = resources.files("nmguard.exchange").joinpath("schemas/dosimetry-results-1.schema.json").read_text()
    return json.loads(text)


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def document_header(schema_id: str, result, created: dt.datetime | None = None) -> dict[str, Any]:
    """What every NMGuard results document starts with: schema, software versions, time, patient and study
    (with the SHA-256 of the inputs). ``result`` has ``versions``, ``patient_id``, ``patient_name``,
    ``study_instance_uid``, ``frame_of_reference_uid`` and ``input_digest`` (a run or a SIRT plan's result)."""
    return {
        "schema": schema_id,
        "software": {"name": "NMGuard", "versions": dict(result.versions)},
        "created": (created or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "patient": {"id": result.patient_id, "name": result.patient_name},
        "study": {
            "study_instance_uid": result.study_instance_uid,
            "frame_of_reference_uid": result.frame_of_reference_uid,
            "input_sha256": result.input_digest,
        },
    }


def dose_grid(result, rt_dose_file: str | None, **files: str | None) -> dict[str, Any]:
    """The dose map's grid (z, y, x shape and spacing; x, y, z origin of voxel 0) and the files holding it."""
    return {
        "shape_zyx": list(result.dose_Gy.shape),
        "spacing_mm_zyx": list(result.spacing_mm),
        "origin_mm_xyz": list(result.origin_mm),
        "rt_dose_file": rt_dose_file,
        **files,
    }


def run_document(
    run, rt_dose_file: str | None = None, created: dt.datetime | None = None, parametric_map_file: str | None = None
) -> dict[str, Any]:
    """The exchange document of a :class:`~nmguard.dosimetry.pipeline.DosimetryRun`."""
    options = run.options.to_dict()
    method = {"dose_method": options.pop("method"), **options}
    return {
        **document_header(SCHEMA_ID, run, created),
        "radiopharmaceutical": {
            "nuclide": run.nuclide,
            "injected_activity_MBq": run.injected_activity_MBq,
            "injection_time": run.injection_time,
        },
        "time_points_h": list(run.times_h),
        "method": method,
        "dose_grid": dose_grid(run, rt_dose_file, parametric_map_file=parametric_map_file),
        "vois": [_voi_document(v) for v in run.vois],
        "energy_balance": {k: float(v) for k, v in run.energy.items()},
        "timings_s": {k: round(float(v), 4) for k, v in run.timings_s.items()},
        "warnings": list(run.warnings),
    }


def _voi_document(v) -> dict[str, Any]:
    return {
        "name": v.name,
        "source": v.source,
        "volume_mL": v.volume_mL,
        "mass_g": v.mass_g,
        "time_activity": {"times_h": v.times_h, "activities_MBq": v.activities_MBq},
        "tia": {
            "value_MBq_h": v.tia_MBq_h,
            "uncertainty_percent": _num(v.tia_uncertainty_percent),
            "model": v.tia_model,
            "model_reason": v.tia_model_reason,
            "voxel_scale_factor": _num(v.voxel_scale_factor),
            "warnings": list(v.tia_warnings),
        },
        "absorbed_dose": {
            "mean_Gy": v.mean_Gy,
            "uncertainty_percent": _num(v.mean_uncertainty_percent),
            "mc_statistical_uncertainty_percent": _num(v.mc_relative_uncertainty_percent),
            "sphere_model_Gy": _num(v.sphere_model_Gy),
            "max_Gy": v.max_Gy,
            "D2_Gy": v.D2_Gy,
            "D50_Gy": v.D50_Gy,
            "D98_Gy": v.D98_Gy,
        },
        "bed": None if v.bed_Gy is None else {"value_Gy": v.bed_Gy, **(v.bed_parameters or {})},
        "dvh": {"dose_Gy": list(v.dvh[0]), "volume_percent": list(v.dvh[1])},
    }


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class VoiDose:
    name: str
    mean_Gy: float
    uncertainty_percent: float | None
    tia_MBq_h: float | None = None


@dataclass(frozen=True)
class ResultSet:
    system: str
    method: str
    vois: tuple[VoiDose, ...]


def _positive_or_none(value: Any, where: str, allow_none: bool = True) -> float | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise InputError(f"{where}: a value is needed", where)
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: {value!r} is not a number", where) from None
    if not math.isfinite(x) or x < 0:
        raise InputError(f"{where}: {value!r} must be a finite number >= 0", where)
    return x


def _from_document(doc: Any, label: str) -> ResultSet:
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA_ID:
        raise InputError(
            f"{label}: not an NMGuard dosimetry-results document (schema {SCHEMA_ID!r} expected)", "schema"
        )
    vois = doc.get("vois")
    if not isinstance(vois, list) or not vois:
        raise InputError(f"{label}: 'vois' must be a non-empty list", "vois")
    out = []
    for i, v in enumerate(vois):
        where = f"vois[{i}]"
        if not isinstance(v, dict) or not str(v.get("name", "")).strip():
            raise InputError(f"{label}: {where} needs a name", f"{where}.name")
        dose = v.get("absorbed_dose") or {}
        out.append(
            VoiDose(
                name=str(v["name"]).strip(),
                mean_Gy=_positive_or_none(dose.get("mean_Gy"), f"{where}.absorbed_dose.mean_Gy", allow_none=False),
                uncertainty_percent=_positive_or_none(
                    dose.get("uncertainty_percent"), f"{where}.absorbed_dose.uncertainty_percent"
                ),
                tia_MBq_h=_positive_or_none((v.get("tia") or {}).get("value_MBq_h"), f"{where}.tia.value_MBq_h"),
            )
        )
    software = doc.get("software") or {}
    method = (doc.get("method") or {}).get("dose_method", "")
    return ResultSet(system=str(software.get("name", label)), method=str(method), vois=tuple(out))


def _from_csv(text: str, label: str) -> ResultSet:
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or "voi" not in rows[0] or "mean_Gy" not in rows[0]:
        raise InputError(
            f"{label}: a CSV needs the columns voi and mean_Gy (optional uncertainty_percent, tia_MBq_h)", "file"
        )
    out = []
    for i, row in enumerate(rows, start=2):
        name = (row.get("voi") or "").strip()
        if not name:
            raise InputError(f"{label}: line {i} has no VOI name", "voi")
        out.append(
            VoiDose(
                name=name,
                mean_Gy=_positive_or_none(row.get("mean_Gy"), f"line {i} mean_Gy", allow_none=False),
                uncertainty_percent=_positive_or_none(row.get("uncertainty_percent"), f"line {i} uncertainty_percent"),
                tia_MBq_h=_positive_or_none(row.get("tia_MBq_h"), f"line {i} tia_MBq_h"),
            )
        )
    return ResultSet(system=label, method="", vois=tuple(out))


def read_results(path: str | Path) -> ResultSet:
    """Read an NMGuard JSON results document or a per-VOI CSV; bad content raises InputError."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p} does not exist", "file")
    text = p.read_text(encoding="utf-8-sig")
    if p.suffix.lower() == ".csv":
        return _from_csv(text, p.name)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{p.name}: not valid JSON ({exc.msg} at line {exc.lineno})", "file") from None
    return _from_document(doc, p.name)


# --------------------------------------------------------------------------- comparison


def _key(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").split())


def compare_results(a: ResultSet, b: ResultSet, k: float = COVERAGE_K) -> dict[str, Any]:
    """Per-VOI difference (b − a), relative difference, z = diff / u_c and significance at coverage k."""
    b_by_key = {_key(v.name): v for v in b.vois}
    rows = []
    for va in a.vois:
        vb = b_by_key.pop(_key(va.name), None)
        if vb is None:
            rows.append({"voi": va.name, "status": f"only in {a.system}"})
            continue
        diff = vb.mean_Gy - va.mean_Gy
        rel = 100.0 * diff / va.mean_Gy if va.mean_Gy > 0 else None
        u_c = None
        if va.uncertainty_percent is not None and vb.uncertainty_percent is not None:
            u_c = math.hypot(va.uncertainty_percent * va.mean_Gy, vb.uncertainty_percent * vb.mean_Gy) / 100.0
        z = diff / u_c if u_c else None
        if z is None:
            verdict = "not assessable (an uncertainty is missing)"
        else:
            verdict = "significant" if abs(z) > k else "not significant"
        rows.append(
            {
                "voi": va.name,
                "a_mean_Gy": va.mean_Gy,
                "b_mean_Gy": vb.mean_Gy,
                "difference_Gy": diff,
                "difference_percent": rel,
                "combined_uncertainty_Gy": u_c,
                "z": z,
                "status": verdict,
            }
        )
    rows += [{"voi": v.name, "status": f"only in {b.system}"} for v in b_by_key.values()]
    return {
        "a": {"system": a.system, "method": a.method},
        "b": {"system": b.system, "method": b.method},
        "coverage_factor_k": k,
        "rule": "significant when |b - a| > k * sqrt((u_a D_a)^2 + (u_b D_b)^2), standard uncertainties (k=1)",
        "vois": rows,
    }
