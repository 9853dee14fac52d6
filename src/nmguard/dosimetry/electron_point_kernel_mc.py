"""Electron energy-deposition point kernels in unbounded water by a simple condensed-history Monte Carlo.

Why: a straight-path CSDA electron carries its energy to the full CSDA range r0; real electron paths wind,
so the energy is deposited much nearer the source (Berger's scaled point kernels peak near r/r0 ≈ 0.5).
This module transports monoenergetic electrons from a point in water and tallies the energy deposited in
spherical shells of r/r0, for ``tools/reference/derive_electron_point_kernels.py`` to ship as
``kern_water_electron_point_kernels.csv``. The model, deliberately simple and stated:

* Energy loss: continuous slowing down with the NIST ESTAR total stopping power (CSDA range table of
  ``kern_water_electron_estar.csv``, log-log interpolated as :func:`nmguard.dosimetry.point_kernels.csda_range_cm`);
  no energy-loss straggling, no secondary electrons or bremsstrahlung photons transported (their energy,
  about 1 % for 2 MeV electrons in water, is deposited along the track). Steps lose a fixed fraction
  ``STEP_FRACTION`` of the kinetic energy; the step length is the difference of CSDA ranges, so the total
  path is exactly r0 and no energy can be deposited beyond r0.
* Angular deflection per step (random-hinge method: the deflection happens at a uniformly random point of
  the step, where the step's energy is deposited): the Goudsmit–Saunderson result <cos θ> = exp(-s/λ1) fixes
  the mean deflection, λ1 being the transport mean free path of the screened Rutherford (Wentzel) cross
  section with Molière's screening angle, summed over H and O with Z(Z+1) for the atomic electrons::

      1/λ1 = Σ n_i 2π Z_i(Z_i+1) r_e² (m c²/(p v))² [ln(1 + 1/η_i) - 1/(1 + η_i)]
      η_i = χ0²/4 (1.13 + 3.76 (α Z_i/β)²),   χ0 = α Z_i^(1/3) / (0.885 p/(m c))

  and the angle is drawn from the Wentzel shape P(μ) ∝ (1 - μ + 2A)^-2 with A solved so that its mean
  of 1 - μ equals 1 - exp(-s/λ1). Spin (Mott) corrections and Seltzer's screening correction are
  neglected. The formulas (Wentzel 1927, Molière 1948, Goudsmit–Saunderson 1940) were checked against
  Geant4's G4WentzelOKandVIxSection / G4UrbanMscModel and Radiant.jl's Molière screening (see the
  source entry kern-nmguard-electron-point-kernel-mc); the derived table's status is ``derived``.

Energy is conserved exactly per history (the last, sub-cut-off energy is deposited where the electron
stops), and the shells tile 0 ≤ r ≤ r0, so the cumulative kernel reaches 1 at r0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from nmguard.dosimetry.montecarlo.cpu import chunk_seed
from nmguard.reference.kernel_data import estar_water

ELECTRON_MASS_MeV = 0.51099895  # CODATA 2018 (physical constant)
FINE_STRUCTURE = 1.0 / 137.035999084  # CODATA 2018
CLASSICAL_RADIUS_CM = 2.8179403262e-13  # CODATA 2018
AVOGADRO = 6.02214076e23  # exact (SI 2019)
WATER_MOLAR_MASS = 18.015  # g/mol
WATER_ATOMS = ((1, 2.0), (8, 1.0))  # (Z, atoms per molecule)
STEP_FRACTION = 0.03
CUTOFF_MeV = 0.010  # lowest ESTAR energy; the residual range there is 2.5 μm
SCALED_EDGES = np.linspace(0.0, 1.0, 101)
HISTORY_CHUNK = 256


def transport_mfp_g_cm2(energy_MeV: np.ndarray | float) -> np.ndarray:
    """Transport mean free path λ1 (g/cm²) of electrons in water (screened Rutherford, see module note)."""
    t = np.asarray(energy_MeV, dtype=float) / ELECTRON_MASS_MeV
    pc = np.sqrt(t * (t + 2.0))  # momentum in m c
    beta2 = (pc / (t + 1.0)) ** 2
    pv = pc * pc / (t + 1.0)  # p v in m c²
    inv = np.zeros_like(t)
    for z, atoms in WATER_ATOMS:
        chi0 = FINE_STRUCTURE * z ** (1.0 / 3.0) / (0.885 * pc)
        eta = 0.25 * chi0**2 * (1.13 + 3.76 * (FINE_STRUCTURE * z) ** 2 / beta2)
        sigma1 = (
            2.0 * math.pi * z * (z + 1.0) * CLASSICAL_RADIUS_CM**2 / pv**2 * (np.log1p(1.0 / eta) - 1.0 / (1.0 + eta))
        )
        inv += atoms * AVOGADRO / WATER_MOLAR_MASS * sigma1
    return 1.0 / inv


def _wentzel_table() -> tuple[np.ndarray, np.ndarray]:
    """ln <1-μ> against ln A for the Wentzel shape, to find A for a wanted mean deflection."""
    a = np.geomspace(1e-12, 1e4, 4000)
    mean = 2.0 * a * ((1.0 + a) * np.log1p(1.0 / a) - 1.0)
    return np.log(mean), np.log(a)


@njit(cache=True)
def _range_of(e, log_e, log_r):
    """CSDA range by log-log interpolation (power law below the table, as the kernel code)."""
    le = math.log(e)
    if le <= log_e[0]:
        slope = (log_r[1] - log_r[0]) / (log_e[1] - log_e[0])
        return math.exp(log_r[0] + slope * (le - log_e[0]))
    return math.exp(np.interp(le, log_e, log_r))


@njit(cache=True)
def _one_electron(e0, r0, log_e, log_r, log_e_mfp, log_mfp, log_mean, log_a, step_fraction, e_cut, edges, tally, c):
    """Transport one electron from the origin; deposits (MeV) go to ``tally[c, shell of r/r0]``."""
    n_shells = edges.shape[0] - 1
    w = 2.0 * np.random.random() - 1.0
    phi = 2.0 * math.pi * np.random.random()
    s = math.sqrt(max(0.0, 1.0 - w * w))
    u, v = s * math.cos(phi), s * math.sin(phi)
    x = y = z = 0.0
    e = e0
    r_now = _range_of(e, log_e, log_r)
    while e > e_cut:
        e_next = max(e * (1.0 - step_fraction), e_cut)
        r_next = _range_of(e_next, log_e, log_r) if e_next > e_cut else _range_of(e_cut, log_e, log_r)
        step = r_now - r_next
        hinge = np.random.random() * step
        x += u * hinge
        y += v * hinge
        z += w * hinge
        shell = min(int(math.sqrt(x * x + y * y + z * z) / r0 * n_shells), n_shells - 1)
        tally[c, shell] += e - e_next
        mfp = math.exp(np.interp(math.log(0.5 * (e + e_next)), log_e_mfp, log_mfp))
        mean = 1.0 - math.exp(-step / mfp)
        a = math.exp(np.interp(math.log(max(mean, 1e-300)), log_mean, log_a))
        xi = np.random.random()
        one_minus_mu = min(2.0 * a * xi / (1.0 + a - xi), 2.0)
        cos_t = 1.0 - one_minus_mu
        sin_t = math.sqrt(max(0.0, 1.0 - cos_t * cos_t))
        ph = 2.0 * math.pi * np.random.random()
        cp, sp = math.cos(ph), math.sin(ph)
        if abs(w) > 0.99999:
            u, v, w = sin_t * cp, sin_t * sp, cos_t if w > 0.0 else -cos_t
        else:
            q = math.sqrt(1.0 - w * w)
            nu = u * cos_t + sin_t * (u * w * cp - v * sp) / q
            nv = v * cos_t + sin_t * (v * w * cp + u * sp) / q
            nw = w * cos_t - sin_t * cp * q
            norm = math.sqrt(nu * nu + nv * nv + nw * nw)
            u, v, w = nu / norm, nv / norm, nw / norm
        rest = step - hinge
        x += u * rest
        y += v * rest
        z += w * rest
        e = e_next
        r_now = r_next
    shell = min(int(math.sqrt(x * x + y * y + z * z) / r0 * n_shells), n_shells - 1)
    tally[c, shell] += e  # what is left below the cut-off (0 unless e0 itself is below it)


@njit(parallel=True, cache=True)
def _run(e0, r0, n, seed, log_e, log_r, log_e_mfp, log_mfp, log_mean, log_a, step_fraction, e_cut, edges, tally):
    n_chunks = tally.shape[0]
    for c in prange(n_chunks):
        np.random.seed(chunk_seed(seed, c))
        for _ in range(min(HISTORY_CHUNK, n - c * HISTORY_CHUNK)):
            _one_electron(
                e0, r0, log_e, log_r, log_e_mfp, log_mfp, log_mean, log_a, step_fraction, e_cut, edges, tally, c
            )


@dataclass(frozen=True)
class ElectronShellTally:
    """Energy (MeV) deposited per shell of r/r0 around a point source of ``energy_MeV`` electrons."""

    energy_MeV: float
    csda_range_g_cm2: float
    edges_scaled: np.ndarray
    deposited_MeV: np.ndarray
    emitted_MeV: float

    @property
    def cumulative(self) -> np.ndarray:
        """Φ at ``edges_scaled`` (r/r0), normalised to the deposited total (= emitted to rounding)."""
        return np.concatenate([[0.0], np.cumsum(self.deposited_MeV)]) / self.deposited_MeV.sum()


def electron_shell_tally(energy_MeV: float, n_electrons: int, seed: int = 1) -> ElectronShellTally:
    """Run ``n_electrons`` of ``energy_MeV`` from a point in unbounded unit-density water (see module note)."""
    t = estar_water().columns
    log_e, log_r = np.log(t["energy_MeV"]), np.log(t["csda_range_g_per_cm2"])
    e_grid = np.geomspace(1e-3, 20.0, 400)
    log_mean, log_a = _wentzel_table()
    r0 = float(_range_of(energy_MeV, log_e, log_r))
    n_chunks = -(-n_electrons // HISTORY_CHUNK)
    tally = np.zeros((n_chunks, SCALED_EDGES.size - 1))
    _run(
        float(energy_MeV), r0, int(n_electrons), int(seed), log_e, log_r, np.log(e_grid),
        np.log(transport_mfp_g_cm2(e_grid)), log_mean, log_a, STEP_FRACTION, CUTOFF_MeV, SCALED_EDGES, tally,
    )  # fmt: skip
    return ElectronShellTally(float(energy_MeV), r0, SCALED_EDGES.copy(), tally.sum(axis=0), energy_MeV * n_electrons)
