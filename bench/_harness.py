"""Tiny benchmark harness: best-of-N timings and a ratio against a baseline in the same process.

Machines here are shared and noisy, so a benchmark reports how many times slower (or faster) the
measured code is than a baseline doing the irreducible part of the same work, never seconds alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def report(name: str, measured: Callable[[], object], baseline: Callable[[], object], repeat: int = 5) -> float:
    base = best_of(baseline, repeat)
    meas = best_of(measured, repeat)
    ratio = meas / base
    print(f"{name}: {ratio:.2f}x the baseline (measured {meas * 1e3:.1f} ms, baseline {base * 1e3:.1f} ms)")
    return ratio
