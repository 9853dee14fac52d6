"""ENSDF-derived mean electron energies per decay (``data/electron_energy.csv``).

Why a separate file: the values are computed offline by ``tools/reference/
derive_electron_energies.py`` from ENSDF (paceENSDF JSON), which is not a runtime dependency;
each row keeps its components so tests can check the arithmetic without the tool. Only rows
with ``use = yes`` replace the placeholder in ``nuclides.csv``; ``use = no`` rows are lower
bounds (Auger electrons omitted and possibly large, or beta means missing) kept for reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference.citations import SourcedValue, Status, get_citation

ELECTRON_FILE = "electron_energy.csv"
COMPONENTS = ("beta_minus_MeV", "beta_plus_MeV", "conversion_electron_MeV")
#: components are written with 6 decimals (1 eV); their sum must match the value to rounding.
SUM_TOLERANCE_MEV = 2e-6


@dataclass(frozen=True)
class ElectronEnergyRow:
    nuclide: str
    value: SourcedValue
    components_MeV: dict[str, float]
    auger_upper_bound_MeV: float
    use: bool
    datasets: tuple[str, ...]


def _row(row: dict[str, str], where: str) -> ElectronEnergyRow:
    try:
        value = float(row["value_MeV"])
        parts = {k: float(row[k]) for k in COMPONENTS}
        bound = float(row["auger_upper_bound_MeV"])
    except (KeyError, ValueError):
        raise ReferenceDataError(f"{where}: non-numeric energy column") from None
    if abs(sum(parts.values()) - value) > SUM_TOLERANCE_MEV:
        raise ReferenceDataError(f"{where}: components do not sum to value_MeV")
    use = row["use"].strip()
    if use not in {"yes", "no"}:
        raise ReferenceDataError(f"{where}: use must be yes or no, not {use!r}")
    return ElectronEnergyRow(
        nuclide=row["nuclide"].strip(),
        value=SourcedValue(
            value=value,
            unit="MeV",
            source=get_citation(row["source"], where),
            status=Status.parse(row["status"], where),
            note=row["note"].strip() or None,
        ),
        components_MeV=parts,
        auger_upper_bound_MeV=bound,
        use=use == "yes",
        datasets=tuple(d for d in row["ensdf_datasets"].split(";") if d),
    )


@cache
def electron_energy_rows() -> dict[str, ElectronEnergyRow]:
    """All rows of ``electron_energy.csv`` by nuclide name."""
    out: dict[str, ElectronEnergyRow] = {}
    for i, row in enumerate(read_csv(ELECTRON_FILE), start=2):
        r = _row(row, f"{ELECTRON_FILE} line {i}")
        if r.nuclide in out:
            raise ReferenceDataError(f"{ELECTRON_FILE} line {i}: duplicate nuclide {r.nuclide!r}")
        out[r.nuclide] = r
    return out


def derived_electron_energy(name: str) -> SourcedValue | None:
    """The ENSDF-derived mean electron energy of ``name`` if usable, else None."""
    r = electron_energy_rows().get(name)
    return r.value if r is not None and r.use else None
