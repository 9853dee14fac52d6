"""Point kernels in water: where the energy of one decay is deposited around a point source.

Each kernel is held as a cumulative radial energy fraction Φ(r): the fraction of a component's
energy deposited within a sphere of radius r (cm) around the point, in unit-density water. Every
use (sphere absorbed fractions, voxel kernels) needs only differences of Φ over radius shells, so
energy is conserved by construction (Φ → 1). Other densities: Φ_ρ(r) = Φ(ρ r).

Electrons: each beta branch's spectrum (:mod:`nmguard.dosimetry.electron_spectra`) is split into
monoenergetic electrons whose kernels come from NMGuard's condensed-history electron Monte Carlo in
water (:mod:`nmguard.dosimetry.electron_point_kernel_mc`: ESTAR CSDA energy loss with multiple
scattering), shipped as Φ(r/r0) on an energy grid (``kern_water_electron_point_kernels.csv``) and
interpolated linearly in log energy at equal r/r0 (r0 = CSDA range). Φ reaches 1 at r0 (no straggling).
Conversion and Auger electrons (the mean electron energy minus the beta branches) are deposited at
the point.

Photons: per line, the point kernel of NMGuard's own photon Monte Carlo physics in unbounded water
(:mod:`nmguard.dosimetry.photon_point_kernel_mc`, KERMA approximation, as the voxel Monte Carlo),
shipped as Φ(μr) on an energy grid (``kern_water_photon_point_kernels.csv``) and interpolated linearly
in log energy at equal μr. Lines below the transport cut-off (10 keV) are deposited at the point,
as the transport does; lines above the grid (3 MeV) take the 3 MeV shape (a note says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from nmguard.dosimetry.electron_spectra import branch_spectrum
from nmguard.reference._files import ReferenceDataError
from nmguard.reference.citations import Citation
from nmguard.reference.kernel_data import (
    ELECTRON_KERNEL_FILE,
    KernelGrid,
    beta_branches,
    beta_source,
    electron_point_kernel_grid,
    estar_water,
    photon_point_kernel_grid,
    photon_water,
)
from nmguard.reference.nuclides import get_nuclide, normalize_nuclide_name

N_RADII = 2048
MIN_PHOTON_MeV = 1e-3


def _loglog(x: np.ndarray | float, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Log-log interpolation; power-law extrapolation from the first two points below the table."""
    x = np.asarray(x, dtype=float)
    lx = np.log(np.maximum(x, 1e-30))
    lxs, lys = np.log(xs), np.log(ys)
    inside = np.interp(lx, lxs, lys)
    slope = (lys[1] - lys[0]) / (lxs[1] - lxs[0])
    below = lys[0] + slope * (lx - lxs[0])
    return np.exp(np.where(lx < lxs[0], below, inside))


def csda_range_cm(energy_MeV: np.ndarray | float) -> np.ndarray:
    """CSDA range (cm) of electrons in unit-density water (ESTAR); 0 at 0 MeV."""
    t = estar_water().columns
    e = np.asarray(energy_MeV, dtype=float)
    r = _loglog(e, t["energy_MeV"], t["csda_range_g_per_cm2"])
    return np.where(e > 0, r, 0.0)


def energy_for_range_MeV(range_cm: np.ndarray | float) -> np.ndarray:
    """Inverse of :func:`csda_range_cm`: the energy whose CSDA range is ``range_cm``."""
    t = estar_water().columns
    r = np.asarray(range_cm, dtype=float)
    e = _loglog(r, t["csda_range_g_per_cm2"], t["energy_MeV"])
    return np.where(r > 0, e, 0.0)


def _energy_interpolation(energy_MeV: np.ndarray, grid_MeV: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower grid index and weight of the upper node for each energy (log energy; clamped at the ends)."""
    le, lg = np.log(np.maximum(energy_MeV, 1e-30)), np.log(grid_MeV)
    j = np.clip(np.searchsorted(lg, le, side="right") - 1, 0, lg.size - 2)
    w = np.clip((le - lg[j]) / (lg[j + 1] - lg[j]), 0.0, 1.0)
    return j, w


def _grid_rows(grid: KernelGrid, energy_MeV: np.ndarray) -> np.ndarray:
    """The grid's cumulative kernels interpolated to ``energy_MeV`` at equal scaled radius, ``[energy, radius]``."""
    j, w = _energy_interpolation(np.asarray(energy_MeV, dtype=float), grid.energy_MeV)
    return (1.0 - w)[:, None] * grid.cumulative[j] + w[:, None] * grid.cumulative[j + 1]


def monoenergetic_cumulative(energy_MeV: np.ndarray, r_cm: np.ndarray) -> np.ndarray:
    """Φ(r) of monoenergetic electrons, shape ``(len(energy), len(r))``, from the shipped scattering kernels."""
    e = np.asarray(energy_MeV, dtype=float)
    r = np.asarray(r_cm, dtype=float)
    grid = electron_point_kernel_grid()
    rows = _grid_rows(grid, e)
    x = grid.radius
    if not np.allclose(np.diff(x), x[1] - x[0]) or x[0] != 0.0 or x[-1] != 1.0:
        raise ReferenceDataError(f"{ELECTRON_KERNEL_FILE}: scaled radii must be equally spaced from 0 to 1")
    t = np.clip(r[None, :] / np.maximum(csda_range_cm(e), 1e-30)[:, None], 0.0, 1.0) * (x.size - 1)
    i = np.minimum(t.astype(int), x.size - 2)
    f = t - i
    lo = np.take_along_axis(rows, i, axis=1)
    hi = np.take_along_axis(rows, i + 1, axis=1)
    return np.clip(lo + f * (hi - lo), 0.0, 1.0)


@dataclass(frozen=True)
class ElectronKernel:
    """Cumulative electron energy fraction on a radius grid (cm); ``local_fraction`` sits at r = 0."""

    energy_MeV: float
    radius_cm: np.ndarray
    cumulative_grid: np.ndarray
    local_fraction: float
    max_range_cm: float

    def cumulative(self, r_cm: np.ndarray | float) -> np.ndarray:
        r = np.asarray(r_cm, dtype=float)
        if self.max_range_cm <= 0:
            return np.ones_like(r)
        return np.interp(r, self.radius_cm, self.cumulative_grid, left=self.local_fraction, right=1.0)


@dataclass(frozen=True)
class PhotonKernel:
    """Photon lines (MeV, energy weight), each with its water μ/ρ (cm²/g) and Φ on ``radius_mfp`` (mean free paths)."""

    energy_MeV: float
    line_MeV: np.ndarray
    weight: np.ndarray  # yield x energy / total photon energy
    mu: np.ndarray
    radius_mfp: np.ndarray
    line_cumulative: np.ndarray  # [line, radius]; 1 beyond the last radius

    def cumulative(self, r_cm: np.ndarray | float) -> np.ndarray:
        r = np.asarray(r_cm, dtype=float)
        if self.line_MeV.size == 0:
            return np.ones_like(r)
        flat = r.reshape(-1)
        out = np.zeros(flat.shape)
        for w, mu, phi in zip(self.weight, self.mu, self.line_cumulative, strict=True):
            out += w * np.interp(mu * flat, self.radius_mfp, phi, right=1.0)
        return out.reshape(r.shape)


def photon_line_kernel(line_MeV: np.ndarray, yield_per_decay: np.ndarray) -> tuple[PhotonKernel, list[str]]:
    """Photon kernel of lines (MeV) with yields per decay from the shipped Monte Carlo kernels, and notes."""
    e = np.asarray(line_MeV, dtype=float)
    y = np.asarray(yield_per_decay, dtype=float)
    total = float(np.sum(e * y))
    grid = photon_point_kernel_grid()
    if total <= 0:
        return PhotonKernel(
            0.0, np.zeros(0), np.zeros(0), np.zeros(0), grid.radius, np.zeros((0, grid.radius.size))
        ), []
    notes = []
    local = e < grid.energy_MeV[0]  # the grid starts at the transport's cut-off (10 keV)
    above = e > grid.energy_MeV[-1]
    rows = _grid_rows(grid, e)
    rows[local] = 1.0
    mu = _loglog(np.clip(e, grid.energy_MeV[0], None), grid.energy_MeV, grid.scale)
    if above.any():
        t = photon_water().columns
        mu[above] = _loglog(e[above], t["energy_MeV"], t["mu_over_rho_cm2_per_g"])
        notes.append(f"photon lines above {grid.energy_MeV[-1]:g} MeV use the {grid.energy_MeV[-1]:g} MeV kernel shape")
    if local.any():
        share = float(np.sum((e * y)[local])) / total
        cut_keV = grid.energy_MeV[0] * 1000.0
        notes.append(f"photons below {cut_keV:g} keV ({share:.2%} of the photon energy) deposited at the point")
    return PhotonKernel(total, e, e * y / total, mu, grid.radius, rows), notes


@dataclass(frozen=True)
class NuclideKernels:
    """Electron and photon point kernels of one nuclide, with what they rest on."""

    nuclide: str
    electron: ElectronKernel
    photon: PhotonKernel
    sources: tuple[Citation, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def energy_MeV(self) -> float:
        return self.electron.energy_MeV + self.photon.energy_MeV

    def cumulative(self, r_cm: np.ndarray | float) -> np.ndarray:
        """Φ of all the energy per decay (electrons + photons)."""
        e, p = self.electron.energy_MeV, self.photon.energy_MeV
        if e + p <= 0:
            return np.ones_like(np.asarray(r_cm, dtype=float))
        return (e * self.electron.cumulative(r_cm) + p * self.photon.cumulative(r_cm)) / (e + p)


def _mass_number(name: str) -> int:
    return int("".join(ch for ch in name.split("-")[1] if ch.isdigit()))


def _electron_kernel(name: str, notes: list[str]) -> ElectronKernel:
    total = get_nuclide(name).mean_electron_energy.value
    branches = beta_branches(name)
    beta_energy = sum(b.intensity_per_decay * b.mean_MeV for b in branches)
    if not branches or total <= 0:
        notes.append("no beta branches shipped: all electron energy deposited at the decay point")
        return ElectronKernel(total, np.zeros(1), np.ones(1), 1.0, 0.0)
    local = max(total - beta_energy, 0.0)
    if beta_energy > total * (1.0 + 1e-4):
        notes.append(f"beta branches sum to {beta_energy:.4g} MeV > mean electron energy {total:.4g} MeV; shape kept")
    r_max = float(max(csda_range_cm(b.endpoint_MeV) for b in branches))
    radii = np.linspace(0.0, r_max, N_RADII)
    acc = np.zeros_like(radii)
    for b in branches:
        s = branch_spectrum(b, _mass_number(name))
        energy_weight = s.probability * s.energy_MeV
        energy_weight /= energy_weight.sum()
        acc += b.intensity_per_decay * b.mean_MeV * (energy_weight @ monoenergetic_cumulative(s.energy_MeV, radii))
    norm = beta_energy + local
    cumulative = (acc + local) / norm
    if local > 0:
        notes.append(f"{local:.4g} MeV/decay (conversion/Auger electrons) deposited at the decay point")
    return ElectronKernel(total, radii, cumulative, local / norm, r_max)


def _photon_kernel(name: str, notes: list[str]) -> PhotonKernel:
    lines = [p for p in get_nuclide(name).photon_lines if p.energy_keV / 1000.0 >= MIN_PHOTON_MeV]
    kernel, line_notes = photon_line_kernel(
        np.array([p.energy_keV / 1000.0 for p in lines]), np.array([p.yield_per_decay for p in lines])
    )
    notes.extend(line_notes)
    return kernel


@lru_cache(maxsize=64)
def nuclide_kernels(nuclide: str) -> NuclideKernels:
    """Point kernels of ``nuclide`` (any spelling); raises UnknownNuclideError (an InputError)."""
    name = normalize_nuclide_name(nuclide)
    notes: list[str] = []
    electron = _electron_kernel(name, notes)
    photon = _photon_kernel(name, notes)
    nuc = get_nuclide(name)
    cites: dict[str, Citation] = {}
    for c in (
        nuc.mean_electron_energy.source,
        beta_source(),
        *estar_water().sources,
        *electron_point_kernel_grid().sources,
        *photon_point_kernel_grid().sources,
        *(p.source for p in nuc.photon_lines),
    ):
        cites.setdefault(c.id, c)
    return NuclideKernels(name, electron, photon, tuple(cites.values()), tuple(notes))
