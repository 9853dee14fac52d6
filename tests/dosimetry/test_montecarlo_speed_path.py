"""Photon Monte Carlo: the speed work changed no number, and the benchmark's NumPy baseline is the same physics.

The pinned integers below were produced by the CPU back-end as it stood before the batch reduction
was fused, the energy bin hoisted out of the flight loop and chunks handed out dynamically
(commit c640f0d); the tallies are exact integers, so any change of the random stream or the
physics shows here, whatever the thread count.
"""

import importlib.util
from pathlib import Path

import numba
import numpy as np
import pytest

from nmguard.dosimetry.montecarlo import cpu
from nmguard.dosimetry.montecarlo.simulate import prepare
from nmguard.dosimetry.montecarlo.tally import QUANTUM_KEV, batches

WATER, BONE = 5, 4
BENCH = Path(__file__).resolve().parents[2] / "bench" / "dosimetry_montecarlo.py"


def _problem():
    n = 12
    density, material = np.ones((n, n, n)), np.full((n, n, n), WATER, np.int8)
    density[:, :4, :], material[:, :4, :] = 1.85, BONE
    source = np.zeros((n, n, n))
    source[4:8, 4:8, 4:8] = 1.0
    return prepare(source, density, material, (10.0, 10.0, 10.0), "Lu-177")


@pytest.mark.parametrize("threads", [1, 2])
def test_fixed_seed_gives_the_pinned_integer_tallies(threads):
    before = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        run = cpu.run_batches(_problem(), 7000, 11, batches(7000), QUANTUM_KEV, None)
    finally:
        numba.set_num_threads(before)
    assert (run.emitted, run.escaped, int(run.batch_sum.sum())) == (90642081330, 62584889732, 28057191598)
    assert run.first_counts.tolist() == [1747, 353, 4005, 162, 733]
    assert int(run.batch_sum[::97].sum()) == 231747388
    assert float(run.batch_sum_sq.sum()) == 3.011429547146568e17


def test_collect_rows_sums_the_thread_rows_and_zeroes_them():
    rng = np.random.default_rng(3)
    tally = rng.integers(0, 2**40, size=(3, 1000), dtype=np.int64)
    expected = tally.sum(axis=0)
    out = np.full(1000, -1, np.int64)
    cpu.collect_rows(tally, out)
    assert np.array_equal(out, expected) and not tally.any()


def test_numpy_baseline_of_the_benchmark_deposits_the_same_fraction():
    # Two independent implementations of the same transport; per history the deposited fraction has
    # sd < 0.5, so with 20 000 histories each the difference has sd < 0.005: 0.02 is 4 sd.
    spec = importlib.util.spec_from_file_location("bench_dosimetry_montecarlo", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    source, density, material, spacing = bench.phantom(16)
    p = prepare(source, density, material, spacing, "Lu-177")
    numpy_fraction = bench.numpy_transport(p, 20_000, seed=2)
    numba_fraction = bench.numba_transport(p, 20_000, seed=2, threads=1)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert 0.3 < numba_fraction < 0.8
    assert numpy_fraction == pytest.approx(numba_fraction, abs=0.02)
