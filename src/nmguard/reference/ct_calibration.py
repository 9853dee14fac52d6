"""CT number → mass density calibration and HU bins for the transport materials.

Data: ``ct_density_calibration.csv`` (piecewise-linear density against CT number = HU + 1000, in
kg/m³ as in the source) and ``ct_material_thresholds.csv`` (half-open HU intervals [low, high) per
material of ``photon_materials.csv``). Both are scanner-generic: a department should replace them
with its own scanner's calibration.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference.citations import Citation, Status, get_citation
from nmguard.reference.photon_cross_sections import photon_materials

CALIBRATION_FILE = "ct_density_calibration.csv"
THRESHOLDS_FILE = "ct_material_thresholds.csv"
#: CT number of a voxel in the calibration's convention: HU + this offset.
CT_NUMBER_OFFSET = 1000.0


@dataclass(frozen=True)
class DensitySegment:
    """density_kg_m3 = slope × (HU + 1000) + intercept on ct_number in [low, high)."""

    ct_number_low: float
    ct_number_high: float
    slope_kg_m3: float
    intercept_kg_m3: float
    source: Citation
    status: Status


@dataclass(frozen=True)
class MaterialBin:
    material: str
    index: int
    hu_low: float
    hu_high: float
    source: Citation
    status: Status


@cache
def density_segments() -> tuple[DensitySegment, ...]:
    """The calibration segments in increasing CT number; they tile the whole real line."""
    out = []
    for i, row in enumerate(read_csv(CALIBRATION_FILE), start=2):
        where = f"{CALIBRATION_FILE} line {i}"
        out.append(
            DensitySegment(
                float(row["ct_number_low"]),
                float(row["ct_number_high"]),
                float(row["slope_kg_m3"]),
                float(row["intercept_kg_m3"]),
                get_citation(row["source"], where),
                Status.parse(row["status"], where),
            )
        )
    _check_tiling([(s.ct_number_low, s.ct_number_high) for s in out], CALIBRATION_FILE)
    return tuple(out)


@cache
def material_bins() -> tuple[MaterialBin, ...]:
    """HU intervals per material, increasing; material indices as in ``photon_materials.csv``."""
    index = {m.name: m.index for m in photon_materials()}
    out = []
    for i, row in enumerate(read_csv(THRESHOLDS_FILE), start=2):
        where = f"{THRESHOLDS_FILE} line {i}"
        name = row["material"].strip()
        if name not in index:
            raise ReferenceDataError(f"{where}: material {name!r} is not a transport material")
        out.append(
            MaterialBin(
                name,
                index[name],
                float(row["hu_low"]),
                float(row["hu_high"]),
                get_citation(row["source"], where),
                Status.parse(row["status"], where),
            )
        )
    _check_tiling([(b.hu_low, b.hu_high) for b in out], THRESHOLDS_FILE)
    return tuple(out)


def _check_tiling(intervals: list[tuple[float, float]], name: str) -> None:
    if not intervals or intervals[0][0] != float("-inf") or intervals[-1][1] != float("inf"):
        raise ReferenceDataError(f"{name}: intervals must start at -inf and end at inf")
    for (_, high), (low, _) in zip(intervals, intervals[1:], strict=False):
        if high != low:
            raise ReferenceDataError(f"{name}: intervals must be contiguous and increasing")
