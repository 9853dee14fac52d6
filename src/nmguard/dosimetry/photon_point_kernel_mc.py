"""Photon energy-deposition point kernels in unbounded water, by NMGuard's own photon Monte Carlo physics.

Why: the voxel kernels and sphere S-values must put photon energy where the voxel Monte Carlo
(:mod:`nmguard.dosimetry.montecarlo`) puts it. This module runs the *same* per-photon functions
(Klein–Nishina sampling, Rayleigh angles, rotations, the cross-section tables of ``water`` and the
10 keV cut-off) for a point source in an unbounded medium and tallies the energy deposited in
spherical shells (KERMA approximation, as the transport: Compton electron energy and photoabsorption
are deposited at the interaction point). Radii are in mean free paths x = μ(E0)·r of the primary
energy, so tables at different energies interpolate smoothly.

Energies are tallied in integer quanta exactly as the transport does, so the energy deposited in all
shells (the last one open-ended) equals the energy emitted exactly: nothing escapes an unbounded
medium. ``tools/reference/derive_photon_point_kernels.py`` runs this offline on an energy grid and
ships ``kern_water_photon_point_kernels.csv``; the tests run it with few photons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from nmguard.dosimetry.montecarlo.cpu import chunk_seed
from nmguard.dosimetry.montecarlo.physics import (
    ELECTRON_REST_KEV,
    TWO_PI,
    energy_bin,
    isotropic,
    klein_nishina_ratio,
    rotate,
    thomson_cosine,
    uniform,
)
from nmguard.dosimetry.montecarlo.simulate import DEFAULT_CUTOFF_KEV
from nmguard.dosimetry.montecarlo.tables import transport_tables
from nmguard.dosimetry.montecarlo.tally import CHUNK, QUANTUM_KEV
from nmguard.reference.photon_cross_sections import photon_materials

#: shell edges in mean free paths of the primary: 0, then log-spaced; the last shell is open-ended.
MFP_EDGES = np.concatenate([[0.0], np.geomspace(1e-3, 40.0, 96)])


@njit(cache=True)
def _shell_of(r_mfp, edges):
    """Index of the shell holding ``r_mfp``: i with edges[i] <= r < edges[i+1]; the last shell is open."""
    lo, hi = 0, edges.shape[0] - 1
    if r_mfp >= edges[hi]:
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if edges[mid] <= r_mfp:
            lo = mid
        else:
            hi = mid
    return lo


@njit(cache=True)
def _track_in_water(e0, mu0, xs, log_e0, inv_dlog, e_cut, quantum, edges, tally, c, states):
    """One photon from the origin: isotropic start, free flights in unbounded water, shell tally row ``c``."""
    n_nodes = xs.shape[1]
    x = y = z = 0.0
    u, v, w = isotropic(states, 0)
    e = e0
    eq = int(e / quantum + 0.5)
    if e < e_cut:
        tally[c, 0] += eq
        return
    while True:
        i, f = energy_bin(e, log_e0, inv_dlog, n_nodes)
        mu_pe = xs[0, i] + f * (xs[0, i + 1] - xs[0, i])
        mu_c = xs[1, i] + f * (xs[1, i + 1] - xs[1, i])
        mu_r = xs[2, i] + f * (xs[2, i + 1] - xs[2, i])
        mu = mu_pe + mu_c + mu_r
        step = -math.log(1.0 - uniform(states, 0)) / mu
        x += u * step
        y += v * step
        z += w * step
        shell = _shell_of(math.sqrt(x * x + y * y + z * z) * mu0, edges)
        r = uniform(states, 0) * mu
        if r < mu_pe:
            tally[c, shell] += eq
            return
        if r < mu_pe + mu_c:
            k = e / ELECTRON_REST_KEV
            ratio = klein_nishina_ratio(k, states, 0)
            cos_t = 1.0 - (ratio - 1.0) / k
            e = e / ratio
            if e < e_cut:
                tally[c, shell] += eq
                return
            new_eq = int(e / quantum + 0.5)
            tally[c, shell] += eq - new_eq
            eq = new_eq
        else:
            cos_t = thomson_cosine(states, 0)
        u, v, w = rotate(u, v, w, cos_t, TWO_PI * uniform(states, 0))


@njit(parallel=True, cache=True)
def _run(e0, mu0, n_photons, seed, xs, log_e0, inv_dlog, e_cut, quantum, edges, tally):
    """Chunks of ``CHUNK`` photons, each chunk with its own seeded stream and tally row (thread-count independent)."""
    states = np.zeros(1)
    n_chunks = tally.shape[0]
    for c in prange(n_chunks):
        np.random.seed(chunk_seed(seed, c))
        stop = min(CHUNK, n_photons - c * CHUNK)
        for _ in range(stop):
            _track_in_water(e0, mu0, xs, log_e0, inv_dlog, e_cut, quantum, edges, tally, c, states)


@dataclass(frozen=True)
class PhotonShellTally:
    """Energy deposited per shell (quanta) around a point source of ``energy_keV`` photons in water."""

    energy_keV: float
    mu_cm2_g: float  # total μ/ρ of water at the primary energy (the radius unit is 1/μ)
    edges_mfp: np.ndarray
    quanta: np.ndarray  # per shell, the last shell open-ended
    emitted_quanta: int

    @property
    def cumulative(self) -> np.ndarray:
        """Φ at ``edges_mfp``: fraction of the emitted energy deposited within each edge radius."""
        return np.concatenate([[0.0], np.cumsum(self.quanta)[:-1]]) / self.emitted_quanta


def water_mu_cm2_g(energy_keV: float) -> float:
    """Total μ/ρ of water (cm²/g) on the transport's fine grid, interpolated as the transport does."""
    t = transport_tables()
    xs = t.xs[_water_index()]
    i, f = t.bin_of(energy_keV)
    return float(sum(xs[k, i] + f * (xs[k, i + 1] - xs[k, i]) for k in range(xs.shape[0])))


def _water_index() -> int:
    return next(m.index for m in photon_materials() if m.name == "water")


def photon_shell_tally(energy_keV: float, n_photons: int, seed: int = 1) -> PhotonShellTally:
    """Run ``n_photons`` of ``energy_keV`` from a point in unbounded unit-density water; see the module note."""
    t = transport_tables()
    xs = np.ascontiguousarray(t.xs[_water_index()])
    mu0 = water_mu_cm2_g(energy_keV)
    n_chunks = -(-n_photons // CHUNK)
    tally = np.zeros((n_chunks, MFP_EDGES.size), dtype=np.int64)
    _run(energy_keV, mu0, n_photons, seed, xs, t.log_e0, t.inv_dlog, DEFAULT_CUTOFF_KEV, QUANTUM_KEV, MFP_EDGES, tally)
    per_photon = int(energy_keV / QUANTUM_KEV + 0.5)
    return PhotonShellTally(energy_keV, mu0, MFP_EDGES.copy(), tally.sum(axis=0), per_photon * n_photons)
