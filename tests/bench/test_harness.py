"""The benchmark harness: interleaving, min/median, ratios, CPU time of children, the common printout.

Timings are checked with a fake clock (each side advances it by a known amount), so the expected
min, median and ratio are exact; only the CPU-time test runs real work.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import _harness  # noqa: E402


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(_harness.time, "perf_counter", fake)
    return fake


def test_min_median_and_ratio_from_known_durations(clock: FakeClock) -> None:
    durations = {"base": iter([3.0, 1.0, 2.0, 9.0, 2.0]), "ours": iter([6.0, 8.0, 4.0, 5.0, 7.0])}

    def side(name: str):
        def run() -> None:
            clock.now += next(durations[name])

        return run

    result = _harness.interleave({"base": side("base"), "ours": side("ours")}, rounds=5, warmup=0)
    assert result.sides["base"].wall == [3.0, 1.0, 2.0, 9.0, 2.0]
    assert (result.sides["base"].min, result.sides["base"].median) == (1.0, 2.0)
    assert (result.sides["ours"].min, result.sides["ours"].median) == (4.0, 6.0)
    assert result.ratio("ours", "base") == (4.0, 3.0)


def test_order_rotates_each_round_and_warmup_is_not_timed(clock: FakeClock) -> None:
    calls: list[str] = []
    sides = {n: (lambda n=n: calls.append(n)) for n in ("a", "b", "c")}
    result = _harness.interleave(sides, rounds=6, warmup=2)
    assert calls[:6] == ["a", "b", "c", "a", "b", "c"]  # warm-up rounds
    timed = [calls[6 + 3 * r : 9 + 3 * r] for r in range(6)]
    assert all(sorted(r) == ["a", "b", "c"] for r in timed)
    assert [r[0] for r in timed] == ["a", "b", "c", "a", "b", "c"]  # each side leads equally often
    assert all(len(s.wall) == 6 for s in result.sides.values())


def test_two_sides_alternate(clock: FakeClock) -> None:
    calls: list[str] = []
    _harness.interleave({"x": lambda: calls.append("x"), "y": lambda: calls.append("y")}, rounds=4, warmup=0)
    assert calls == ["x", "y", "y", "x", "x", "y", "y", "x"]


def test_before_round_runs_untimed_before_each_round(clock: FakeClock) -> None:
    seen: list[object] = []

    def prepare(r: int) -> None:
        seen.append(r)
        clock.now += 100.0  # preparation must not count

    def side() -> None:
        seen.append("side")
        clock.now += 1.0

    result = _harness.interleave({"s": side}, rounds=3, warmup=1, before_round=prepare)
    assert seen == ["side", 0, "side", 1, "side", 2, "side"]
    assert result.sides["s"].wall == [1.0, 1.0, 1.0]


def test_cpu_time_includes_a_waited_for_child_process() -> None:
    busy = "import time\nt=time.process_time()\nwhile time.process_time()-t<0.3: pass"
    result = _harness.interleave({"child": lambda: subprocess.run([sys.executable, "-c", busy], check=True)}, 1, 0)
    assert result.sides["child"].cpu[0] >= 0.3
    assert result.sides["child"].wall[0] >= 0.3


def test_report_states_baseline_ratio_rounds_load_and_rate(clock: FakeClock) -> None:
    steps = {"bare": 2.0, "nmguard": 4.0}
    sides = {n: (lambda n=n: setattr(clock, "now", clock.now + steps[n])) for n in steps}
    result = _harness.interleave(sides, rounds=3, warmup=0)
    text = _harness.format_report(
        "ingest", result, baseline="bare", baseline_text="a bare receiver", threads="1 each", per=(40, "objects")
    )
    assert "baseline: bare = a bare receiver" in text
    assert "threads: 1 each" in text
    assert "ratio nmguard / bare (time): min 2.00x, median 2.00x" in text
    assert "20 / 20 objects/s" in text and "10 / 10 objects/s" in text
    assert "rounds: 3, interleaved; load before " in text and " after " in text


@pytest.mark.parametrize("rounds, sides", [(0, {"a": lambda: None}), (3, {})])
def test_no_rounds_or_no_sides_is_refused(rounds: int, sides: dict) -> None:
    with pytest.raises(ValueError, match="at least one side and one round"):
        _harness.interleave(sides, rounds=rounds)
