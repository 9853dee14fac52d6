"""Water interaction data, beta branches and point-kernel tables for the kernel code (``kern_*.csv``).

Why one module: the electron CSDA ranges (NIST ESTAR), the photon attenuation and energy-absorption
coefficients (NIST SRD 126), the ENSDF beta branches and NMGuard's derived photon and electron point
kernels are read only by the kernel code; each table is returned whole with the citations and the weakest
status of its rows, so a result can name them.
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
PHOTON_KERNEL_FILE = "kern_water_photon_point_kernels.csv"
ELECTRON_KERNEL_FILE = "kern_water_electron_point_kernels.csv"
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


@dataclass(frozen=True)
class KernelGrid:
    """Cumulative point kernels ``cumulative[energy, radius]`` on one radius grid shared by all energies.

    ``scale`` is the per-energy radius unit: μ/ρ (cm²/g, radius in mean free paths) for photons, the
    CSDA range (g/cm², radius in r/r0) for electrons.
    """

    energy_MeV: np.ndarray
    scale: np.ndarray
    radius: np.ndarray
    cumulative: np.ndarray
    sources: tuple[Citation, ...]
    status: Status


def _kernel_grid(name: str, energy_col: str, to_MeV: float, scale_col: str, radius_col: str) -> KernelGrid:
    rows = read_csv(name)
    energies = sorted({to_float(r[energy_col], name) for r in rows})
    radius = np.array(sorted({to_float(r[radius_col], name) for r in rows}))
    cum = np.full((len(energies), radius.size), np.nan)
    scale = np.zeros(len(energies))
    e_index = {e: i for i, e in enumerate(energies)}
    r_index = {r: i for i, r in enumerate(radius)}
    for i, r in enumerate(rows, 2):
        k = e_index[to_float(r[energy_col], name)]
        cum[k, r_index[to_float(r[radius_col], name)]] = to_float(r["cumulative_fraction"], f"{name} line {i}")
        scale[k] = to_float(r[scale_col], f"{name} line {i}")
    if np.isnan(cum).any() or np.any(np.diff(cum, axis=1) < 0) or np.any(cum < 0) or np.any(cum > 1 + 1e-6):
        raise ReferenceDataError(f"{name}: every energy needs a full, non-decreasing cumulative fraction in [0, 1]")
    cites = {r["source"]: get_citation(r["source"], name) for r in rows}
    worst = max((Status.parse(r["status"], name) for r in rows), key=_STATUS_RANK.index)
    return KernelGrid(np.array(energies) * to_MeV, scale, radius, cum, tuple(cites.values()), worst)


@cache
def photon_point_kernel_grid() -> KernelGrid:
    """NMGuard's Monte Carlo photon point kernels in water: Φ against radius in mean free paths."""
    return _kernel_grid(PHOTON_KERNEL_FILE, "energy_keV", 1e-3, "mu_over_rho_cm2_g", "radius_mfp")


@cache
def electron_point_kernel_grid() -> KernelGrid:
    """NMGuard's condensed-history electron point kernels in water: Φ against r/r0 (CSDA range r0)."""
    return _kernel_grid(ELECTRON_KERNEL_FILE, "energy_MeV", 1.0, "csda_range_g_cm2", "scaled_radius")


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
