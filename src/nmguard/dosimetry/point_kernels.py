"""Point kernels in water: where the energy of one decay is deposited around a point source.

Each kernel is held as a cumulative radial energy fraction Φ(r): the fraction of a component's
energy deposited within a sphere of radius r (cm) around the point, in unit-density water. Every
use (sphere absorbed fractions, voxel kernels) needs only differences of Φ over radius shells, so
energy is conserved by construction (Φ → 1). Other densities: Φ_ρ(r) = Φ(ρ r).

Electrons (the NMGuard model; its shape is not taken from a published kernel): each beta branch's
spectrum (:mod:`nmguard.dosimetry.electron_spectra`) is split into monoenergetic electrons, which
are slowed down along a straight path with the NIST ESTAR CSDA range of water (no angular
scattering, no straggling): an electron of energy T has deposited T - T_res(R(T) - r) within radius
r. This overestimates how far the energy travels (real paths wind), so small-volume self-doses are
slightly low. Conversion and Auger electrons (the mean electron energy minus the beta branches)
are deposited at the point.

Photons: primary attenuation with an energy-absorption build-up factor linear in μr,
B = 1 + (μ/μ_en - 1) μr, the one-parameter form for which all photon energy is absorbed in an
infinite medium; μ/ρ and μ_en/ρ from NIST SRD 126 (liquid water)::

    Φ(x) = (μ_en/μ) [(1 - e^-x) + (μ/μ_en - 1)(1 - (1 + x) e^-x)],   x = μ r
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from nmguard.dosimetry.electron_spectra import branch_spectrum
from nmguard.reference.citations import Citation
from nmguard.reference.kernel_data import beta_branches, beta_source, estar_water, photon_water
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


def monoenergetic_cumulative(energy_MeV: np.ndarray, r_cm: np.ndarray) -> np.ndarray:
    """Φ(r) of monoenergetic electrons, shape ``(len(energy), len(r))``: the CSDA straight-path model."""
    e = np.asarray(energy_MeV, dtype=float)[:, None]
    r0 = csda_range_cm(e)
    residual = energy_for_range_MeV(np.maximum(r0 - np.asarray(r_cm)[None, :], 0.0))
    return np.clip((e - residual) / e, 0.0, 1.0)


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
    """Photon lines (MeV, energy weight) with their water coefficients (cm²/g)."""

    energy_MeV: float
    line_MeV: np.ndarray
    weight: np.ndarray  # yield x energy / total photon energy
    mu: np.ndarray
    mu_en: np.ndarray

    def cumulative(self, r_cm: np.ndarray | float) -> np.ndarray:
        r = np.asarray(r_cm, dtype=float)
        if self.line_MeV.size == 0:
            return np.ones_like(r)
        x = self.mu[:, None] * r.reshape(1, -1)
        ratio = (self.mu_en / self.mu)[:, None]
        ex = np.exp(-x)
        phi = ratio * ((1.0 - ex) + (1.0 / ratio - 1.0) * (1.0 - (1.0 + x) * ex))
        return (self.weight[:, None] * phi).sum(axis=0).reshape(r.shape)


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


def _photon_kernel(name: str) -> PhotonKernel:
    lines = [p for p in get_nuclide(name).photon_lines if p.energy_keV / 1000.0 >= MIN_PHOTON_MeV]
    e = np.array([p.energy_keV / 1000.0 for p in lines])
    y = np.array([p.yield_per_decay for p in lines])
    total = float(np.sum(e * y))
    if total <= 0:
        return PhotonKernel(0.0, np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    t = photon_water().columns
    mu = _loglog(e, t["energy_MeV"], t["mu_over_rho_cm2_per_g"])
    mu_en = _loglog(e, t["energy_MeV"], t["mu_en_over_rho_cm2_per_g"])
    return PhotonKernel(total, e, e * y / total, mu, mu_en)


@lru_cache(maxsize=64)
def nuclide_kernels(nuclide: str) -> NuclideKernels:
    """Point kernels of ``nuclide`` (any spelling); raises UnknownNuclideError (an InputError)."""
    name = normalize_nuclide_name(nuclide)
    notes: list[str] = []
    electron = _electron_kernel(name, notes)
    photon = _photon_kernel(name)
    nuc = get_nuclide(name)
    cites: dict[str, Citation] = {}
    for c in (
        nuc.mean_electron_energy.source,
        beta_source(),
        *estar_water().sources,
        *photon_water().sources,
        *(p.source for p in nuc.photon_lines),
    ):
        cites.setdefault(c.id, c)
    return NuclideKernels(name, electron, photon, tuple(cites.values()), tuple(notes))
