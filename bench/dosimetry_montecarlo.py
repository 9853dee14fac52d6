"""Photon Monte Carlo throughput: the numba CPU kernel against a vectorised NumPy version of the same transport.

Baseline: the strongest simple version a competent NumPy user would write of the *same* physics and
tables — all live photons advanced together, one array operation per Woodcock step (flight, voxel
lookup, interaction choice, Kahn Klein–Nishina and Thomson sampling by vectorised rejection,
``np.add.at`` deposits). NumPy's array operations run on one thread, so the numba kernel is timed
at one thread against it; numba at N threads (``NUMBA_NUM_THREADS``, default: the cores) is
reported in total and per core.

Phantom: a 32 cm cube of water with a lung block (0.3 g/cm³) and a bone slab (1.85 g/cm³), a
uniform source in the central eighth of the edge, at 64³ (5 mm) and 128³ (2.5 mm). Both sides
start from the same prepared problem (``prepare``: tables, majorant), which is timed once apart.
Rounds are interleaved by ``bench/_harness.interleave`` (order rotated each round, one seed per
round shared by the sides, no warm-up round: the first call, made before, loads the numba cache);
the harness prints min and median time, CPU time, ratios to the baseline and the load; per side
also histories per CPU-second (the per-core figure that a loaded machine does not halve), numba at
N threads per core, and the deposited energy fraction (the sides must agree within noise).

Run: ``python bench/dosimetry_montecarlo.py [--sizes 64 128] [--rounds 3] [--histories 200000]
[--gpu]``; ``--gpu`` also runs the CUDA back-end (``--gpu-histories``, default 2e7)
and exits with status 2 and one line when no CUDA device is usable.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _harness import interleave, print_report  # noqa: E402
from nmguard.dosimetry.montecarlo import cpu, simulate_photons  # noqa: E402
from nmguard.dosimetry.montecarlo.gpu import cuda_problem  # noqa: E402
from nmguard.dosimetry.montecarlo.physics import ELECTRON_REST_KEV  # noqa: E402
from nmguard.dosimetry.montecarlo.simulate import prepare  # noqa: E402
from nmguard.dosimetry.montecarlo.tally import QUANTUM_KEV, batches  # noqa: E402

EDGE_MM = 320.0
WATER, LUNG, BONE = 5, 1, 4
NUCLIDE = "Lu-177"


def phantom(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[float, float, float]]:
    """Source, density, material and spacing of the test phantom at n³ (same anatomy at every n)."""
    density = np.ones((n, n, n))
    material = np.full((n, n, n), WATER, np.int8)
    a, b, c, d = (round(n * f) for f in (8 / 64, 28 / 64, 56 / 64, 44 / 64))
    density[:, a:b, a:c], material[:, a:b, a:c] = 0.3, LUNG
    density[:, d : d + n // 8, :], material[:, d : d + n // 8, :] = 1.85, BONE
    source = np.zeros((n, n, n))
    lo, hi = 3 * n // 8, 5 * n // 8
    source[lo:hi, lo:hi, lo:hi] = 1.0
    return source, density, material, (EDGE_MM / n,) * 3


def timed(fn: Callable[..., float], *args) -> tuple[float, float, float]:
    """(wall s, process CPU s, value) of ``fn(*args)``."""
    wall, cpu_s = time.perf_counter(), time.process_time()
    value = fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu_s, value


def numba_transport(p, n: int, seed: int, threads: int) -> float:
    """The product's CPU back-end (transport and batch tallies) at ``threads``; the deposited fraction."""
    numba.set_num_threads(threads)
    run = cpu.run_batches(p, n, seed, batches(n), QUANTUM_KEV, None)
    return float(run.batch_sum.sum() / run.emitted)


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


def bench_size(n: int, args: argparse.Namespace, threads: int) -> None:
    source, density, material, spacing = phantom(n)
    wall, _, p = timed(prepare, source, density, material, spacing, NUCLIDE)
    h = args.histories
    seed = [0]
    fractions: dict[str, list[float]] = {}

    def side(name: str, fn: Callable[..., float], *extra) -> Callable[[], None]:
        return lambda: fractions.setdefault(name, []).append(fn(p, h, seed[0], *extra))

    many = f"numba_{threads}threads"
    sides = {"numpy_1thread": side("numpy_1thread", numpy_transport), "numba_1thread": side("numba_1thread",
             numba_transport, 1), many: side(many, numba_transport, threads)}  # fmt: skip
    result = interleave(sides, rounds=args.rounds, warmup=0, before_round=lambda r: seed.__setitem__(0, r + 1))
    print_report(
        f"photon Monte Carlo {n}³ ({spacing[0]:g} mm voxels), {NUCLIDE}, {h:,} histories per call "
        f"(prepare {wall:.2f} s, apart)",
        result,
        baseline="numpy_1thread",
        baseline_text="vectorised NumPy of the same transport and tables (all live photons one array step at a time)",
        threads=f"NumPy 1 (array operations), numba 1 and {threads} ({numba.threading_layer()} layer)",
        per=(h, "histories"),
    )
    for name, s in result.sides.items():
        cores = threads if name == many else 1
        per_core = (
            f"; wall per core {h / s.min / cores:,.0f} / {h / s.median / cores:,.0f} (min / median time)"
            if cores > 1
            else ""
        )
        print(
            f"  {name}: {h / s.cpu_median:,.0f} histories per CPU-second (median){per_core}; "
            f"deposited fraction {statistics.mean(fractions[name]):.4f}"
        )
    if args.gpu:
        hg = args.gpu_histories
        g = simulate_photons(source, density, material, spacing, NUCLIDE, hg, seed=1, device="gpu")
        print(
            f"  gpu: {g.histories_per_second:,.0f} histories/s ({hg:,} histories, compile excluded); deposited "
            f"fraction {g.energy_deposited_J / g.energy_emitted_J:.4f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128], help="grid edges in voxels")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (best and median reported)")
    parser.add_argument("--histories", type=int, default=200_000, help="histories per call, every side")
    parser.add_argument("--gpu", action="store_true", help="also run the CUDA back-end")
    parser.add_argument("--gpu-histories", type=int, default=20_000_000, help="histories of the GPU run")
    args = parser.parse_args()
    if min(args.sizes) < 8 or args.rounds < 1 or args.histories < 1 or args.gpu_histories < 1:
        parser.error("sizes must be >= 8, rounds and histories >= 1")
    if args.gpu and (reason := cuda_problem()) is not None:
        print(f"--gpu: {reason}", file=sys.stderr)
        return 2
    threads = numba.config.NUMBA_NUM_THREADS
    wall, _, _ = timed(simulate_photons, *phantom(16)[:3], (20.0,) * 3, NUCLIDE, 1000)
    print(f"photon MC: first call in this process (numba cache load or compile) {wall:.2f} s")
    for n in args.sizes:
        bench_size(n, args, threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
