"""``nmguard release`` as a user runs it: the JSON contract, the guide's printed I-131 values, one error line."""

import pytest
from tests.cli.in_process import in_process

run, run_json = in_process("release")


def test_contract_keys_and_table_edge(capsys):
    r = run_json(capsys, "--nuclide", "I-131", "--activity", "1.2 GBq", "--method", "table")
    assert {"releasable", "dose_to_others_mSv", "instructions_required", "basis"} <= set(r)
    assert r["releasable"] is True and r["instructions_required"] is True
    assert "Table U.1" in r["basis"]["rule"] and "jnmt-rg839-synopsis" in r["basis"]["citations"]
    # Eq. U-1 at 1.2 GBq (32.43 mCi): 34.6 * 2.2 * 32.43 * 8.04 * 0.25 / 1e4 rem = 0.4962 rem
    assert r["dose_to_others_mSv"] == pytest.approx(34.6 * 2.2 * (1.2e9 / 3.7e7) * 8.04 * 0.25 / 1e4 * 10, rel=1e-9)
    assert r["restrictions"] and r["breastfeeding"]["cessation"] is True
    assert r["record_required"] is False
    over = run_json(capsys, "--nuclide", "I-131", "--activity", "1.21 GBq", "--method", "table")
    assert over["releasable"] is False
    retained = run_json(capsys, "--nuclide", "I-131", "--activity", "1.0 GBq", "--retained")
    assert retained["record_required"] is True and retained["inputs"]["retained_activity"] is True


def test_measured_dose_rate_in_usv_per_hour(capsys):
    r = run_json(capsys, "--nuclide", "131I", "--activity", "3 GBq", "--dose-rate-1m", "70 uSv/h")
    assert r["releasable"] is True and "dose rate at 1 m" in r["basis"]["rule"]
    r = run_json(capsys, "--nuclide", "131I", "--activity", "3 GBq", "--dose-rate-1m", "0.071 mSv/h")
    assert r["releasable"] is False


def test_thyroid_cancer_model(capsys):
    r = run_json(
        capsys, "--nuclide", "I-131", "--activity", "150 mCi", "--method", "patient-specific",
        "--condition", "thyroid-cancer",
    )  # fmt: skip
    # RG 8.39 Eq. B-5 by hand at 150 mCi: 3.401 mSv (see tests/protection/test_release.py)
    assert r["dose_to_others_mSv"] == pytest.approx(3.40, abs=0.005)
    assert r["releasable"] is True and r["record_required"] is True
    assert "Eq. B-5" in r["basis"]["rule"] and "secondary" in r["basis"]["statuses"]


def test_iaea_profile_and_table_output(capsys):
    r = run_json(
        capsys, "--nuclide", "I-131", "--activity", "400 MBq", "--method", "patient-specific", "--profile", "iaea"
    )
    assert r["instructions_required"] is True and r["inputs"]["profile"] == "iaea"
    code, out, err = run(capsys, "--nuclide", "I-131", "--activity", "5.55 GBq", "--method", "patient-specific",
                         "--condition", "hyperthyroid")  # fmt: skip
    assert code == 0 and "Releasable" in out and "Restriction" in out and err == ""


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--nuclide", "I-131", "--activity", "-1 GBq"), "activity"),
        (("--nuclide", "I-131", "--activity", "1 GBq", "--method", "guess"), "method"),
        (("--nuclide", "Xx-999", "--activity", "1 GBq"), "nuclide"),
        (
            ("--nuclide", "I-131", "--activity", "1 GBq", "--method", "patient-specific", "--condition", "graves"),
            "condition",
        ),
        (("--nuclide", "I-131", "--activity", "1 GBq", "--dose-rate-1m", "20 uSv/week"), "dose_rate_1m"),
        (("--nuclide", "I-131", "--activity", "1 GBq", "--dose-rate-1m", "20 furlongs"), "dose_rate_1m"),
        (("--nuclide", "I-131", "--activity", "lots"), "activity"),
        (("--nuclide", "I-131", "--activity", "1 GBq", "--occupancy", "2"), "occupancy"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, args, needle):
    code, out, err = run(capsys, *args, "--json")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0]
