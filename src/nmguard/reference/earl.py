"""EARL 18F accreditation bands (``data/earl_standards.csv``): RC limits per sphere and the calibration band.

Standards 1 limits are verified (EARL specifications, Jan 2017); standards 2 and the ±10 % calibration band are
unverified (from memory) and must be checked at earl.eanm.org before they decide anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference._sourced import opt_float, sourced, to_float
from nmguard.reference.citations import SourcedValue, Status

DATA_FILE = "earl_standards.csv"
STANDARDS = {"earl1": "EARL 18F standards 1", "earl2": "EARL 18F standards 2"}
METRICS = ("rc_max", "rc_mean", "rc_peak", "suv_bias_percent")


@dataclass(frozen=True)
class EarlBand:
    standard: str
    metric: str
    sphere_diameter_mm: int | None
    sphere_volume_mL: float | None
    lower: SourcedValue
    upper: SourcedValue

    @property
    def status(self) -> Status:
        return self.lower.status

    def contains(self, value: float) -> bool:
        return self.lower.value <= value <= self.upper.value


@cache
def _bands() -> tuple[EarlBand, ...]:
    out = []
    seen = set()
    for i, row in enumerate(read_csv(DATA_FILE), start=2):
        where = f"{DATA_FILE} line {i}"
        standard, metric = row["standard"].strip(), row["metric"].strip()
        if standard not in STANDARDS:
            raise ReferenceDataError(f"{where}: unknown standard {standard!r}")
        if metric not in METRICS:
            raise ReferenceDataError(f"{where}: unknown metric {metric!r}")
        diameter = opt_float(row["sphere_diameter_mm"], where)
        lower = sourced(to_float(row["lower"], where), row["unit"], row["source"], row["status"], where, row["note"])
        upper = sourced(to_float(row["upper"], where), row["unit"], row["source"], row["status"], where, row["note"])
        if lower.value > upper.value:
            raise ReferenceDataError(f"{where}: lower {lower.value} > upper {upper.value}")
        key = (standard, metric, diameter)
        if key in seen:
            raise ReferenceDataError(f"{where}: duplicate band {key}")
        seen.add(key)
        out.append(
            EarlBand(
                standard,
                metric,
                int(diameter) if diameter is not None else None,
                opt_float(row["sphere_volume_mL"], where),
                lower,
                upper,
            )
        )
    return tuple(out)


def _standard(standard: str) -> str:
    key = standard.strip().lower().replace(" ", "").replace("-", "")
    if key not in STANDARDS:
        raise InputError(f"unknown EARL standard {standard!r}; use one of {', '.join(STANDARDS)}", field="standard")
    return key


def earl_standard_name(standard: str) -> str:
    return STANDARDS[_standard(standard)]


def earl_rc_bands(standard: str) -> tuple[EarlBand, ...]:
    """The recovery-coefficient bands of ``standard`` ("earl1" or "earl2"), per metric and sphere."""
    key = _standard(standard)
    return tuple(b for b in _bands() if b.standard == key and b.sphere_diameter_mm is not None)


def suv_calibration_band(standard: str = "earl1") -> EarlBand:
    """The uniform-cylinder calibration band (SUV bias %) of ``standard``."""
    key = _standard(standard)
    for b in _bands():
        if b.standard == key and b.metric == "suv_bias_percent":
            return b
    raise ReferenceDataError(f"{DATA_FILE}: no suv_bias_percent band for {key}")
