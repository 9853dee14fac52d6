"""``nmguard dosimetry tia | stp`` as a user runs them; expected numbers are closed forms computed here."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

NMGUARD = [sys.executable, "-m", "nmguard"]
LAM_P = math.log(2) / (6.647 * 24)  # Lu-177, 1/h


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NMGUARD_DATABASE_URL"}
    return subprocess.run([*NMGUARD, *args], capture_output=True, text=True, env=env, timeout=120)


def run_json(*args: str) -> dict:
    r = run(*args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_tia_mono_exact_data_json():
    times = [4, 24, 96, 168, 240]
    acts = [100 * math.exp(-0.02 * t) for t in times]
    out = run_json(
        "dosimetry",
        "tia",
        "--nuclide",
        "Lu-177",
        "--times-h",
        ",".join(map(str, times)),
        "--activities-MBq",
        ",".join(f"{a:.15g}" for a in acts),
        "--model",
        "mono",
    )
    assert out["model"] == "mono" and out["tia_MBq_h"] == pytest.approx(100 / 0.02, rel=1e-6)
    assert out["parameters"]["lambda1"] == pytest.approx(0.02, rel=1e-6)
    assert "tia_uncertainty_percent" in out and len(out["candidates"]) == 6


def test_tia_trapezoid_and_table():
    args = ["dosimetry", "tia", "--nuclide", "177Lu", "--times-h", "4,24,96,168", "--activities-MBq", "10,20,8,3"]
    out = run_json(*args, "--model", "trapezoid")
    assert out["tia_MBq_h"] == pytest.approx(20 + 300 + 1008 + 396 + 3 / LAM_P, rel=1e-6)
    table = run(*args)
    assert table.returncode == 0, table.stderr
    assert "Time-integrated activity" in table.stdout and "AICc" in table.stdout and "trapezoid" in table.stdout


def test_stp_haenscheid_and_madsen():
    out = run_json("dosimetry", "stp", "--nuclide", "Lu-177", "--time-h", "96", "--activity", "1.2 GBq")
    assert out["tia_MBq_h"] == pytest.approx(1200 * 2 * 96 / math.log(2), rel=1e-9)
    out = run_json(
        "dosimetry",
        "stp",
        "--nuclide",
        "Lu-177",
        "--time-h",
        "72",
        "--activity",
        "800 MBq",
        "--method",
        "madsen",
        "--effective-half-life-h",
        "60",
    )
    lam = math.log(2) / 60
    assert out["method"] == "madsen" and out["tia_MBq_h"] == pytest.approx(800 * math.exp(lam * 72) / lam, rel=1e-9)
    table = run("dosimetry", "stp", "--nuclide", "Lu-177", "--time-h", "96", "--activity", "20 mCi")
    assert table.returncode == 0 and "MBq·h" in table.stdout and "Warning" in table.stdout


@pytest.mark.parametrize(
    "args,needle",
    [
        (["tia", "--nuclide", "Lu-177", "--times-h", "24,4", "--activities-MBq", "1,2"], "increase"),
        (["tia", "--nuclide", "Lu-177", "--times-h", "4,24,96", "--activities-MBq", "1,2"], "activities"),
        (["tia", "--nuclide", "Lu-177", "--times-h", "4", "--activities-MBq", "1"], "at least 2"),
        (["tia", "--nuclide", "Lu-177", "--times-h", "4,24", "--activities-MBq", "1,-2"], "negative"),
        (["tia", "--nuclide", "Lu-177", "--times-h", "4,a", "--activities-MBq", "1,2"], "number"),
        (["tia", "--nuclide", "Lu-177", "--times-h", "4,24,96", "--activities-MBq", "1,2,3", "--model", "tri"], "tri"),
        (["tia", "--nuclide", "Lu-177", "--times-h", "4,24", "--activities-MBq", "1,2", "--model", "x"], "model"),
        (["tia", "--nuclide", "Foo-1", "--times-h", "4,24", "--activities-MBq", "1,2"], "nuclide"),
        (["stp", "--nuclide", "Lu-177", "--time-h", "96", "--activity", "1200"], "unit"),
        (["stp", "--nuclide", "Lu-177", "--time-h", "96", "--activity", "1 GBq", "--method", "madsen"], "half-life"),
        (["stp", "--nuclide", "Lu-177", "--time-h", "-3", "--activity", "1 GBq"], "time"),
    ],
)
def test_bad_input_exits_2_with_one_error_line(args, needle):
    r = run("dosimetry", *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], lines
    assert r.stdout == ""
