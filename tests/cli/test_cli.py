"""The ``nmguard`` command as a user runs it: a real subprocess, stdout JSON, exit codes."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

NMGUARD = [sys.executable, "-m", "nmguard"]


def run(*args: str, data_dir=None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NMGUARD_DATABASE_URL"}  # embedded default
    if data_dir is not None:
        env["NMGUARD_DATA_DIR"] = str(data_dir)
    return subprocess.run([*NMGUARD, *args], capture_output=True, text=True, env=env, input=stdin, timeout=120)


def test_decay_acceptance_example():
    """740 MBq Tc-99m over 6 h ≈ 370 MBq; checked against 740·2^(−6 h / T½) with the cited T½."""
    from nmguard.reference import get_nuclide

    r = run(
        "decay",
        "Tc-99m",
        "740 MBq",
        "--from",
        "2026-03-02T08:00:00+01:00",
        "--to",
        "2026-03-02T14:00:00+01:00",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    t_half = get_nuclide("Tc-99m").half_life_s
    assert 6.00 * 3600 < t_half < 6.02 * 3600  # DDEP/ENSDF 6.0067 h, ICRP-107 6.015 h
    assert out["activity_MBq"] == pytest.approx(740 * 2 ** (-6 * 3600 / t_half), rel=1e-12)
    assert out["activity_MBq"] == pytest.approx(370, rel=0.002)
    assert out["elapsed_s"] == 21600 and out["activity_Bq"] == pytest.approx(out["activity_MBq"] * 1e6)
    assert 0.49 < out["decay_factor"] < 0.51


def test_decay_backwards_and_mci():
    r = run(
        "decay", "99mTc", "10 mCi", "--from", "2026-03-02T14:00:00+01:00", "--to", "2026-03-02T08:00:00+01:00", "--json"
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["initial_activity_Bq"] == 370e6
    assert out["activity_MBq"] == pytest.approx(740, rel=0.002) and out["elapsed_s"] == -21600


def test_decay_table_output():
    r = run("decay", "F-18", "400 MBq", "--from", "2026-03-02T08:00:00Z", "--to", "2026-03-02T09:49:46Z")
    assert r.returncode == 0 and "Activity at end" in r.stdout and "MBq" in r.stdout


@pytest.mark.parametrize("spelling", ["Tc-99m", "Tc99m", "99mTc", "tc-99m"])
def test_nuclide_spellings(spelling):
    r = run("nuclide", spelling, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["name"] == "Tc-99m"
    for key in (
        "half_life_s",
        "mean_electron_energy_MeV",
        "mean_photon_energy_MeV",
        "air_kerma_rate_constant_uGy_m2_per_MBq_h",
    ):
        assert isinstance(out[key], float) and math.isfinite(out[key])
    assert out["sources"] and all(s["text"] for s in out["sources"])


def test_nuclide_table():
    r = run("nuclide", "I-131")
    assert r.returncode == 0 and "Half-life" in r.stdout and "Source" in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("nuclide", "Xx-999"),
        ("decay", "Xx-999", "1 MBq", "--from", "2026-03-02T08:00:00Z", "--to", "2026-03-02T09:00:00Z"),
        ("decay", "Tc-99m", "-5 MBq", "--from", "2026-03-02T08:00:00Z", "--to", "2026-03-02T09:00:00Z"),
        ("decay", "Tc-99m", "5 parsecs", "--from", "2026-03-02T08:00:00Z", "--to", "2026-03-02T09:00:00Z"),
        ("decay", "Tc-99m", "5 MBq", "--from", "tomorrow", "--to", "2026-03-02T09:00:00Z"),
        ("decay", "Tc-99m", "5 MBq", "--from", "2026-03-02T08:00:00", "--to", "2026-03-02T09:00:00Z"),
        ("decay", "Tc-99m", "5 MBq", "--to", "2026-03-02T09:00:00Z"),
        ("decay", "Tc-99m", "5 MBq", "--from", "2026-03-02T08:00:00Z", "--to", "2026-03-02T09:00:00Z", "--bogus"),
    ],
)
def test_bad_input_exits_2_with_one_error_line(args):
    r = run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in r.stderr


def test_demo_then_audit_verify(tmp_path):
    r = run("demo", "--no-serve", data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "technologist" in r.stdout and "administrator" in r.stdout
    v = run("audit", "verify", "--json", data_dir=tmp_path)
    assert v.returncode == 0, v.stderr
    report = json.loads(v.stdout)
    assert report["ok"] is True and report["events"] > 10 and report["first_bad_event"] is None
    again = run("demo", "--no-serve", data_dir=tmp_path)
    assert "Reusing" in again.stdout


def test_audit_verify_detects_tampering(tmp_path):
    import sqlite3

    assert run("demo", "--no-serve", data_dir=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "nmguard.sqlite3") as db:
        db.execute("DROP TRIGGER core_auditevent_no_update")  # as a database administrator could
        db.execute("UPDATE core_auditevent SET reason = 'edited by hand' WHERE seq = 7")
    v = run("audit", "verify", "--json", data_dir=tmp_path)
    assert v.returncode == 1
    report = json.loads(v.stdout)
    assert report == {**report, "ok": False, "first_bad_event": 7}


def test_createuser(tmp_path):
    assert run("migrate", data_dir=tmp_path).returncode == 0
    r = run(
        "createuser",
        "alice",
        "--role",
        "physicist",
        "--role",
        "rpo",
        "--password-stdin",
        data_dir=tmp_path,
        stdin="a-long-enough-passphrase-42\n",
    )
    assert r.returncode == 0, r.stderr
    assert "physicist" in r.stdout and "rpo" in r.stdout
    assert "must be changed at the first sign-in" in r.stdout  # typed by an operator for Alice
    own = run(
        "createuser",
        "root2",
        "--role",
        "administrator",
        "--password-stdin",
        "--own-password",
        data_dir=tmp_path,
        stdin="another-long-passphrase-43\n",
    )
    assert own.returncode == 0 and "must be changed" not in own.stdout
    weak = run("createuser", "bob", "--role", "physicist", "--password-stdin", data_dir=tmp_path, stdin="123\n")
    assert weak.returncode == 2 and weak.stderr.startswith("error: password")
    bad_role = run("createuser", "carol", "--role", "wizard", "--password-stdin", data_dir=tmp_path, stdin="x\n")
    assert bad_role.returncode == 2 and "unknown role" in bad_role.stderr


def test_createuser_without_a_terminal_says_how_and_checks_the_role_first(tmp_path):
    """As the README shows it, run from a script: it used to fail with "error: interrupted" (130),
    and a wrong role was reported only after the password had been asked for."""
    assert run("migrate", data_dir=tmp_path).returncode == 0
    no_tty = run("createuser", "alice", "--role", "physicist", "--name", "Alice Example", data_dir=tmp_path, stdin="")
    assert no_tty.returncode == 2
    assert no_tty.stderr.count("\n") == 1 and "--password-stdin" in no_tty.stderr
    wrong_role = run("createuser", "alice", "--role", "physicst", data_dir=tmp_path, stdin="")
    assert wrong_role.returncode == 2 and "unknown role 'physicst'" in wrong_role.stderr
    empty = run("createuser", "alice", "--role", "physicist", "--password-stdin", data_dir=tmp_path, stdin="\n")
    assert empty.returncode == 2 and "empty" in empty.stderr
    made = run(
        "createuser",
        "alice",
        "--role",
        "physicist",
        "--password-stdin",
        data_dir=tmp_path,
        stdin="tricky-horse-battery-9\n",
    )
    assert made.returncode == 0, made.stderr
    again = run("createuser", "alice", "--role", "rpo", data_dir=tmp_path, stdin="")
    assert again.returncode == 2 and "exists already" in again.stderr
