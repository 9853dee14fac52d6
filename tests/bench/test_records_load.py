"""bench/records_load.py without a server: its percentiles, its tallies, and bad options refused (exit 2)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import records_load  # noqa: E402


def test_percentiles_match_numpy_linear_interpolation():
    values = [0.001 * (i**1.5) for i in range(1, 238)]
    expected = np.percentile(values, [50, 95, 99], method="linear")
    assert records_load._percentiles(values) == pytest.approx(tuple(expected), rel=1e-12)


def test_percentiles_of_one_and_no_value():
    assert records_load._percentiles([0.2]) == (0.2, 0.2, 0.2)
    assert all(v != v for v in records_load._percentiles([]))  # NaN: nothing measured


def test_tallies_add_up():
    a, b = records_load.Tally(), records_load.Tally()
    a.latencies["patients"] += [0.1, 0.2]
    b.latencies["patients"] += [0.3]
    b.latencies["worklist"] += [0.4]
    b.errors["worklist: 500"] += 1
    a.seconds, b.seconds, a.server_cpu, b.server_cpu = 60, 61, 50, 55
    a.add(b)
    assert a.requests == 4 and a.latencies["patients"] == [0.1, 0.2, 0.3]
    assert (a.seconds, a.server_cpu, a.errors["worklist: 500"]) == (121, 105, 1)


@pytest.mark.parametrize(
    "argv",
    [
        ["--think", "1"],
        ["--think", "2,1"],
        ["--think", "0.5,1.5/x"],
        ["--sides", "sometimes"],
        ["--users", "0"],
        ["--seconds", "0"],
        ["--data-dir", "/nonexistent-folder"],
        ["--data-dir", "/tmp", "--postgres"],
    ],
)
def test_bad_options_exit_2_with_one_line(argv, capsys):
    assert records_load.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err
