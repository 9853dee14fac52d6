"""Reference data of Y-90 microsphere planning (``reference/data/sirt.toml``), each value with its citation.

Kept next to :mod:`nmguard.dosimetry.sirt` so that the planning module reads typed values, never literals.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference._sourced import sourced, sourced_entry
from nmguard.reference.citations import SourcedValue

FILE = "sirt.toml"
MICROSPHERES = ("glass", "resin")
BSA_FORMULAS = ("dubois", "mosteller")


@dataclass(frozen=True)
class Microsphere:
    key: str
    label: str
    tumour_target: SourcedValue
    normal_liver_limit: SourcedValue


@dataclass(frozen=True)
class SirtData:
    lung_mass: SourcedValue
    lung_limit_per_session: SourcedValue
    lung_limit_cumulative: SourcedValue
    bsa_offset: SourcedValue
    bsa_tumour_GBq: SourcedValue
    lsf_reductions: tuple[tuple[float, SourcedValue], ...]  # (LSF above which, factor), increasing
    du_bois: dict[str, SourcedValue]
    mosteller_divisor: SourcedValue
    microspheres: dict[str, Microsphere]
    activity_calibration_percent: SourcedValue
    partition_min_count_share: SourcedValue


def _entry(table: dict, key: str, where: str, unit: str | None = None) -> SourcedValue:
    entry = table.get(key)
    if not isinstance(entry, dict):
        raise ReferenceDataError(f"{FILE} {where}.{key}: missing")
    value = sourced_entry(entry, f"{FILE} {where}.{key}")
    if unit is not None and value.unit != unit:
        raise ReferenceDataError(f"{FILE} {where}.{key}: unit must be {unit!r}, not {value.unit!r}")
    return value


@cache
def sirt_data() -> SirtData:
    """All SIRT planning constants, checked once."""
    doc = read_toml(FILE)
    lung, resin, bsa = doc.get("lung") or {}, doc.get("resin_bsa") or {}, doc.get("bsa") or {}
    reductions = []
    for i, row in enumerate(resin.get("lsf_reductions") or []):
        where = f"{FILE} [resin_bsa].lsf_reductions[{i}]"
        factor = sourced(float(row["factor"]), "", row["source"], row["status"], where, row.get("note"))
        if not (0 < float(row["above"]) < 1 and 0 <= factor.value <= 1):
            raise ReferenceDataError(f"{where}: 'above' in (0, 1) and 'factor' in [0, 1]")
        reductions.append((float(row["above"]), factor))
    if [r[0] for r in reductions] != sorted(r[0] for r in reductions):
        raise ReferenceDataError(f"{FILE} [resin_bsa].lsf_reductions: rows must increase in 'above'")
    spheres = {}
    for key in MICROSPHERES:
        table = (doc.get("microspheres") or {}).get(key) or {}
        where = f"[microspheres.{key}]"
        spheres[key] = Microsphere(
            key,
            str(table.get("label") or key),
            _entry(table, "tumour_target", where, "Gy"),
            _entry(table, "normal_liver_limit", where, "Gy"),
        )
    return SirtData(
        lung_mass=_entry(lung, "default_mass", "[lung]", "kg"),
        lung_limit_per_session=_entry(lung, "limit_per_session", "[lung]", "Gy"),
        lung_limit_cumulative=_entry(lung, "limit_cumulative", "[lung]", "Gy"),
        bsa_offset=_entry(resin, "offset", "[resin_bsa]", "m2"),
        bsa_tumour_GBq=_entry(resin, "tumour_involvement_GBq", "[resin_bsa]", "GBq"),
        lsf_reductions=tuple(reductions),
        du_bois={
            k: _entry(bsa.get("du_bois") or {}, k, "[bsa.du_bois]")
            for k in ("coefficient", "height_exponent", "weight_exponent")
        },
        mosteller_divisor=_entry(bsa.get("mosteller") or {}, "divisor", "[bsa.mosteller]"),
        microspheres=spheres,
        activity_calibration_percent=_entry(doc.get("uncertainty") or {}, "activity_calibration", "[uncertainty]", "%"),
        partition_min_count_share=_entry(doc.get("partition") or {}, "min_count_share", "[partition]", ""),
    )
