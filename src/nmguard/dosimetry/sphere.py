"""Self-dose S-values of uniform spheres (the OLINDA-style sphere model) from the point kernels.

Why from the point kernels: the same physics as the voxel kernels, for any nuclide and mass. For a
uniform source in a sphere of radius R, the absorbed fraction of a component with radial energy
distribution dΦ/dr is (Berger's geometric reduction factor for two random points in a sphere)::

    φ = ∫ dΦ/dr · (1 - 3u/4 + u³/16) dr,   u = r/R ≤ 2

and S = (E_e φ_e + E_γ φ_γ) / m. At density ρ the kernels scale as Φ_ρ(r) = Φ(ρ r).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from nmguard.dosimetry.dvk import J_PER_MeV
from nmguard.dosimetry.point_kernels import nuclide_kernels
from nmguard.errors import InputError

N_SHELLS = 4000


@dataclass(frozen=True)
class SphereSValue:
    nuclide: str
    mass_g: float
    density_g_cm3: float
    radius_cm: float
    electron_energy_MeV: float
    photon_energy_MeV: float
    electron_absorbed_fraction: float
    photon_absorbed_fraction: float
    electron_s_value_mGy_per_MBq_s: float
    photon_s_value_mGy_per_MBq_s: float
    s_value_mGy_per_MBq_s: float
    sources: tuple[str, ...]
    notes: tuple[str, ...]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["sources"], d["notes"] = list(self.sources), list(self.notes)
        return d


def sphere_geometry_factor(u: np.ndarray) -> np.ndarray:
    """Probability that a point at distance uR from a random point of a sphere (radius R) is inside it."""
    u = np.asarray(u, dtype=float)
    return np.where(u < 2.0, 1.0 - 0.75 * u + u**3 / 16.0, 0.0)


def absorbed_fraction(cumulative, radius_cm: float, density_g_cm3: float = 1.0) -> float:
    """Self-absorbed fraction in a uniform sphere for a unit-density cumulative kernel ``cumulative(r_cm)``."""
    edges = np.linspace(0.0, 2.0 * radius_cm, N_SHELLS + 1)
    phi = cumulative(edges * density_g_cm3)
    mid = 0.5 * (edges[:-1] + edges[1:])
    return float(phi[0] + np.sum(np.diff(phi) * sphere_geometry_factor(mid / radius_cm)))


def _positive(value: float, what: str, field: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} {value!r} is not a number", field) from None
    if not math.isfinite(v) or v <= 0:
        raise InputError(f"{what} must be a positive number, not {value!r}", field)
    return v


def sphere_s_value(nuclide: str, mass_g: float, density_g_cm3: float = 1.0) -> SphereSValue:
    """Self-dose S-value (mGy per MBq·s) of a uniform sphere of ``mass_g`` at ``density_g_cm3``."""
    m = _positive(mass_g, "sphere mass (g)", "mass_g")
    rho = _positive(density_g_cm3, "density (g/cm³)", "density_g_cm3")
    pk = nuclide_kernels(nuclide)
    radius = (3.0 * m / (4.0 * math.pi * rho)) ** (1.0 / 3.0)
    af_e = absorbed_fraction(pk.electron.cumulative, radius, rho)
    af_p = absorbed_fraction(pk.photon.cumulative, radius, rho) if pk.photon.energy_MeV > 0 else 0.0
    per = J_PER_MeV / (m / 1000.0) * 1e6 * 1e3  # MeV per decay -> mGy per MBq s
    s_e = pk.electron.energy_MeV * af_e * per
    s_p = pk.photon.energy_MeV * af_p * per
    return SphereSValue(
        nuclide=pk.nuclide,
        mass_g=m,
        density_g_cm3=rho,
        radius_cm=radius,
        electron_energy_MeV=pk.electron.energy_MeV,
        photon_energy_MeV=pk.photon.energy_MeV,
        electron_absorbed_fraction=af_e,
        photon_absorbed_fraction=af_p,
        electron_s_value_mGy_per_MBq_s=s_e,
        photon_s_value_mGy_per_MBq_s=s_p,
        s_value_mGy_per_MBq_s=s_e + s_p,
        sources=tuple(c.id for c in pk.sources),
        notes=pk.notes,
    )
