"""The integer tallies of a Monte Carlo run and their batch split, shared by the CPU and GPU back-ends.

Why a module of its own: both back-ends fill the same tallies batch by batch; with these here, neither
back-end imports the dispatcher (:mod:`nmguard.dosimetry.montecarlo.simulate`) that chooses between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: energy tally unit (keV): 10 meV, so that 1e9 histories of 3 MeV still fit an int64.
QUANTUM_KEV = 1e-5
N_BATCHES = 10
#: histories per chunk (one random stream each); both back-ends split batches at chunk boundaries.
CHUNK = 512


@dataclass
class RawRun:
    """Integer tallies (quanta) of a run: per-batch voxel energy, totals and first-interaction counts."""

    batch_sum: np.ndarray  # int64 [voxel], Σ over batches
    batch_sum_sq: np.ndarray  # float64 [voxel], Σ over batches of (batch energy)²
    n_batches: int
    emitted: int
    escaped: int
    first_counts: np.ndarray  # [escaped uncollided, photo, Compton, Rayleigh, below cut-off at birth]
    seconds: float
    regions: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # name -> (indices, weights)
    region_batches: dict[str, list[float]] = field(default_factory=dict)  # name -> Σ E_i w_i per batch (quanta/kg)


def add_batch(acc: RawRun, voxels: np.ndarray, emitted: int, escaped: int, counts: np.ndarray) -> None:
    acc.batch_sum += voxels
    acc.batch_sum_sq += voxels.astype(np.float64) ** 2
    acc.emitted += emitted
    acc.escaped += escaped
    acc.first_counts += counts
    for name, (idx, w) in acc.regions.items():
        acc.region_batches.setdefault(name, []).append(float(voxels[idx] @ w))


def batches(n_histories: int) -> list[tuple[int, int]]:
    """(first chunk, number of chunks) per batch: consecutive chunks, as equal as whole chunks allow."""
    n_chunks = -(-n_histories // CHUNK)
    edges = np.linspace(0, n_chunks, min(N_BATCHES, n_chunks) + 1).round().astype(int)
    return [(int(a), int(b - a)) for a, b in zip(edges[:-1], edges[1:], strict=True)]
