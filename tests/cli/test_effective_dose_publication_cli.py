"""``nmguard effective-dose --publication`` and ``nmguard paediatric-activity`` above the card (issue 11 item 4).

Numbers: 99mTc-MDP ICRP 80 adult 0.0057 mSv/MBq (J Nucl Med table): 740 MBq -> 4.218 mSv; 18F-FDG 5 y ICRP 80
0.050 and ICRP 128 0.056 mSv/MBq (REFERENCE_DATA 2.1); Ga-68 DOTA peptides EANM class B 12.8 MBq x 14.00
(68-kg row) = 179.2 MBq.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

NMGUARD = [sys.executable, "-m", "nmguard"]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NMGUARD_DATABASE_URL"}
    return subprocess.run([*NMGUARD, *args], capture_output=True, text=True, env=env, timeout=120)


def test_publication_option_picks_the_coefficient_and_names_it():
    r = run("effective-dose", "FDG", "100 MBq", "--age", "5", "--publication", "ICRP 80", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["edition"] == "ICRP 80" and out["publication"] == "ICRP 80"
    assert abs(out["effective_dose_mSv"] - 5.0) < 1e-9
    table = run("effective-dose", "FDG", "100 MBq", "--age", "5", "--publication", "ICRP 128")
    assert table.returncode == 0 and "0.056 mSv/MBq (ICRP 128)" in table.stdout
    mdp = run("effective-dose", "MDP", "740 MBq", "--publication", "ICRP 128", "--json")
    out = json.loads(mdp.stdout)
    assert out["edition"] == "ICRP 80" and abs(out["effective_dose_mSv"] - 4.218) < 1e-9
    assert any("unverified" in w for w in out["warnings"])


def test_unknown_publication_exits_2_with_one_line():
    r = run("effective-dose", "MDP", "740 MBq", "--publication", "ICRP 60")
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "ICRP 60" in lines[0] and "ICRP 128" in lines[0]


def test_paediatric_activity_above_the_card():
    r = run("paediatric-activity", "ga68-dotatate", "--weight", "70", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["above_card"] is True and abs(out["activity_MBq"] - 179.2) < 1e-9
