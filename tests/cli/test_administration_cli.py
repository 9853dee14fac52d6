"""``nmguard radiopharmaceuticals | effective-dose | paediatric-activity | medical-event`` as a user runs them.

Expected numbers are hand calculations from the published values: ICRP 128 effective dose per activity,
the EANM dosage card 2016 (baseline x class multiple, minimum) and 10 CFR 35.3045 / 35.63.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

NMGUARD = [sys.executable, "-m", "nmguard"]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NMGUARD_DATABASE_URL"}
    return subprocess.run([*NMGUARD, *args], capture_output=True, text=True, env=env, timeout=120)


def run_json(*args: str) -> dict:
    r = run(*args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_catalogue_lists_ids_and_names():
    out = run_json("radiopharmaceuticals")
    items = {rp["id"]: rp for rp in out["radiopharmaceuticals"]}
    assert out["count"] == len(items) >= 20
    assert {"f18-fdg", "tc99m-mdp", "tc99m-dmsa", "i131-iodide", "lu177-psma-617"} <= set(items)
    fdg = items["f18-fdg"]
    assert "FDG" in fdg["name"] and fdg["nuclide"] == "F-18" and fdg["route"] == "iv" and not fdg["therapy"]
    assert "18F-FDG" in fdg["aliases"] and items["i131-iodide"]["therapy"]
    table = run("radiopharmaceuticals")
    assert table.returncode == 0 and "f18-fdg" in table.stdout and "Tc-99m" in table.stdout


@pytest.mark.parametrize("name", ["18F-FDG", "FDG", "fdg", "f18-fdg"])
def test_effective_dose_fdg_adult(name):
    out = run_json("effective-dose", name, "370 MBq")
    # ICRP 128 adult FDG 0.019 mSv/MBq: 370 MBq x 0.019 mSv/MBq = 7.03 mSv
    assert out["radiopharmaceutical_id"] == "f18-fdg" and out["age_group"] == "adult"
    assert out["coefficient_mSv_per_MBq"] == 0.019
    assert out["effective_dose_mSv"] == pytest.approx(7.03)
    assert out["source"] and out["status"] == "verified" and out["edition"] == "ICRP 128"
    assert isinstance(out["warnings"], list)


def test_effective_dose_fdg_5_year_old_in_mci():
    out = run_json("effective-dose", "FDG", "2 mCi", "--age", "5")
    # 2 mCi = 74 MBq; ICRP 128 5-year FDG 0.056 mSv/MBq: 74 x 0.056 = 4.144 mSv
    assert out["activity_MBq"] == pytest.approx(74.0)
    assert out["age_group"] == "5" and out["coefficient_mSv_per_MBq"] == 0.056
    assert out["effective_dose_mSv"] == pytest.approx(4.144)
    assert out["status"] == "secondary" and any("secondary" in w for w in out["warnings"])


def test_effective_dose_table_shows_source_and_status():
    r = run("effective-dose", "99mTc-MDP", "740 MBq")
    # ICRP 80 adult MDP 0.0057 mSv/MBq (the catalogue default, issue 11): 740 x 0.0057 = 4.218 mSv
    assert r.returncode == 0, r.stderr
    assert "4.22 mSv" in r.stdout and "0.0057 mSv/MBq" in r.stdout and "ICRP 80" in r.stdout and "Source" in r.stdout
    assert "[" in r.stdout and "]" in r.stdout  # [source, status]


def test_paediatric_dmsa_class_b_10kg_minimum_applies():
    out = run_json("paediatric-activity", "99mTc-DMSA", "--weight", "10")
    # EANM 2016 class B, 10 kg row: 6.8 MBq x 2.71 = 18.4 MBq < minimum 18.5 MBq -> 18.5 MBq
    assert out["radiopharmaceutical_id"] == "tc99m-dmsa" and out["card"] == "eanm-2016"
    assert out["eanm_class"] == "B" and out["multiple"] == 2.71 and out["baseline_MBq"] == 6.8
    assert out["activity_MBq"] == pytest.approx(18.5) and out["minimum_applied"] is True
    assert out["source"] == "eanm-card-2016-transcription" and out["status"]


@pytest.mark.parametrize("name", ["99mTc-MDP", "MDP", "tc99m-mdp"])
def test_paediatric_mdp_20kg(name):
    out = run_json("paediatric-activity", name, "--weight", "20", "--card", "eanm-2016")
    # EANM 2016 class B, 20 kg row: 35.0 MBq x 4.86 = 170.1 MBq (above the minimum)
    assert out["activity_MBq"] == pytest.approx(35.0 * 4.86) and out["activity_MBq"] == pytest.approx(170.1)
    assert out["minimum_applied"] is False and out["source"]


def test_paediatric_na_card_and_table():
    out = run_json("paediatric-activity", "MDP", "--weight", "20", "--card", "na-2016")
    assert out["card"] == "na-2016" and out["activity_MBq"] == pytest.approx(out["MBq_per_kg"] * 20)
    r = run("paediatric-activity", "DMSA", "--weight", "10")
    assert r.returncode == 0 and "18.5 MBq" in r.stdout and "(applied)" in r.stdout and "secondary" in r.stdout


def test_medical_event_fdg_30_percent_over_is_outside_tolerance_not_an_event():
    out = run_json(
        "medical-event", "--radiopharmaceutical", "18F-FDG", "--prescribed", "370 MBq", "--administered", "481 MBq"
    )
    # 481/370 = +30 % > 20 % (10 CFR 35.63) but the dose part of 35.3045(a)(1)(i) is not met:
    # 111 MBq x 0.019 mSv/MBq = 2.1 mSv < 50 mSv; bladder 111 x 0.13 mGy/MBq = 14 mGy < 500 mSv
    assert out["deviation_percent"] == pytest.approx(30.0)
    assert out["outside_tolerance"] is True and out["tolerance_percent"] == 20
    assert out["medical_event"] is False and out["criteria"] == []
    assert out["effective_dose_difference_mSv"] == pytest.approx(111 * 0.019)


def test_medical_event_i131_therapy_overdosage_is_an_event():
    out = run_json(
        "medical-event",
        "--radiopharmaceutical",
        "i131-iodide",
        "--prescribed",
        "5.55 GBq",
        "--administered",
        "7.4 GBq",
        "--profile",
        "nrc",
    )
    # +33 % (>= 20 %) and thyroid 1850 MBq x 430 mGy/MBq = 795 500 mGy > 500 mSv -> 35.3045(a)(1)(i)
    assert out["deviation_percent"] == pytest.approx(33.33, abs=0.01)
    assert out["medical_event"] is True and out["outside_tolerance"] is True
    ids = {c["id"] for c in out["criteria"]}
    assert {"organ-dose:thyroid", "dosage-difference"} <= ids
    assert all(c["citation"].startswith("10 CFR 35.3045") for c in out["criteria"])
    assert out["reporting_steps"]
    table = run(
        "medical-event", "--radiopharmaceutical", "i131-iodide", "--prescribed", "5.55 GBq", "--administered", "7.4 GBq"
    )
    assert table.returncode == 0 and "Medical event" in table.stdout and "10 CFR 35.3045" in table.stdout


def test_medical_event_wrong_patient_and_other_profiles():
    out = run_json(
        "medical-event",
        "--radiopharmaceutical",
        "FDG",
        "--prescribed",
        "370 MBq",
        "--administered",
        "370 MBq",
        "--wrong-patient",
    )
    # (ii): 370 x 0.019 = 7.03 mSv from the wrong administration < 50 mSv: not a medical event
    assert out["wrong_individual"] is True and out["medical_event"] is False
    out = run_json(
        "medical-event",
        "--radiopharmaceutical",
        "FDG",
        "--prescribed",
        "370 MBq",
        "--administered",
        "370 MBq",
        "--wrong-patient",
        "--profile",
        "euratom",
    )
    assert out["medical_event"] is True and "wrong-individual" in {c["id"] for c in out["criteria"]}
    out = run_json(
        "medical-event",
        "--radiopharmaceutical",
        "i123-iodide",
        "--prescribed",
        "14.8 MBq",
        "--administered",
        "14.8 MBq",
        "--administered-radiopharmaceutical",
        "i131-iodide",
    )
    # 14.8 MBq x 22 mSv/MBq (131I) = 326 mSv > 50 mSv
    assert out["wrong_radiopharmaceutical"] is True and out["medical_event"] is True


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["effective-dose", "Unobtainium-X", "370 MBq"], "unknown radiopharmaceutical"),
        (["effective-dose", "FDG", "370"], "no unit"),
        (["effective-dose", "FDG", "370 MBq", "--age", "7"], "age group"),
        (["effective-dose", "FDG", "0 MBq"], "positive"),
        (["paediatric-activity", "Unobtainium-X", "--weight", "10"], "unknown radiopharmaceutical"),
        (["paediatric-activity", "MDP", "--weight", "0"], "weight"),
        (["paediatric-activity", "MDP", "--weight", "-5"], "weight"),
        (["paediatric-activity", "MDP", "--weight", "400"], "not plausible"),
        (["paediatric-activity", "MDP", "--weight", "ten"], "weight"),
        (["paediatric-activity", "MDP", "--weight", "20", "--card", "who-1999"], "unknown paediatric card"),
        (
            ["medical-event", "--radiopharmaceutical", "FDG", "--prescribed", "370", "--administered", "400 MBq"],
            "no unit",
        ),
        (
            [
                "medical-event",
                "--radiopharmaceutical",
                "FDG",
                "--prescribed",
                "370 MBq",
                "--administered",
                "400 MBq",
                "--profile",
                "mars",
            ],
            "unknown jurisdiction profile",
        ),
        (
            [
                "medical-event",
                "--radiopharmaceutical",
                "Unobtainium-X",
                "--prescribed",
                "370 MBq",
                "--administered",
                "400 MBq",
            ],
            "unknown radiopharmaceutical",
        ),
        (
            [
                "medical-event",
                "--radiopharmaceutical",
                "FDG",
                "--prescribed",
                "370 MBq",
                "--administered",
                "400 MBq",
                "--age",
                "old",
            ],
            "age group",
        ),
    ],
)
def test_bad_input_exits_2_with_one_error_line(args, needle):
    r = run(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0]
    assert "Traceback" not in r.stderr and r.stdout == ""
