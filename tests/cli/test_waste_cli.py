"""``nmguard waste release-date`` as a user runs it; numbers are t = T * log2(A/L) by hand."""

import pytest
from tests.cli.in_process import in_process

AT = "2026-03-02T08:00:00+01:00"


run, run_json = in_process("waste", "release-date")


def test_i131_release_date_json(capsys):
    r = run_json(capsys, "--nuclide", "I-131", "--activity", "1 GBq", "--at", AT, "--limit", "1 MBq")
    # shipped T = 8.0233 d: t = 8.0233 * log2(1000) = 79.9585 d -> 2026-03-02T08:00+01:00 + 79 d 23 h 0.2 min
    assert r["days"] == pytest.approx(79.9585, abs=1e-3)
    assert r["half_lives"] == pytest.approx(9.965784, rel=1e-6)
    assert r["release_at"].startswith("2026-05-21T07:00")
    assert r["eligible_for_decay_in_storage"] is True and "35.92" in r["rule"]
    ids = {s["id"] for s in r["sources"]}
    assert {"cfr-10-35-92", "cfr-10-35-2092", "lnhb-lara-roentgen-cb3c8f5"} <= ids
    assert all(s["text"] and s["status"] for s in r["sources"])


def test_mci_and_hold_half_lives(capsys):
    # 27 mCi = 999 MBq of Tc-99m (T = 6.0072 h) to 1 MBq: 6.0072 h * log2(999) = 59.862 h; hold 10 T = 60.072 h
    r = run_json(
        capsys, "--nuclide", "99mTc", "--activity", "27 mCi", "--at", AT, "--limit", "1 MBq", "--hold-half-lives", "10"
    )
    assert r["days"] * 24 == pytest.approx(60.072, abs=1e-3) and r["hold_half_lives"] == 10


def test_cs137_not_eligible(capsys):
    r = run_json(capsys, "--nuclide", "Cs-137", "--activity", "1 GBq", "--at", AT, "--limit", "1 MBq")
    assert r["eligible_for_decay_in_storage"] is False and r["release_at"] is None
    assert "NOT eligible" in r["rule"]


def test_table_output(capsys):
    code, out, _ = run(capsys, "--nuclide", "Y-90", "--activity", "2 GBq", "--at", AT, "--limit", "1 MBq")
    assert code == 0 and "Waste release date" in out and "Release at" in out and "Y-90" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--nuclide", "Xx-1", "--activity", "1 GBq", "--at", AT, "--limit", "1 MBq"],
        ["--nuclide", "I-131", "--activity", "-1 GBq", "--at", AT, "--limit", "1 MBq"],
        ["--nuclide", "I-131", "--activity", "1 GBq", "--at", "2026-03-02T08:00", "--limit", "1 MBq"],
        ["--nuclide", "I-131", "--activity", "1 GBq", "--at", AT, "--limit", "0 MBq"],
        ["--nuclide", "I-131", "--activity", "1 GBq", "--at", AT, "--limit", "1 MBq", "--profile", "mars"],
        ["--nuclide", "I-131", "--activity", "1 GBq", "--at", AT, "--limit", "1 MBq", "--hold-half-lives", "ten"],
        ["--nuclide", "I-131", "--activity", "1 GBq", "--at", AT],
    ],
)
def test_bad_input_exit_2_one_error_line(capsys, args):
    code, out, err = run(capsys, *args, "--json")
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
