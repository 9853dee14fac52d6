"""Breast-feeding interruption advice (``data/breastfeeding.csv``), edition RG 8.39 Rev. 1 (2020).

A product row wins over a nuclide-wide row (``applies_to = nuclide:<name>``). ``interruption_h`` is
``None`` with ``cessation = True`` for 'complete cessation'; 0 means no interruption needed. The
activity thresholds are those above which breast-feeding instructions (and records) are required.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference._sourced import opt_float, sourced, to_bool
from nmguard.reference.citations import Citation, SourcedValue, Status, get_citation
from nmguard.reference.nuclides import get_nuclide
from nmguard.reference.radiopharmaceuticals import get_radiopharmaceutical

BREASTFEEDING_FILE = "breastfeeding.csv"


@dataclass(frozen=True)
class BreastfeedingAdvice:
    applies_to: str  # radiopharmaceutical id or "nuclide:<name>"
    edition: str
    cessation: bool
    interruption_h: float | None  # None when cessation
    source: Citation  # of the interruption / cessation statement
    status: Status
    instructions_above: SourcedValue | None  # MBq
    record_above: SourcedValue | None  # MBq
    note: str | None


@cache
def _advice() -> dict[str, BreastfeedingAdvice]:
    out: dict[str, BreastfeedingAdvice] = {}
    for i, row in enumerate(read_csv(BREASTFEEDING_FILE), start=2):
        where = f"{BREASTFEEDING_FILE} line {i}"
        target = row["applies_to"].strip()
        if target.startswith("nuclide:"):
            key = "nuclide:" + get_nuclide(target.removeprefix("nuclide:")).name
        else:
            key = get_radiopharmaceutical(target).id
        if key in out:
            raise ReferenceDataError(f"{where}: duplicate entry for {key}")
        cessation = to_bool(row["cessation"], where)
        hours = opt_float(row["interruption_h"], where)
        if cessation == (hours is not None):
            raise ReferenceDataError(f"{where}: give either interruption hours or cessation")
        isrc, ist = row["interruption_source"], row["interruption_status"]
        tsrc, tst = row["threshold_source"], row["threshold_status"]
        instr, rec = opt_float(row["instructions_above_MBq"], where), opt_float(row["record_above_MBq"], where)
        out[key] = BreastfeedingAdvice(
            applies_to=key,
            edition=row["edition"].strip(),
            cessation=cessation,
            interruption_h=hours,
            source=get_citation(isrc, where),
            status=Status.parse(ist, where),
            instructions_above=None if instr is None else sourced(instr, "MBq", tsrc, tst, where),
            record_above=None if rec is None else sourced(rec, "MBq", tsrc, tst, where),
            note=row.get("note", "").strip() or None,
        )
    return out


def breastfeeding_entries() -> tuple[BreastfeedingAdvice, ...]:
    return tuple(_advice().values())


def breastfeeding_advice(rp: str) -> BreastfeedingAdvice | None:
    """The advice row for a product (product row, else its nuclide's row); ``None`` if not in the table."""
    product = get_radiopharmaceutical(rp)
    table = _advice()
    return table.get(product.id) or table.get("nuclide:" + product.nuclide)
