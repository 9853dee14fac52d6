"""CPU backend: histories in fixed chunks over threads (numba ``prange``), each chunk seeded from (seed, chunk).

Why chunks: a chunk's random stream depends only on the seed and the chunk number, and the tallies
are integers, so the result is the same whatever the number of threads or their scheduling.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from nmguard.dosimetry.montecarlo.physics import sample_start, track_photon

CHUNK = 512  # histories per chunk (one random stream each)


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
        for _ in range(start, stop):
            x, y, z, u, v, w, e = sample_start(source_cdf, line_cdf, line_keV, nx, ny, dx, dy, dz, states, 0)
            em += int(e / quantum + 0.5)
            out, first = track_photon(
                x, y, z, u, v, w, e, density, material, nx, ny, nz, dx, dy, dz,
                xs, majorant, log_e0, inv_dlog, e_cut, quantum, tally, row, states, 0,
            )  # fmt: skip
            es += out
            first_counts[c, first + 1] += 1
        emitted[c] = em
        escaped[c] = es


def n_rows() -> int:
    """Rows of the per-thread tally (one per numba thread)."""
    return numba.get_num_threads()
