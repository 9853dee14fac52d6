"""Effective dose = coefficient x activity; coefficients from REFERENCE_DATA section 2 (ICRP 128 et al.)."""

import pytest

from nmguard.dosimetry import age_group_for, effective_dose
from nmguard.errors import InputError


@pytest.mark.parametrize(
    "rp,MBq,age,expected_mSv",
    [
        ("18F-FDG", 370, "adult", 370 * 0.019),  # 7.03 mSv (ICRP 128 adult 0.019, verified)
        ("FDG", 100, "5", 100 * 0.056),  # ICRP 128 5 y 0.056 (secondary)
        ("f18-fdg", 100, "1", 100 * 0.095),
        ("tc99m-mdp", 740, "adult", 740 * 0.0057),  # ICRP 80 (verified); the ICRP 128-labelled 0.0049 is unverified
        ("tc99m-dmsa", 50, "10", 50 * 0.015),
        ("tc99m-pertechnetate", 185, "15", 185 * 0.017),
        ("ga67-citrate", 150, "adult", 150 * 0.10),
        ("i123-ioflupane", 185, "adult", 185 * 0.025),
        ("o15-water", 700, "adult", 700 * 0.0011),
    ],
)
def test_effective_dose_matches_coefficient_times_activity(rp, MBq, age, expected_mSv):
    r = effective_dose(rp, MBq * 1e6, age)
    assert r.effective_dose_mSv == pytest.approx(expected_mSv, rel=1e-9)


def test_fdg_adult_result_carries_source_status_and_edition():
    r = effective_dose("FDG", 370e6)
    assert r.effective_dose_mSv == pytest.approx(7.03)
    assert r.coefficient_mSv_per_MBq == 0.019 and r.edition == "ICRP 128" and r.status == "verified"
    assert r.source == "andersson2014-erratum-table1"
    assert not any("status" in w for w in r.warnings)


def test_non_verified_coefficient_warns():
    r = effective_dose("tc99m-maa", 150e6)
    assert r.status == "unverified" and any("unverified" in w for w in r.warnings)


def test_edition_choice():
    r = effective_dose("MDP", 740e6, "adult", edition="ICRP 80")
    assert r.effective_dose_mSv == pytest.approx(740 * 0.0057)
    r = effective_dose("f18-fdg", 100e6, "5", edition="ICRP 80")
    assert r.effective_dose_mSv == pytest.approx(5.0)


@pytest.mark.parametrize(
    "age,group",
    [
        (0.2, "1"),
        (2.9, "1"),
        (3, "5"),
        (7.4, "5"),
        (7.5, "10"),
        (12.4, "10"),
        (12.5, "15"),
        (17.4, "15"),
        (17.5, "adult"),
        (80, "adult"),
    ],
)
def test_age_mapping_nearest_reference_age(age, group):
    assert age_group_for(age) == group


def test_age_years_maps_and_warns():
    r = effective_dose("FDG", 100e6, age_years=6)
    assert r.age_group == "5" and r.effective_dose_mSv == pytest.approx(5.6)
    assert any("age group 5" in w for w in r.warnings)


@pytest.mark.parametrize("activity", [0, -1, float("nan"), float("inf"), 2e12])
def test_bad_activity_refused(activity):
    with pytest.raises(InputError) as exc:
        effective_dose("FDG", activity)
    assert exc.value.field == "activity"


def test_missing_age_or_product_refused():
    with pytest.raises(InputError) as exc:
        effective_dose("o15-water", 100e6, "5")
    assert exc.value.field == "age"
    with pytest.raises(InputError) as exc:
        effective_dose("ra223-dichloride", 4e6)
    assert exc.value.field == "radiopharmaceutical"
    with pytest.raises(InputError):
        effective_dose("FDG", 1e8, "7")
    with pytest.raises(InputError):
        age_group_for(-1)
