"""Effective-dose coefficients by publication and the department's choice (issue 11 item 4).

Independent numbers:
- ICRP 80, 99mTc-phosphonates (MDP): adult 0.0057 mSv/MBq (J Nucl Med table, jnm highwire markup 66143);
  15 y 0.0070 and 5 y 0.014 (EANM bone-scintigraphy guideline Table 6); 10 y and 1 y recomputed here from
  Fahey et al. J Nucl Med 2011 Table 1 ('based on ICRP 80'): E / (740 MBq x body mass / 70 kg) with
  E = 3.9 mSv at 33.2 kg and 2.8 mSv at 9.7 kg, each E rounded to 0.1 mSv in the table (so +-0.05 mSv).
- ICRP 80 18F-FDG 5 y 0.050 mSv/MBq (jnm markup 59565); ICRP 128 18F-FDG adult 0.019 (Andersson erratum).
"""

import pytest

from nmguard.dosimetry.effective_dose import (
    DEFAULT_PUBLICATION,
    PUBLICATIONS,
    effective_dose,
    select_coefficient,
)
from nmguard.errors import InputError
from nmguard.reference.dose_coefficients import AGE_GROUPS, effective_dose_coefficients
from nmguard.reference.radiopharmaceuticals import all_radiopharmaceuticals

# (age group, E in mSv, body mass in kg) from Fahey 2011 Table 1, 99mTc-MDP, 740 MBq to 70 kg
FAHEY_MDP = {"1": (2.8, 9.7), "5": (2.9, 19.8), "10": (3.9, 33.2), "15": (4.2, 56.8), "adult": (4.2, 70.0)}


def _row(rp, edition, age):
    return next(r for r in effective_dose_coefficients(rp) if r.edition == edition and r.age_group == age)


def test_mdp_icrp80_rows_match_the_published_values():
    assert _row("tc99m-mdp", "ICRP 80", "adult").coefficient.value == 0.0057
    assert _row("tc99m-mdp", "ICRP 80", "15").coefficient.value == 0.0070
    assert _row("tc99m-mdp", "ICRP 80", "5").coefficient.value == 0.014
    for age, (e_mSv, mass) in FAHEY_MDP.items():
        activity = 740.0 * mass / 70.0
        low, high = (e_mSv - 0.05) / activity, (e_mSv + 0.05) / activity
        assert low <= _row("tc99m-mdp", "ICRP 80", age).coefficient.value <= high, age


def test_mdp_both_publications_are_shipped_and_named_at_every_age():
    for age in AGE_GROUPS:
        icrp80, icrp128 = _row("tc99m-mdp", "ICRP 80", age), _row("tc99m-mdp", "ICRP 128", age)
        assert icrp80.default and not icrp128.default
        assert icrp128.coefficient.status.value == "unverified"  # attribution to ICRP 128 not confirmed
        assert icrp128.coefficient.source.id == "icrp128-nmp-transcription"
        assert icrp128.coefficient.value < icrp80.coefficient.value  # the conflict the issue names


def test_department_following_icrp128_gets_icrp80_for_mdp_and_is_told_why():
    r = effective_dose("tc99m-mdp", 740e6, "adult", publication="ICRP 128")
    assert r.edition == "ICRP 80" and r.publication == "ICRP 128"
    assert r.effective_dose_mSv == pytest.approx(740 * 0.0057)  # 4.218 mSv
    assert any("ICRP 128 coefficient 0.0049" in w and "unverified" in w for w in r.warnings)
    fdg = effective_dose("f18-fdg", 370e6, "adult", publication="ICRP 128")
    assert fdg.edition == "ICRP 128" and fdg.effective_dose_mSv == pytest.approx(370 * 0.019)
    assert not any("catalogue" in w for w in fdg.warnings)


def test_department_following_icrp80():
    r = effective_dose("f18-fdg", 100e6, "5", publication="ICRP 80")
    assert r.edition == "ICRP 80" and r.coefficient_mSv_per_MBq == 0.050 and r.status == "verified"
    assert r.effective_dose_mSv == pytest.approx(5.0)
    assert r.warnings == ()  # the department's own publication, verified: nothing to say
    # ICRP 80 has no adult FDG row shipped: the catalogue's ICRP 128 value, said in the result
    adult = effective_dose("f18-fdg", 370e6, "adult", publication="icrp 80")
    assert adult.edition == "ICRP 128" and adult.effective_dose_mSv == pytest.approx(7.03)
    assert any("ICRP 80 gives no coefficient" in w for w in adult.warnings)
    mdp = effective_dose("tc99m-mdp", 102.5e6, "1", publication="ICRP 80")
    assert mdp.edition == "ICRP 80" and mdp.coefficient_mSv_per_MBq == 0.027


def test_the_default_publication_gives_the_catalogue_default_for_every_shipped_coefficient():
    # so the calculators and the medical-event rule (catalogue default) agree with a department that
    # kept the default setting
    assert DEFAULT_PUBLICATION == "ICRP 128" and DEFAULT_PUBLICATION in PUBLICATIONS
    checked = 0
    for product in all_radiopharmaceuticals():
        for row in effective_dose_coefficients(product.id):
            if row.default:
                chosen, _ = select_coefficient(product.id, row.age_group, DEFAULT_PUBLICATION)
                assert chosen == row, (product.id, row.age_group)
                checked += 1
    assert checked > 50


def test_bad_publication_and_conflicting_arguments_are_refused():
    with pytest.raises(InputError) as exc:
        effective_dose("tc99m-mdp", 740e6, publication="ICRP 60")
    assert exc.value.field == "publication" and "ICRP 128" in exc.value.message
    with pytest.raises(InputError) as exc:
        effective_dose("tc99m-mdp", 740e6, edition="ICRP 80", publication="ICRP 80")
    assert exc.value.field == "edition"


def test_exact_edition_still_available_for_comparison():
    r = effective_dose("tc99m-mdp", 740e6, "adult", edition="ICRP 128")
    assert r.edition == "ICRP 128" and r.coefficient_mSv_per_MBq == 0.0049 and r.status == "unverified"
    assert r.publication is None
