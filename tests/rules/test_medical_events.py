"""10 CFR 35.3045 / 35.3047 decisions and tolerance per profile. Dose numbers are hand calculations
from the shipped coefficients (FDG 0.019 mSv/MBq, bladder 0.13 mGy/MBq; 131I 22 mSv/MBq, thyroid
430 mGy/MBq; REFERENCE_DATA 2.1)."""

import datetime as dt

import pytest

from nmguard.errors import InputError
from nmguard.rules import check_tolerance, deviation_percent, evaluate_administration


def ev(profile="nrc", rp="f18-fdg", given=None, p=370e6, a=370e6, **kw):
    return evaluate_administration(
        profile,
        prescribed_rp=rp,
        administered_rp=given or rp,
        prescribed_activity_Bq=p,
        administered_activity_Bq=a,
        **kw,
    )


def test_fdg_30_percent_over_is_outside_tolerance_but_not_a_medical_event():
    r = ev(a=481e6)  # +30 %
    assert r.deviation_percent == pytest.approx(30.0)
    assert r.outside_tolerance  # 35.63: more than 20 %
    # dose part of 35.3045(a)(1)(i): 111 MBq x 0.019 = 2.1 mSv << 50 mSv; bladder 111 x 0.13 = 14 mGy << 500
    assert r.effective_dose_difference_mSv == pytest.approx(111 * 0.019)
    assert r.organ_dose_difference_mGy == pytest.approx(111 * 0.13)
    assert not r.medical_event and r.criteria == () and r.reporting_steps == ()


def test_i131_therapy_7_4_instead_of_5_55_GBq_is_a_medical_event_by_thyroid_dose():
    r = ev(rp="i131-iodide", p=5.55e9, a=7.4e9)
    assert r.therapy and r.deviation_percent == pytest.approx(33.33, abs=0.01)
    assert r.medical_event
    ids = {c.id for c in r.criteria}
    assert "organ-dose:thyroid" in ids and "dosage-difference" in ids
    thyroid = next(c for c in r.criteria if c.id == "organ-dose:thyroid")
    assert thyroid.value == pytest.approx(1850 * 430)  # 795 500 mGy > 500 mSv
    assert thyroid.citation == "10 CFR 35.3045(a)(1)(i)" and thyroid.status == "verified"
    assert [s.id for s in r.reporting_steps] == [
        "telephone-regulator",
        "written-report",
        "notify-referring-physician-and-individual",
    ]


def test_large_dose_difference_without_20_percent_is_not_a_medical_event():
    # 131I +15 %: dose difference is huge but the dosage part (>= 20 %) is not met -> (a)(1)(i) not met
    r = ev(rp="i131-iodide", p=5.55e9, a=5.55e9 * 1.15)
    assert not r.medical_event and not r.outside_tolerance


def test_dosage_outside_prescribed_range_counts_as_the_dosage_part():
    r = ev(rp="i131-iodide", p=5.55e9, a=5.55e9 * 1.15, prescribed_range=(5.0e9, 6.0e9))
    assert r.outside_prescribed_range and r.medical_event


def test_exactly_20_percent_meets_dosage_part_but_not_tolerance_breach():
    r = ev(rp="i131-iodide", p=5.0e9, a=6.0e9)
    assert r.deviation_percent == pytest.approx(20.0)
    assert not r.outside_tolerance  # 35.63: "more than 20 %"
    assert r.medical_event  # 35.3045: "20 percent or more" + thyroid 1000 MBq x 430 mGy/MBq


def test_wrong_patient_fdg_is_not_a_medical_event():
    r = ev(right_patient=False)
    # (ii): dose from the wrong administration: 370 x 0.019 = 7.03 mSv, bladder 48 mGy: below thresholds
    assert r.wrong_individual and r.effective_dose_difference_mSv == pytest.approx(7.03)
    assert not r.medical_event


def test_wrong_patient_i131_therapy_is_a_medical_event():
    r = ev(rp="i131-iodide", p=3.7e9, a=3.7e9, right_patient=False)
    assert r.medical_event
    ids = {c.id for c in r.criteria}
    assert "wrong-individual" in ids
    assert next(c for c in r.criteria if c.id == "wrong-individual").citation == "10 CFR 35.3045(a)(1)(ii)(C)"


def test_wrong_drug_diagnostic_not_event_but_wrong_drug_i131_is():
    r = ev(rp="tc99m-mdp", given="tc99m-dmsa", p=740e6, a=740e6)
    assert r.wrong_radiopharmaceutical and not r.medical_event  # 740 x 0.0088 = 6.5 mSv
    r = ev(rp="i123-iodide", given="i131-iodide", p=14.8e6, a=14.8e6)
    # 14.8 MBq x 22 mSv/MBq = 326 mSv > 50 mSv; thyroid 14.8 x 430 = 6364 mGy > 500
    assert r.medical_event and "wrong-radiopharmaceutical" in {c.id for c in r.criteria}


def test_wrong_route():
    r = ev(rp="i131-iodide", p=3.7e9, a=3.7e9, prescribed_route="oral", administered_route="iv")
    assert r.wrong_route and r.medical_event and "wrong-route" in {c.id for c in r.criteria}
    r = ev(prescribed_route="iv", administered_route="oral")
    assert r.wrong_route and not r.medical_event


def test_missing_coefficients_flag_dose_assessment():
    # Ra-223: no dose coefficients shipped; +40 % meets the dosage part, the dose part cannot be decided
    r = ev(rp="ra223-dichloride", p=4e6, a=5.6e6)
    assert not r.medical_event and r.needs_dose_assessment
    assert any("alpha" in w for w in r.warnings)


def test_35_3047_embryo_fetus_and_nursing_child():
    r = ev(embryo_fetus_dose_mSv=60)
    assert r.medical_event and [c.id for c in r.criteria] == ["nrc-35.3047"]
    assert {s.id for s in r.reporting_steps} == {
        "telephone-regulator-embryo-fetus-nursing-child",
        "written-report-embryo-fetus-nursing-child",
    }
    assert not ev(embryo_fetus_dose_mSv=60, embryo_fetus_dose_approved=True).medical_event
    assert not ev(nursing_child_dose_mSv=50).medical_event  # "greater than 50 mSv"


def test_reporting_deadlines():
    tz = dt.timezone(dt.timedelta(hours=-5))
    found = dt.datetime(2026, 3, 10, 22, 30, tzinfo=tz)
    r = ev(rp="i131-iodide", p=5.55e9, a=7.4e9, discovered_at=found)
    due = {s.id: s.due for s in r.reporting_steps}
    assert due["telephone-regulator"] == dt.datetime(2026, 3, 11, 23, 59, 59, tzinfo=tz)
    assert due["written-report"] == found + dt.timedelta(days=15)
    assert due["notify-referring-physician-and-individual"] == found + dt.timedelta(hours=24)
    with pytest.raises(InputError):
        ev(rp="i131-iodide", p=5.55e9, a=7.4e9, discovered_at=dt.datetime(2026, 3, 10))


def test_iaea_and_euratom_wrong_patient_is_an_unintended_exposure():
    for profile in ("iaea", "euratom"):
        r = ev(profile, right_patient=False)
        assert r.medical_event and "wrong-individual" in {c.id for c in r.criteria}
        assert r.reporting_steps and any("placeholder" in w for w in r.warnings)
    r = ev("iaea", a=481e6)  # +30 % diagnostic: below the 50 % placeholder
    assert not r.medical_event and r.outside_tolerance  # tolerance 10 % (project default)
    assert ev("iaea", a=600e6).medical_event  # +62 %


def test_tolerance_per_profile():
    assert deviation_percent(100e6, 115e6) == pytest.approx(15.0)
    assert check_tolerance("nrc", 100e6, 115e6).within_tolerance  # +-20 %
    assert not check_tolerance("euratom", 100e6, 115e6).within_tolerance  # +-10 % default
    assert check_tolerance("iaea", 100e6, 90e6, therapy=True).within_tolerance  # exactly -10 %
    assert not check_tolerance("nrc", 100e6, 79e6).within_tolerance
    t = check_tolerance("nrc", 100e6, 100e6, prescribed_range=(110e6, 150e6))
    assert t.outside_prescribed_range and not t.within_tolerance
    with pytest.raises(InputError) as exc:
        check_tolerance("nrc", 0, 100e6)
    assert exc.value.field == "prescribed_activity"
