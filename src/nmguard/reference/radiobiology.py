"""Linear-quadratic tissue parameters for BED in molecular radiotherapy (``data/radiobiology.csv``).

One row per (tissue, parameter): ``alpha_beta`` in Gy and ``repair_half_time`` in h (the half-time of
mono-exponential sub-lethal damage repair, mu = ln 2 / T_rep). Every value carries its source and status;
at present all shipped values are ``unverified`` (see the notes): pass your own values where it matters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference._sourced import sourced, to_float
from nmguard.reference.citations import SourcedValue

RADIOBIOLOGY_FILE = "radiobiology.csv"
_PARAMETERS = {"alpha_beta": "Gy", "repair_half_time": "h"}
_ALIASES = {"kidneys": "kidney", "marrow": "red_marrow", "red marrow": "red_marrow", "bone_marrow": "red_marrow"}


@dataclass(frozen=True)
class RadiobiologyParameters:
    tissue: str
    alpha_beta: SourcedValue  # Gy
    repair_half_time: SourcedValue  # h


@cache
def _table() -> dict[str, RadiobiologyParameters]:
    rows: dict[str, dict[str, SourcedValue]] = {}
    for i, row in enumerate(read_csv(RADIOBIOLOGY_FILE), start=2):
        where = f"{RADIOBIOLOGY_FILE} line {i}"
        tissue, parameter = row["tissue"].strip(), row["parameter"].strip()
        unit = _PARAMETERS.get(parameter)
        if unit is None:
            raise ReferenceDataError(f"{where}: unknown parameter {parameter!r}")
        if row["unit"].strip() != unit:
            raise ReferenceDataError(f"{where}: {parameter} must be in {unit}, not {row['unit']!r}")
        value = to_float(row["value"], where)
        if value <= 0:
            raise ReferenceDataError(f"{where}: {parameter} must be positive")
        entry = rows.setdefault(tissue, {})
        if parameter in entry:
            raise ReferenceDataError(f"{where}: duplicate {parameter} for {tissue}")
        entry[parameter] = sourced(value, unit, row["source"], row["status"], where, row.get("note"))
    out: dict[str, RadiobiologyParameters] = {}
    for tissue, entry in rows.items():
        missing = set(_PARAMETERS) - set(entry)
        if missing:
            raise ReferenceDataError(f"{RADIOBIOLOGY_FILE}: {tissue} lacks {', '.join(sorted(missing))}")
        out[tissue] = RadiobiologyParameters(tissue, entry["alpha_beta"], entry["repair_half_time"])
    return out


def radiobiology_tissues() -> tuple[str, ...]:
    return tuple(_table())


def radiobiology_parameters(tissue: str) -> RadiobiologyParameters:
    """The alpha/beta and repair half-time of ``tissue`` ("kidney", "red_marrow"; a few aliases accepted)."""
    key = str(tissue).strip().lower()
    key = _ALIASES.get(key, key)
    try:
        return _table()[key]
    except KeyError:
        known = ", ".join(radiobiology_tissues())
        raise InputError(f"no radiobiology parameters for tissue {tissue!r} (known: {known})", field="tissue") from None
