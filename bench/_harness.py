"""Benchmark harness: named callables run interleaved, min and median per side, the load around them.

Machines here are shared and noisy, so a benchmark never reports seconds alone: every side (the code
measured and a baseline doing the same work as a competent user would write it) runs in the same
process, one after the other within each round with the order alternating between rounds, so that a
burst of load falls on both. Each call's wall time and CPU time (this process and its children, user
plus system) are kept: CPU time above wall time shows threads at work, and CPU time is what to compare
when the load was high. The printer gives every benchmark the same output (baseline, ratio, rounds,
load), so that ``make bench`` reads as one table.

    from _harness import interleave, print_report
    result = interleave({"baseline": base, "nmguard": ours}, rounds=7)
    print_report("audit chain verify", result, baseline="baseline", baseline_text="hashlib over the texts")
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def _cpu_seconds() -> float:
    """User + system time of this process and its waited-for children (fresh-process benches)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass
class Side:
    """One named callable's timings, one entry per round (seconds)."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def min(self) -> float:
        return min(self.wall)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


@dataclass
class Result:
    """What :func:`interleave` measured: per side, the rounds, and the 1-minute load before and after."""

    sides: dict[str, Side]
    rounds: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    def ratio(self, name: str, baseline: str) -> tuple[float, float]:
        """Time of ``name`` over the baseline's: (min over min, median over median); below 1 is faster."""
        a, b = self.sides[name], self.sides[baseline]
        return a.min / b.min, a.median / b.median


def interleave(
    sides: Mapping[str, Callable[[], object]],
    rounds: int = 5,
    warmup: int = 1,
    before_round: Callable[[int], object] | None = None,
) -> Result:
    """Run every side once per round, the order rotated each round (with two sides: alternating), and
    time each call.

    ``warmup`` untimed rounds come first (imports, caches, JIT). ``before_round(r)`` runs untimed
    before timed round ``r`` (0-based), e.g. to build fresh inputs that every side then shares.
    """
    if rounds < 1 or not sides:
        raise ValueError("interleave needs at least one side and one round")
    names = list(sides)
    for _ in range(warmup):
        for name in names:
            sides[name]()
    timings = {name: Side() for name in names}
    load_before = os.getloadavg()
    for r in range(rounds):
        if before_round is not None:
            before_round(r)
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            cpu0, t0 = _cpu_seconds(), time.perf_counter()
            sides[name]()
            t1, cpu1 = time.perf_counter(), _cpu_seconds()
            timings[name].wall.append(t1 - t0)
            timings[name].cpu.append(cpu1 - cpu0)
    return Result(timings, rounds, load_before, os.getloadavg())


def _fmt_time(seconds: float) -> str:
    return (
        f"{seconds:.3f} s"
        if seconds >= 1
        else f"{seconds * 1e3:.1f} ms"
        if seconds >= 1e-3
        else f"{seconds * 1e6:.0f} µs"
    )


def _fmt_rate(per_second: float) -> str:
    return f"{per_second:,.0f}" if per_second >= 100 else f"{per_second:.3g}"


def _load(values: tuple[float, float, float]) -> str:
    return "/".join(f"{v:.2f}" for v in values)


def format_report(
    title: str,
    result: Result,
    baseline: str,
    baseline_text: str,
    threads: str = "",
    per: tuple[float, str] | None = None,
) -> str:
    """The common printout: the baseline, each side's min/median wall and median CPU, each side's ratio
    to the baseline, the rounds and the load (1/5/15-minute averages over the machine's cores).

    ``per=(n, "objects")`` adds a rate (n per second) at the min and the median time."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [f"== {title}", f"  baseline: {baseline} = {baseline_text}"]
    if threads:
        lines.append(f"  threads: {threads}")
    width = max(len(n) for n in result.sides)
    for name, side in result.sides.items():
        line = (
            f"  {name:<{width}}  min {_fmt_time(side.min):>10}  median {_fmt_time(side.median):>10}"
            f"  cpu median {_fmt_time(side.cpu_median):>10}"
        )
        if per is not None:
            n, unit = per
            line += f"  ({_fmt_rate(n / side.min)} / {_fmt_rate(n / side.median)} {unit}/s at min / median)"
        lines.append(line)
    for name in result.sides:
        if name != baseline:
            lo, med = result.ratio(name, baseline)
            lines.append(f"  ratio {name} / {baseline} (time): min {lo:.2f}x, median {med:.2f}x")
    lines.append(
        f"  rounds: {result.rounds}, interleaved; load before {_load(result.load_before)}, "
        f"after {_load(result.load_after)} (1/5/15 min, {cores} cores)"
    )
    return "\n".join(lines)


def print_report(
    title: str,
    result: Result,
    baseline: str,
    baseline_text: str,
    threads: str = "",
    per: tuple[float, str] | None = None,
) -> None:
    """Print :func:`format_report`; every bench ends with this, so all read alike."""
    print(format_report(title, result, baseline, baseline_text, threads, per), flush=True)
