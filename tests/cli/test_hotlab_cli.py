"""``nmguard breakthrough | draw-volume | elution-yield`` as a user runs them.

Expected numbers are hand calculations: 2^(−t/T½) with Mo-99 65.9496 h and Tc-99m 6.0072 h, the
10 CFR 35.204(a) limit 0.15 kBq Mo-99 per MBq Tc-99m, and the two-member Bateman solution.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys

import pytest

NMGUARD = [sys.executable, "-m", "nmguard"]


def run(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NMGUARD_DATABASE_URL", "NMGUARD_FUTURE_MARGIN_MINUTES")}
    env.update(env_extra or {})
    return subprocess.run([*NMGUARD, *args], capture_output=True, text=True, env=env, timeout=120)


def run_json(*args: str) -> dict:
    r = run(*args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def assert_bad_input(r: subprocess.CompletedProcess, *words: str) -> None:
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), r.stderr
    assert "Traceback" not in r.stderr
    for w in words:
        assert w in lines[0], lines[0]


def test_breakthrough_mo99_nrc():
    out = run_json(
        "breakthrough",
        "--parent",
        "Mo-99",
        "--parent-activity",
        "1 uCi",
        "--daughter-activity",
        "20 mCi",
        "--measured-at",
        "2026-03-02T08:00:00+01:00",
        "--profile",
        "nrc",
    )
    # 1 µCi per 20 mCi = 0.05 µCi/mCi = 0.05 kBq/MBq; limit 0.15; t = ln 3 / 0.104876 h⁻¹ = 10.4754 h
    assert out["ratio_kBq_per_MBq"] == pytest.approx(0.05)
    assert out["limit_kBq_per_MBq"] == 0.15 and out["within_limit"] is True
    until = dt.datetime.fromisoformat(out["usable_until"])
    start = dt.datetime.fromisoformat("2026-03-02T08:00:00+01:00")
    hours = (until - start).total_seconds() / 3600
    assert hours == pytest.approx(10.4754, abs=1e-3)
    assert out["values"]["limit_kBq_per_MBq"]["source"] == "cfr-10-35-204"
    assert out["values"]["limit_kBq_per_MBq"]["status"] == "verified"
    table = run(
        "breakthrough",
        "--parent",
        "Mo-99",
        "--parent-activity",
        "37 kBq",
        "--daughter-activity",
        "740 MBq",
        "--measured-at",
        "2026-03-02T08:00:00+01:00",
    )
    assert table.returncode == 0 and "0.15 kBq/MBq" in table.stdout and "Usable until" in table.stdout


def test_breakthrough_above_limit_and_no_limit():
    out = run_json(
        "breakthrough",
        "--parent",
        "Sr-82",
        "--parent-activity",
        "30 kBq",
        "--daughter-activity",
        "1 GBq",
        "--measured-at",
        "2026-03-02T08:00:00Z",
    )
    assert out["ratio_kBq_per_MBq"] == pytest.approx(0.03)  # > 0.02
    assert out["within_limit"] is False and out["usable_until"] == "now"
    ge = run_json(
        "breakthrough",
        "--parent",
        "Ge-68",
        "--parent-activity",
        "5 Bq",
        "--daughter-activity",
        "500 MBq",
        "--measured-at",
        "2026-03-02T08:00:00Z",
    )
    assert ge["limit_kBq_per_MBq"] is None and ge["within_limit"] is None and ge["usable_until"] is None


def test_draw_volume_example():
    out = run_json(
        "draw-volume",
        "--nuclide",
        "Tc-99m",
        "--stock-activity",
        "10 GBq",
        "--stock-volume",
        "5 mL",
        "--calibrated-at",
        "2026-03-02T08:00:00+01:00",
        "--want",
        "740 MBq",
        "--at",
        "2026-03-02T10:00:00+01:00",
    )
    # 740 / (10000 · 2^(−2/6.0072) / 5) mL
    assert out["volume_mL"] == pytest.approx(740 / (10000 * 2 ** (-2 / 6.0072) / 5), rel=1e-12)


def test_draw_volume_for_a_future_injection_is_allowed():
    out = run_json(
        "draw-volume",
        "--nuclide",
        "Tc99m",
        "--stock-activity",
        "10 GBq",
        "--stock-volume",
        "5000 µL",
        "--calibrated-at",
        "2099-03-02T08:00:00Z",
        "--want",
        "20 mCi",
        "--at",
        "2099-03-02T09:00:00Z",
    )
    assert out["volume_mL"] == pytest.approx(740 / (2000 * 2 ** (-1 / 6.0072)), rel=1e-12)


def test_elution_yield():
    out = run_json(
        "elution-yield",
        "--generator-activity",
        "20 GBq",
        "--calibrated-at",
        "2026-03-02T08:00:00Z",
        "--last-elution",
        "2026-03-03T08:00:00Z",
        "--eluted",
        "9 GBq",
        "--at",
        "2026-03-04T08:00:00Z",
    )
    # parent at last elution 20·2^(−24/65.9496); Bateman over 24 h with f = 0.8778
    lp, ld = math.log(2) / 65.9496, math.log(2) / 6.0072
    a_p = 20e3 * 2 ** (-24 / 65.9496)
    available = 0.8778 * a_p * ld / (ld - lp) * (math.exp(-lp * 24) - math.exp(-ld * 24))
    assert out["available_MBq"] == pytest.approx(available, rel=1e-9)
    assert out["yield_percent"] == pytest.approx(100 * 9000 / available, rel=1e-9)
    assert out["parent_activity_at_elution_Bq"] == pytest.approx(20e9 * 2 ** (-48 / 65.9496), rel=1e-9)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            [
                "draw-volume",
                "--nuclide",
                "Tc-99m",
                "--stock-activity",
                "10 GBq",
                "--stock-volume",
                "-5 mL",
                "--calibrated-at",
                "2026-03-02T08:00:00Z",
                "--want",
                "740 MBq",
                "--at",
                "2026-03-02T10:00:00Z",
            ],
            ["stock_volume", "positive"],
        ),
        (
            [
                "draw-volume",
                "--nuclide",
                "Xx-99",
                "--stock-activity",
                "10 GBq",
                "--stock-volume",
                "5 mL",
                "--calibrated-at",
                "2026-03-02T08:00:00Z",
                "--want",
                "740 MBq",
                "--at",
                "2026-03-02T10:00:00Z",
            ],
            ["Xx-99"],
        ),
        (
            [
                "draw-volume",
                "--nuclide",
                "Tc-99m",
                "--stock-activity",
                "10 GBq",
                "--stock-volume",
                "5 gallons",
                "--calibrated-at",
                "2026-03-02T08:00:00Z",
                "--want",
                "740 MBq",
                "--at",
                "2026-03-02T10:00:00Z",
            ],
            ["unknown volume unit"],
        ),
        (
            [
                "draw-volume",
                "--nuclide",
                "Tc-99m",
                "--stock-activity",
                "1 GBq",
                "--stock-volume",
                "5 mL",
                "--calibrated-at",
                "2026-03-02T08:00:00Z",
                "--want",
                "740 MBq",
                "--at",
                "2026-03-02T18:00:00Z",
            ],
            ["holds only"],
        ),
        (
            [
                "breakthrough",
                "--parent",
                "Mo-99",
                "--parent-activity",
                "37 kBq",
                "--daughter-activity",
                "740 MBq",
                "--measured-at",
                "2999-01-01T08:00:00Z",
            ],
            ["measured_at", "future"],
        ),
        (
            [
                "breakthrough",
                "--parent",
                "Tc-99m",
                "--parent-activity",
                "37 kBq",
                "--daughter-activity",
                "740 MBq",
                "--measured-at",
                "2026-01-01T08:00:00Z",
            ],
            ["not a generator"],
        ),
        (
            [
                "breakthrough",
                "--parent",
                "Mo-99",
                "--parent-activity",
                "37 kBq",
                "--daughter-activity",
                "740 MBq",
                "--measured-at",
                "2026-01-01T08:00:00",
            ],
            ["UTC offset"],
        ),
        (
            [
                "breakthrough",
                "--parent",
                "Mo-99",
                "--parent-activity",
                "-37 kBq",
                "--daughter-activity",
                "740 MBq",
                "--measured-at",
                "2026-01-01T08:00:00Z",
            ],
            ["negative"],
        ),
        (
            [
                "breakthrough",
                "--parent",
                "Mo-99",
                "--parent-activity",
                "37 kBq",
                "--daughter-activity",
                "740 MBq",
                "--measured-at",
                "2026-01-01T08:00:00Z",
                "--profile",
                "mars",
            ],
            ["profile"],
        ),
        (
            [
                "elution-yield",
                "--generator-activity",
                "20 GBq",
                "--calibrated-at",
                "2026-03-02T08:00:00Z",
                "--last-elution",
                "2026-03-04T08:00:00Z",
                "--eluted",
                "9 GBq",
                "--at",
                "2026-03-03T08:00:00Z",
            ],
            ["last_elution"],
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(args, words):
    assert_bad_input(run(*args), *words)


@pytest.mark.real_clock
def test_future_margin_from_environment():
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)).isoformat()
    args = (
        "breakthrough",
        "--parent",
        "Mo-99",
        "--parent-activity",
        "37 kBq",
        "--daughter-activity",
        "740 MBq",
        "--measured-at",
        soon,
        "--json",
    )
    assert_bad_input(run(*args), "measured_at")
    assert run(*args, env_extra={"NMGUARD_FUTURE_MARGIN_MINUTES": "60"}).returncode == 0
