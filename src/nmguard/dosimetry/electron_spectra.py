"""Beta spectra from ENSDF branch endpoints: allowed shape with a Fermi-function approximation.

Why: the spread of electron energies decides how far the beta energy travels, so the point kernel of a
nuclide is the spectrum-weighted sum of monoenergetic kernels. Shape per branch::

    N(W) ∝ p W (W0 - W)² F(Z, W) S(W)

with W the total energy in electron masses, p the momentum, F the relativistic point-charge Fermi
function evaluated at the nuclear radius R = 1.2 A^(1/3) fm::

    F = 2(1+γ) (2pR)^(2γ-2) exp(πη) |Γ(γ+iη)|² / Γ(2γ+1)²,  γ = sqrt(1-(αZ)²),  η = ±αZW/p

(+ for β⁻, - for β⁺, Z of the daughter), and S = 1 except for unique first-forbidden branches
(ENSDF "1UF"), where S = p² + q² (q = W0 - W). Other forbidden branches keep the allowed shape
(ξ approximation). The means reproduce the ENSDF branch means to 0.2 % for allowed and first-forbidden
branches and to 1.5-13 % (too high) for unique first-forbidden ones (tests/dosimetry/test_point_kernels.py);
the kernels weight each branch by its ENSDF mean energy, so only the shape comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import loggamma

from nmguard.reference.kernel_data import BetaBranch

#: electron rest energy (MeV) and fine-structure constant; CODATA 2018 values (recalled, not read).
ELECTRON_MASS_MeV = 0.51099895
FINE_STRUCTURE = 1.0 / 137.035999
#: reduced Compton wavelength of the electron in fm (CODATA, recalled) and the nuclear radius constant (fm).
COMPTON_FM = 386.159
NUCLEAR_RADIUS_FM = 1.2
N_BINS = 200


@dataclass(frozen=True)
class Spectrum:
    """Kinetic energies (bin centres, MeV) and the probability of each bin (sums to 1)."""

    energy_MeV: np.ndarray
    probability: np.ndarray

    @property
    def mean_MeV(self) -> float:
        return float(np.sum(self.energy_MeV * self.probability))


def fermi_function(z_signed: float, w: np.ndarray, mass_number: int) -> np.ndarray:
    """Relativistic Fermi function at the nuclear surface (``z_signed`` < 0 for positrons)."""
    p = np.sqrt(w * w - 1.0)
    gamma = np.sqrt(1.0 - (FINE_STRUCTURE * z_signed) ** 2)
    eta = FINE_STRUCTURE * z_signed * w / p
    radius = NUCLEAR_RADIUS_FM * mass_number ** (1.0 / 3.0) / COMPTON_FM
    log_f = (
        np.log(2.0 * (1.0 + gamma))
        + 2.0 * (gamma - 1.0) * np.log(2.0 * p * radius)
        + np.pi * eta
        + 2.0 * np.real(loggamma(gamma + 1j * eta))
        - 2.0 * np.real(loggamma(2.0 * gamma + 1.0))
    )
    return np.exp(log_f)


def branch_spectrum(branch: BetaBranch, mass_number: int, n_bins: int = N_BINS) -> Spectrum:
    """Spectrum of one beta branch on ``n_bins`` equal bins from 0 to the endpoint."""
    edges = np.linspace(0.0, branch.endpoint_MeV, n_bins + 1)
    t = 0.5 * (edges[:-1] + edges[1:])
    w = t / ELECTRON_MASS_MeV + 1.0
    w0 = branch.endpoint_MeV / ELECTRON_MASS_MeV + 1.0
    p = np.sqrt(w * w - 1.0)
    q = w0 - w
    z = branch.daughter_z if branch.mode == "B-" else -branch.daughter_z
    shape = p * w * q * q * fermi_function(z, w, mass_number)
    if branch.forbiddenness.upper() == "1UF":
        shape = shape * (p * p + q * q)
    return Spectrum(t, shape / shape.sum())
