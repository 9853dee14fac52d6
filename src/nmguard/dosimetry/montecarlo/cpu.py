"""CPU backend: histories in fixed chunks over threads (numba ``prange``), each chunk seeded from (seed, chunk).

Why chunks: a chunk's random stream depends only on the seed and the chunk number, and the tallies
are integers, so the result is the same whatever the number of threads or their scheduling.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numba
import numpy as np
from numba import njit, prange

from nmguard.dosimetry.montecarlo.physics import sample_start, track_photon
from nmguard.dosimetry.montecarlo.tally import CHUNK, RawRun, add_batch

# OpenMP threads that wait at the end of each batch sleep instead of spinning: on 2 shared cores the
# spinning cost the default (omp) layer a quarter of its CPU time per history at 2 threads (bench
# figures in docs/therapy.md). Read when numba starts its thread pool (the first parallel call), not
# at import; a deployment may override it.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")


@njit(cache=True)
def chunk_seed(seed, chunk):
    """A 32-bit seed for (seed, chunk) by the splitmix64 finaliser (well-separated streams)."""
    z = (np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(chunk) + np.uint64(1)) & np.uint64(
        0xFFFFFFFFFFFFFFFF
    )
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.uint32(z & np.uint64(0xFFFFFFFF))


@njit(parallel=True, cache=True)
def run_chunks(
    first_chunk, n_chunks, n_histories, seed, source_cdf, line_cdf, line_keV, density, material,
    nx, ny, nz, dx, dy, dz, xs, majorant, log_e0, inv_dlog, e_cut, quantum,
    tally, emitted, escaped, first_counts,
):  # fmt: skip
    """Transport chunks [first_chunk, first_chunk + n_chunks); per-chunk sums go to emitted/escaped/first_counts."""
    states = np.zeros(1)
    for c in prange(n_chunks):
        chunk = first_chunk + c
        np.random.seed(chunk_seed(seed, chunk))
        row = numba.get_thread_id()
        start = chunk * CHUNK
        stop = min(start + CHUNK, n_histories)
        em = 0
        es = 0
        counts = np.zeros(5, np.int64)  # local: neighbouring chunks' rows of first_counts share cache lines
        for _ in range(start, stop):
            x, y, z, u, v, w, e = sample_start(source_cdf, line_cdf, line_keV, nx, ny, dx, dy, dz, states, 0)
            em += int(e / quantum + 0.5)
            out, first = track_photon(
                x, y, z, u, v, w, e, density, material, nx, ny, nz, dx, dy, dz,
                xs, majorant, log_e0, inv_dlog, e_cut, quantum, tally, row, states, 0,
            )  # fmt: skip
            es += out
            counts[first + 1] += 1
        emitted[c] = em
        escaped[c] = es
        first_counts[c, :] = counts


@njit(parallel=True, cache=True)
def collect_rows(tally, out):
    """``out`` = Σ over the threads' rows of ``tally``, and the rows back to zero, in one pass over memory."""
    for v in prange(tally.shape[1]):
        total = 0
        for r in range(tally.shape[0]):
            total += tally[r, v]
            tally[r, v] = 0
        out[v] = total


def n_rows() -> int:
    """Rows of the per-thread tally (one per numba thread)."""
    return numba.get_num_threads()


def run_batches(
    p, n_histories: int, seed: int, batches, quantum: float, progress: Callable[[float], None] | None, regions=None
) -> RawRun:
    """Run the batches on the CPU threads; same signature as the GPU back-end's ``run_batches``."""
    nz, ny, nx = p.shape
    dz, dy, dx = p.spacing_cm
    nvox = nz * ny * nx
    tally = np.zeros((n_rows(), nvox), dtype=np.int64)

    def call(first: int, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        emitted = np.zeros(count, dtype=np.int64)
        escaped = np.zeros(count, dtype=np.int64)
        counts = np.zeros((count, 5), dtype=np.int64)
        with numba.parallel_chunksize(1):  # chunks handed out one by one: a thread slowed by load takes fewer
            run_chunks(
                first, count, n_histories, seed, p.source_cdf, p.line_cdf, p.line_keV, p.density, p.material,
                nx, ny, nz, dx, dy, dz, p.xs, p.majorant, p.log_e0, p.inv_dlog, p.e_cut_keV, quantum,
                tally, emitted, escaped, counts,
            )  # fmt: skip
        return emitted, escaped, counts

    voxels = np.zeros(nvox, np.int64)
    call(0, 0)  # compile or load the cached machine code before the clock starts
    collect_rows(tally, voxels)  # (the same for the reduction; the tally is still all zeros)
    acc = RawRun(np.zeros(nvox, np.int64), np.zeros(nvox), len(batches), 0, 0, np.zeros(5, np.int64), 0.0)
    acc.regions = regions or {}
    start = time.perf_counter()
    for b, (first, count) in enumerate(batches):
        emitted, escaped, counts = call(first, count)
        collect_rows(tally, voxels)  # also zeroes the rows for the next batch
        add_batch(acc, voxels, int(emitted.sum()), int(escaped.sum()), counts.sum(axis=0))
        if progress is not None:
            progress((b + 1) / len(batches))
    acc.seconds = time.perf_counter() - start
    return acc
