"""Per-history photon physics shared by the CPU and the CUDA backends.

Every function here is compiled with ``numba.njit`` for the CPU. The CUDA backend recompiles the
*same* Python functions as device functions (``gpu.py``) after swapping the two target-specific
globals, :func:`uniform` (random number) and :func:`deposit` (tally update), so the physics is
written once.

Model (and its approximations, on purpose):

* Woodcock (delta) tracking: flights are sampled with the majorant μ_max(E) = max over the grid of
  ρ·(μ/ρ)(E); a collision is real with probability μ(voxel, E)/μ_max, else virtual (no change).
* Photoelectric absorption: the photon's whole energy is deposited in the voxel (fluorescence of
  tissue elements is below 4 keV and would be deposited locally anyway).
* Compton (incoherent): the cross section is the shipped (bound-electron) one; the angle and energy
  are sampled from the free-electron Klein–Nishina distribution by Kahn's rejection method; the
  electron's kinetic energy E - E' is deposited locally (KERMA approximation: electrons set in
  motion by photons are not transported).
* Rayleigh (coherent): direction from the Thomson distribution (1 + cos²θ)/2, i.e. without the
  atomic form factor; this over-spreads the angles at low energy but deposits no energy.
* A photon below the cut-off energy deposits what it has left where it is.

Energies are tallied as integers in units of ``quantum_keV`` so that sums are exact and do not
depend on the order in which threads add them: the photon's energy is quantised once per step and
each deposit is the drop of that quantised energy, so emitted = deposited + escaped exactly.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

ELECTRON_REST_KEV = 510.99895  # CODATA 2018 m_e c^2; physical constant, not a clinical parameter
TWO_PI = 2.0 * math.pi
PHOTO, COMPTON, RAYLEIGH, LOCAL = 0, 1, 2, 3  # first-interaction codes; -1 = escaped uncollided


@njit(cache=True)
def uniform(states, tid):  # pragma: no cover - replaced on the GPU
    """A uniform random number in [0, 1); CPU: the thread's NumPy generator (seeded per chunk)."""
    return np.random.random()


@njit(cache=True)
def deposit(tally, row, voxel, amount):
    """Add ``amount`` quanta to ``tally[row, voxel]``; CPU: each thread owns its row."""
    tally[row, voxel] += amount


@njit(cache=True)
def bisect_right(cdf, value):
    """First index i with cdf[i] > value (``cdf`` increasing); len(cdf) - 1 at most."""
    lo, hi = 0, cdf.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cdf[mid] > value:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(cache=True)
def energy_bin(e_keV, log_e0, inv_dlog, n_nodes):
    """Bin index i and fraction f of ``e_keV`` on the uniform log-energy grid of the tables."""
    t = (math.log(e_keV) - log_e0) * inv_dlog
    i = int(t)
    if i < 0:
        return 0, 0.0
    if i >= n_nodes - 1:
        return n_nodes - 2, 1.0
    return i, t - i


@njit(cache=True)
def voxel_of(x, y, z, nx, ny, nz, dx, dy, dz):
    """Flat index [z, y, x] of the voxel holding (x, y, z) in cm from the grid corner; -1 outside."""
    if x < 0.0 or y < 0.0 or z < 0.0:
        return -1
    ix, iy, iz = int(x / dx), int(y / dy), int(z / dz)
    if ix >= nx or iy >= ny or iz >= nz:
        return -1
    return (iz * ny + iy) * nx + ix


@njit(cache=True)
def klein_nishina_ratio(k, states, tid):
    """E/E' after a Compton scatter of a photon of energy k (in m_e c²): Kahn's rejection method."""
    while True:
        r1, r2, r3 = uniform(states, tid), uniform(states, tid), uniform(states, tid)
        if r1 <= (1.0 + 2.0 * k) / (9.0 + 2.0 * k):
            x = 1.0 + 2.0 * k * r2
            if r3 <= 4.0 * (1.0 / x - 1.0 / (x * x)):
                return x
        else:
            x = (1.0 + 2.0 * k) / (1.0 + 2.0 * k * r2)
            cos_t = 1.0 - (x - 1.0) / k
            if r3 <= 0.5 * (cos_t * cos_t + 1.0 / x):
                return x


@njit(cache=True)
def thomson_cosine(states, tid):
    """cos θ from (1 + cos²θ)/2 by rejection (Rayleigh without form factor)."""
    while True:
        c = 2.0 * uniform(states, tid) - 1.0
        if uniform(states, tid) <= 0.5 * (1.0 + c * c):
            return c


@njit(cache=True)
def rotate(u, v, w, cos_t, phi):
    """New direction after turning (u, v, w) by polar angle acos(cos_t) and azimuth ``phi``."""
    sin_t = math.sqrt(max(0.0, 1.0 - cos_t * cos_t))
    cp, sp = math.cos(phi), math.sin(phi)
    if abs(w) > 0.99999:
        return sin_t * cp, sin_t * sp, cos_t if w > 0.0 else -cos_t
    s = math.sqrt(1.0 - w * w)
    nu = u * cos_t + sin_t * (u * w * cp - v * sp) / s
    nv = v * cos_t + sin_t * (v * w * cp + u * sp) / s
    nw = w * cos_t - sin_t * cp * s
    norm = math.sqrt(nu * nu + nv * nv + nw * nw)
    return nu / norm, nv / norm, nw / norm


@njit(cache=True)
def isotropic(states, tid):
    """A direction uniform on the unit sphere."""
    w = 2.0 * uniform(states, tid) - 1.0
    phi = TWO_PI * uniform(states, tid)
    s = math.sqrt(max(0.0, 1.0 - w * w))
    return s * math.cos(phi), s * math.sin(phi), w


@njit(cache=True)
def sample_start(source_cdf, line_cdf, line_keV, nx, ny, dx, dy, dz, states, tid):
    """Emission point (cm), direction and energy (keV) of one primary photon."""
    voxel = bisect_right(source_cdf, uniform(states, tid) * source_cdf[source_cdf.shape[0] - 1])
    ix = voxel % nx
    iy = (voxel // nx) % ny
    iz = voxel // (nx * ny)
    x = (ix + uniform(states, tid)) * dx
    y = (iy + uniform(states, tid)) * dy
    z = (iz + uniform(states, tid)) * dz
    u, v, w = isotropic(states, tid)
    e = line_keV[bisect_right(line_cdf, uniform(states, tid) * line_cdf[line_cdf.shape[0] - 1])]
    return x, y, z, u, v, w, e


@njit(cache=True)
def track_photon(
    x, y, z, u, v, w, e, density, material, nx, ny, nz, dx, dy, dz,
    xs, majorant, log_e0, inv_dlog, e_cut, quantum, tally, row, states, tid,
):  # fmt: skip
    """Transport one photon to absorption or escape; returns (escaped quanta, first interaction code).

    ``xs[m, k, i]``: μ/ρ (cm²/g) of material m, kind k (photo, Compton, Rayleigh) at node i;
    ``majorant[i]``: an upper bound (1/cm) of ρ·μ/ρ over the grid within bin i.
    """
    n_nodes = xs.shape[2]
    eq = int(e / quantum + 0.5)
    first = -1
    if e < e_cut:
        deposit(tally, row, voxel_of(x, y, z, nx, ny, nz, dx, dy, dz), eq)
        return 0, LOCAL
    # the energy's bin changes only at a Compton scatter: looked up there, not at every (mostly virtual) step
    i, f = energy_bin(e, log_e0, inv_dlog, n_nodes)
    mu_max = majorant[i]
    while True:
        step = -math.log(1.0 - uniform(states, tid)) / mu_max
        x += u * step
        y += v * step
        z += w * step
        vox = voxel_of(x, y, z, nx, ny, nz, dx, dy, dz)
        if vox < 0:
            return eq, first
        m = material[vox]
        rho = density[vox]
        mu_pe = rho * (xs[m, 0, i] + f * (xs[m, 0, i + 1] - xs[m, 0, i]))
        mu_c = rho * (xs[m, 1, i] + f * (xs[m, 1, i + 1] - xs[m, 1, i]))
        mu_r = rho * (xs[m, 2, i] + f * (xs[m, 2, i + 1] - xs[m, 2, i]))
        r = uniform(states, tid) * mu_max
        if r >= mu_pe + mu_c + mu_r:
            continue  # virtual collision
        if r < mu_pe:
            deposit(tally, row, vox, eq)
            return 0, PHOTO if first < 0 else first
        if r < mu_pe + mu_c:
            if first < 0:
                first = COMPTON
            k = e / ELECTRON_REST_KEV
            ratio = klein_nishina_ratio(k, states, tid)
            cos_t = 1.0 - (ratio - 1.0) / k
            e = e / ratio
            if e < e_cut:
                deposit(tally, row, vox, eq)
                return 0, first
            new_eq = int(e / quantum + 0.5)
            deposit(tally, row, vox, eq - new_eq)
            eq = new_eq
            i, f = energy_bin(e, log_e0, inv_dlog, n_nodes)
            mu_max = majorant[i]
        else:
            if first < 0:
                first = RAYLEIGH
            cos_t = thomson_cosine(states, tid)
        u, v, w = rotate(u, v, w, cos_t, TWO_PI * uniform(states, tid))
