"""Water interaction data and beta branches for the point kernels (``kern_*.csv``).

Why one module: the electron CSDA ranges (NIST ESTAR), the photon attenuation and energy-absorption
coefficients (NIST SRD 126) and the ENSDF beta branches are read only by the kernel code; each table
is returned whole with the citations and the weakest status of its rows, so a result can name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference._sourced import to_float
from nmguard.reference.citations import Citation, Status, get_citation

ESTAR_FILE = "kern_water_electron_estar.csv"
PHOTON_FILE = "kern_water_photon_coefficients.csv"
BETA_FILE = "kern_beta_branches.csv"
_STATUS_RANK = [Status.VERIFIED, Status.DERIVED, Status.SECONDARY, Status.UNVERIFIED]


@dataclass(frozen=True)
class Table:
    """Columns of one numeric table, its citations and its weakest status."""

    columns: dict[str, np.ndarray]
    sources: tuple[Citation, ...]
    status: Status


@dataclass(frozen=True)
class BetaBranch:
    mode: str  # "B-" or "B+"
    endpoint_MeV: float
    intensity_per_decay: float
    mean_MeV: float  # ENSDF mean energy of the branch
    forbiddenness: str  # ENSDF degree, e.g. "1A", "1F", "1UF"
    daughter_z: int


def _table(name: str, numeric: tuple[str, ...]) -> Table:
    rows = read_csv(name)
    if not rows:
        raise ReferenceDataError(f"{name}: empty")
    cols = {c: np.array([to_float(r[c], f"{name} line {i}") for i, r in enumerate(rows, 2)]) for c in numeric}
    if np.any(np.diff(cols[numeric[0]]) <= 0):
        raise ReferenceDataError(f"{name}: {numeric[0]} must increase")
    cites = {r["source"]: get_citation(r["source"], name) for r in rows}
    worst = max((Status.parse(r["status"], name) for r in rows), key=_STATUS_RANK.index)
    return Table(cols, tuple(cites.values()), worst)


@cache
def estar_water() -> Table:
    """ESTAR liquid water: ``energy_MeV``, ``total_stopping_MeV_cm2_per_g``, ``csda_range_g_per_cm2``."""
    return _table(
        ESTAR_FILE,
        ("energy_MeV", "collision_stopping_MeV_cm2_per_g", "total_stopping_MeV_cm2_per_g", "csda_range_g_per_cm2"),
    )


@cache
def photon_water() -> Table:
    """NIST SRD 126 liquid water: ``energy_MeV``, ``mu_over_rho_cm2_per_g``, ``mu_en_over_rho_cm2_per_g``."""
    return _table(PHOTON_FILE, ("energy_MeV", "mu_over_rho_cm2_per_g", "mu_en_over_rho_cm2_per_g"))


@cache
def _beta_rows() -> dict[str, tuple[BetaBranch, ...]]:
    out: dict[str, list[BetaBranch]] = {}
    for i, r in enumerate(read_csv(BETA_FILE), 2):
        where = f"{BETA_FILE} line {i}"
        get_citation(r["source"], where)
        Status.parse(r["status"], where)
        if r["mode"] not in ("B-", "B+"):
            raise ReferenceDataError(f"{where}: mode must be B- or B+")
        out.setdefault(r["nuclide"].strip(), []).append(
            BetaBranch(
                mode=r["mode"],
                endpoint_MeV=to_float(r["endpoint_keV"], where) / 1000.0,
                intensity_per_decay=to_float(r["intensity_per_decay"], where),
                mean_MeV=to_float(r["mean_keV"], where) / 1000.0,
                forbiddenness=r["forbiddenness"].strip(),
                daughter_z=int(to_float(r["daughter_z"], where)),
            )
        )
    return {k: tuple(v) for k, v in out.items()}


def beta_branches(nuclide: str) -> tuple[BetaBranch, ...]:
    """ENSDF beta-/beta+ branches of a canonical nuclide name (empty when none are shipped)."""
    return _beta_rows().get(nuclide, ())


def beta_source() -> Citation:
    return get_citation(read_csv(BETA_FILE)[0]["source"], BETA_FILE)
