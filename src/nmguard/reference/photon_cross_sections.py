"""Photon partial mass cross sections of the Monte Carlo materials (``photon_cross_sections.csv``).

Why a shipped table: the transport must not depend on a cross-section library at run time. The
table is derived offline (``tools/reference/derive_photon_cross_sections.py``) from the Elam
elemental tables by mass-fraction weighting of the compositions in ``photon_materials.csv``; it
holds coherent (Rayleigh), incoherent (Compton) and photoelectric parts from 5 keV to 3 MeV.
Pair production is not included (about 1 % of mu in water at 2 MeV).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference.citations import Citation, Status, get_citation

MATERIALS_FILE = "photon_materials.csv"
CROSS_SECTIONS_FILE = "photon_cross_sections.csv"
#: interaction kinds in the order of the table's columns and of the transport's arrays.
KINDS = ("photoelectric", "incoherent", "coherent")
_COLUMNS = {"photoelectric": "photoelectric_cm2_g", "incoherent": "incoherent_cm2_g", "coherent": "coherent_cm2_g"}
#: the mass fractions of a composition are written to 3-6 decimals; they must sum to 1 within this.
FRACTION_SUM_TOLERANCE = 2e-3


@dataclass(frozen=True)
class PhotonMaterial:
    """A transport material: its index in material maps, nominal density and elemental mass fractions."""

    name: str
    index: int
    nominal_density_g_cm3: float
    composition: dict[int, float]
    source: Citation
    status: Status
    note: str


@dataclass(frozen=True)
class CrossSectionTable:
    """Partial mass cross sections (cm²/g), ``values[material, kind, energy]``, kinds as :data:`KINDS`."""

    materials: tuple[str, ...]
    energies_keV: np.ndarray
    values: np.ndarray
    source: Citation
    status: Status

    def mass_coefficient(self, material: str, energy_keV: float | np.ndarray, kind: str = "total") -> np.ndarray:
        """μ/ρ (cm²/g) of ``kind`` ("total" or one of :data:`KINDS`) by log-log interpolation."""
        if material not in self.materials:
            raise InputError(f"unknown material {material!r}; known: {', '.join(self.materials)}", "material")
        e = np.asarray(energy_keV, dtype=float)
        if np.any(e < self.energies_keV[0]) or np.any(e > self.energies_keV[-1]):
            raise InputError(
                f"photon energy outside the table ({self.energies_keV[0]:g}-{self.energies_keV[-1]:g} keV)", "energy"
            )
        rows = self.values[self.materials.index(material)]
        picked = rows.sum(axis=0) if kind == "total" else rows[_kind_index(kind)]
        return np.exp(np.interp(np.log(e), np.log(self.energies_keV), np.log(picked)))


def _kind_index(kind: str) -> int:
    if kind not in KINDS:
        raise InputError(f"unknown interaction kind {kind!r}; use total or one of {', '.join(KINDS)}", "kind")
    return KINDS.index(kind)


def _composition(text: str, where: str) -> dict[int, float]:
    try:
        parts = {int(z): float(w) for z, w in (p.split(":") for p in text.split(";"))}
    except ValueError:
        raise ReferenceDataError(f"{where}: composition {text!r} is not 'Z:fraction;...'") from None
    if abs(sum(parts.values()) - 1.0) > FRACTION_SUM_TOLERANCE:
        raise ReferenceDataError(f"{where}: mass fractions sum to {sum(parts.values()):.4f}, not 1")
    return parts


@cache
def photon_materials() -> tuple[PhotonMaterial, ...]:
    """The transport materials in index order (index i is material code i in a material map)."""
    out = []
    for i, row in enumerate(read_csv(MATERIALS_FILE), start=2):
        where = f"{MATERIALS_FILE} line {i}"
        out.append(
            PhotonMaterial(
                name=row["material"].strip(),
                index=int(row["index"]),
                nominal_density_g_cm3=float(row["nominal_density_g_cm3"]),
                composition=_composition(row["composition_z_mass_fraction"], where),
                source=get_citation(row["source"], where),
                status=Status.parse(row["status"], where),
                note=row["note"].strip(),
            )
        )
    if [m.index for m in out] != list(range(len(out))):
        raise ReferenceDataError(f"{MATERIALS_FILE}: indices must run 0, 1, 2, ... in row order")
    return tuple(out)


@cache
def photon_cross_sections() -> CrossSectionTable:
    """The whole table; every material of :func:`photon_materials` on one shared energy grid."""
    names = tuple(m.name for m in photon_materials())
    by_material: dict[str, list[tuple[float, list[float]]]] = {n: [] for n in names}
    sources, statuses = set(), set()
    for i, row in enumerate(read_csv(CROSS_SECTIONS_FILE), start=2):
        where = f"{CROSS_SECTIONS_FILE} line {i}"
        name = row["material"].strip()
        if name not in by_material:
            raise ReferenceDataError(f"{where}: material {name!r} is not in {MATERIALS_FILE}")
        values = [float(row[_COLUMNS[k]]) for k in KINDS]
        energy = float(row["energy_keV"])
        if not all(math.isfinite(v) and v > 0 for v in [energy, *values]):
            raise ReferenceDataError(f"{where}: energies and cross sections must be positive numbers")
        by_material[name].append((energy, values))
        sources.add(row["source"].strip())
        statuses.add(row["status"].strip())
    if len(sources) != 1 or len(statuses) != 1:
        raise ReferenceDataError(f"{CROSS_SECTIONS_FILE}: expected one source and one status for the whole table")
    grids = {n: [e for e, _ in rows] for n, rows in by_material.items()}
    energies = grids[names[0]]
    if any(g != energies for g in grids.values()) or energies != sorted(set(energies)):
        raise ReferenceDataError(f"{CROSS_SECTIONS_FILE}: every material needs the same increasing energy grid")
    values = np.array([[v for _, v in by_material[n]] for n in names]).transpose(0, 2, 1)
    return CrossSectionTable(
        materials=names,
        energies_keV=np.array(energies),
        values=np.ascontiguousarray(values),
        source=get_citation(sources.pop(), CROSS_SECTIONS_FILE),
        status=Status.parse(statuses.pop(), CROSS_SECTIONS_FILE),
    )
