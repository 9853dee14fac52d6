"""Photon Monte Carlo throughput: numba CPU kernel against a vectorised pure-NumPy version of the same physics.

Phantom: 64³ voxels of 5 mm (32 cm cube) of water with a lung block (0.3 g/cm³) and a bone slab
(1.85 g/cm³); sources Lu-177 and I-131 in a central 16³ region. Both implementations use the same
tables, Woodcock tracking, Kahn Klein–Nishina sampling, Thomson Rayleigh and local deposition; NumPy
runs fewer histories. Printed: histories/s of each and their ratio, the energy deposited fraction of
each (they must agree within noise), and a 'gpu' line when a CUDA device is usable.

Run: ``python bench/dosimetry_montecarlo.py [--histories 400000] [--numpy-histories 20000]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from nmguard.dosimetry.montecarlo import simulate_photons  # noqa: E402
from nmguard.dosimetry.montecarlo.gpu import cuda_problem  # noqa: E402
from nmguard.dosimetry.montecarlo.physics import ELECTRON_REST_KEV  # noqa: E402
from nmguard.dosimetry.montecarlo.simulate import prepare  # noqa: E402

N = 64
SPACING_MM = (5.0, 5.0, 5.0)
WATER, LUNG, BONE = 5, 1, 4


def phantom() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    density = np.ones((N, N, N))
    material = np.full((N, N, N), WATER, np.int8)
    density[:, 8:28, 8:56], material[:, 8:28, 8:56] = 0.3, LUNG
    density[:, 44:52, :], material[:, 44:52, :] = 1.85, BONE
    source = np.zeros((N, N, N))
    source[24:40, 24:40, 24:40] = 1.0
    return source, density, material


def numpy_transport(p, n: int, seed: int) -> float:
    """Vectorised NumPy photon transport of ``n`` histories; returns the deposited energy fraction."""
    rng = np.random.default_rng(seed)
    nz, ny, nx = p.shape
    dz, dy, dx = p.spacing_cm
    n_nodes = p.xs.shape[2]
    vox = np.searchsorted(p.source_cdf, rng.random(n) * p.source_cdf[-1], side="right")
    pos = np.stack([(vox % nx + rng.random(n)) * dx, ((vox // nx) % ny + rng.random(n)) * dy,
                    (vox // (nx * ny) + rng.random(n)) * dz], axis=1)  # fmt: skip
    w = 2 * rng.random(n) - 1
    phi = 2 * np.pi * rng.random(n)
    s = np.sqrt(1 - w * w)
    d = np.stack([s * np.cos(phi), s * np.sin(phi), w], axis=1)
    e = p.line_keV[np.searchsorted(p.line_cdf, rng.random(n) * p.line_cdf[-1], side="right")]
    emitted = e.sum()
    deposited = np.zeros(p.density.size)
    low = e < p.e_cut_keV
    np.add.at(deposited, _voxel(pos[low], p), e[low])
    pos, d, e = pos[~low], d[~low], e[~low]
    upper = np.array([nx * dx, ny * dy, nz * dz])
    size = np.array([dx, dy, dz])
    while e.size:
        t = (np.log(e) - p.log_e0) * p.inv_dlog
        i = np.clip(t.astype(int), 0, n_nodes - 2)
        f = t - i
        mu_max = p.majorant[i]
        pos = pos + d * (-np.log(1 - rng.random(e.size)) / mu_max)[:, None]
        inside = np.all((pos >= 0) & (pos < upper), axis=1)
        pos, d, e, i, f, mu_max = pos[inside], d[inside], e[inside], i[inside], f[inside], mu_max[inside]
        idx = pos // size
        v = ((idx[:, 2] * ny + idx[:, 1]) * nx + idx[:, 0]).astype(int)
        m = p.material[v]
        mu = p.density[v][:, None] * (p.xs[m, :, i] + f[:, None] * (p.xs[m, :, i + 1] - p.xs[m, :, i]))
        r = rng.random(e.size) * mu_max
        photo = r < mu[:, 0]
        compton = ~photo & (r < mu[:, 0] + mu[:, 1])
        rayleigh = ~photo & ~compton & (r < mu.sum(axis=1))
        np.add.at(deposited, v[photo], e[photo])
        cos_t = np.ones(e.size)
        if compton.any():
            k = e[compton] / ELECTRON_REST_KEV
            ratio = _kahn(k, rng)
            cos_t[compton] = 1 - (ratio - 1) / k
            new_e = e[compton] / ratio
            new_e = np.where(new_e < p.e_cut_keV, 0.0, new_e)
            np.add.at(deposited, v[compton], e[compton] - new_e)
            e[compton] = new_e
        if rayleigh.any():
            cos_t[rayleigh] = _thomson(int(rayleigh.sum()), rng)
        alive = ~photo & (e > 0)
        turned = (compton | rayleigh)[alive]
        pos, d, e, cos_t = pos[alive], d[alive], e[alive], cos_t[alive]
        d[turned] = _rotate(d[turned], cos_t[turned], 2 * np.pi * rng.random(int(turned.sum())))
    return float(deposited.sum() / emitted)


def _voxel(pos: np.ndarray, p) -> np.ndarray:
    nz, ny, nx = p.shape
    idx = (pos // np.array(p.spacing_cm[::-1])).astype(int)
    return (idx[:, 2] * ny + idx[:, 1]) * nx + idx[:, 0]


def _kahn(k: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(k.size)
    todo = np.arange(k.size)
    while todo.size:
        kk = k[todo]
        r1, r2, r3 = rng.random((3, todo.size))
        branch1 = r1 <= (1 + 2 * kk) / (9 + 2 * kk)
        x = np.where(branch1, 1 + 2 * kk * r2, (1 + 2 * kk) / (1 + 2 * kk * r2))
        c = 1 - (x - 1) / kk
        ok = np.where(branch1, r3 <= 4 * (1 / x - 1 / x**2), r3 <= 0.5 * (c * c + 1 / x))
        out[todo[ok]] = x[ok]
        todo = todo[~ok]
    return out


def _thomson(n: int, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(n)
    todo = np.arange(n)
    while todo.size:
        c = 2 * rng.random(todo.size) - 1
        ok = rng.random(todo.size) <= 0.5 * (1 + c * c)
        out[todo[ok]] = c[ok]
        todo = todo[~ok]
    return out


def _rotate(d: np.ndarray, cos_t: np.ndarray, phi: np.ndarray) -> np.ndarray:
    u, v, w = d.T
    sin_t = np.sqrt(np.maximum(0, 1 - cos_t**2))
    s = np.sqrt(np.maximum(1e-12, 1 - w * w))
    nu = u * cos_t + sin_t * (u * w * np.cos(phi) - v * np.sin(phi)) / s
    nv = v * cos_t + sin_t * (v * w * np.cos(phi) + u * np.sin(phi)) / s
    nw = w * cos_t - sin_t * np.cos(phi) * s
    out = np.stack([nu, nv, nw], axis=1)
    return out / np.linalg.norm(out, axis=1)[:, None]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--histories", type=int, default=400_000, help="histories per nuclide for numba")
    parser.add_argument("--numpy-histories", type=int, default=20_000, help="histories per nuclide for NumPy")
    args = parser.parse_args()
    source, density, material = phantom()
    print(f"photon MC, {N}³ voxels of {SPACING_MM[0]:g} mm, water + lung + bone, central 16³ source")
    simulate_photons(source, density, material, SPACING_MM, "Lu-177", 1000)  # compile / load the cache
    gpu_reason = cuda_problem()
    for nuclide in ("Lu-177", "I-131"):
        r = simulate_photons(source, density, material, SPACING_MM, nuclide, args.histories, seed=1)
        p = prepare(source, density, material, SPACING_MM, nuclide)
        start = time.perf_counter()
        af_numpy = numpy_transport(p, args.numpy_histories, seed=1)
        numpy_rate = args.numpy_histories / (time.perf_counter() - start)
        af_numba = r.energy_deposited_J / r.energy_emitted_J
        print(
            f"{nuclide}: numba CPU {r.histories_per_second:,.0f} histories/s, NumPy {numpy_rate:,.0f} histories/s "
            f"→ {r.histories_per_second / numpy_rate:.1f}× the NumPy baseline; deposited fraction "
            f"numba {af_numba:.4f}, NumPy {af_numpy:.4f}"
        )
        if gpu_reason is None:
            g = simulate_photons(source, density, material, SPACING_MM, nuclide, args.histories * 10, seed=1,
                                 device="gpu")  # fmt: skip
            print(f"{nuclide}: gpu {g.histories_per_second:,.0f} histories/s "
                  f"({g.histories_per_second / r.histories_per_second:.1f}× numba CPU)")  # fmt: skip
    if gpu_reason is not None:
        print(f"gpu: skipped ({gpu_reason})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
