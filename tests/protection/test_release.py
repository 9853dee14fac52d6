"""Patient release after therapy: NRC tables and equations, the I-131 models, the IAEA profile, bad input.

Expected values are the guide's printed numbers (I-131: RG 8.39 synopsis, J Nucl Med Technol Table 1, read) or
independent hand calculations written out below from the published equations (not the module's constants).
"""

import math

import pytest

from nmguard.errors import InputError
from nmguard.protection.release import assess_release, eq_u1_dose_mSv, iodine131_dose_mSv

MCI = 3.7e7  # Bq


# ---------------------------------------------------------------- Table U.1 / U.2 at their edges (I-131, verified)


def test_i131_activity_exactly_at_table_u1_is_releasable_and_just_above_is_not():
    at = assess_release("I-131", 1.2e9, "table")
    above = assess_release("I-131", 1.2e9 + 1.0, "table")
    assert at.releasable is True and above.releasable is False
    assert "Table U.1" in at.basis.rule and "jnmt-rg839-synopsis" in at.basis.citations


def test_i131_the_si_column_decides_so_33_mCi_is_above_the_printed_1_2_GBq():
    # 33 mCi = 1.221 GBq > 1.2 GBq: the SI column (the CFR's primary unit) is the criterion, the conservative reading
    assert assess_release("I-131", 33 * MCI, "table").releasable is False
    assert assess_release("I-131", 32 * MCI, "table").releasable is True


def test_i131_instructions_table_u2_edges():
    assert assess_release("I-131", 0.24e9, "table").instructions_required is False
    assert assess_release("I-131", 0.24e9 + 1.0, "table").instructions_required is True


def test_i131_dose_rate_edges_of_both_tables():
    # Table U.1: 0.07 mSv/h (7 mrem/h) = 70 uSv/h; Table U.2: 0.02 mSv/h (2 mrem/h) = 20 uSv/h
    activity = 3.0e9  # above the activity column: the measured rate decides
    assert assess_release("I-131", activity, "table", dose_rate_1m_uSv_h=70.0).releasable is True
    assert assess_release("I-131", activity, "table", dose_rate_1m_uSv_h=70.001).releasable is False
    assert assess_release("I-131", activity, "table", dose_rate_1m_uSv_h=20.0).instructions_required is False
    assert assess_release("I-131", activity, "table", dose_rate_1m_uSv_h=20.001).instructions_required is True


def test_no_instructions_means_no_restrictions():
    low = assess_release("Tc-99m", 740e6, "table")
    assert low.releasable and not low.instructions_required and low.restrictions == ()


# ---------------------------------------------------------------- Eq. U-1 (independent hand calculation)


def test_eq_u1_reproduces_the_i131_table_value_of_33_mCi_and_7_mrem_h():
    # 0.5 rem = 34.6 * 2.2 * Q * 8.04 * 0.25 / 100**2  ->  Q = 32.7 mCi, printed 33 (two figures)
    q = 0.5 / (34.6 * 2.2 * 8.04 * 0.25 / 100**2)
    assert round(q) == 33
    assert eq_u1_dose_mSv(2.2, q, 8.04, 0.25) == pytest.approx(5.0, rel=1e-12)
    assert round(q * 2.2 / 100**2 * 1000) == 7  # mR/h at 1 m


def test_patient_specific_single_exponential_matches_hand_calculation():
    # Sm-153, 2 GBq: 34.6 * 0.425 R cm2/(mCi h) * (2e9 / 3.7e7 mCi) * 1.946 d * 0.25 / 1e4 cm2, x10 mSv/rem
    expected = 34.6 * 0.425 * (2e9 / 3.7e7) * 1.946 * 0.25 / 1e4 * 10
    d = assess_release("Sm-153", 2e9, "patient-specific")
    assert d.dose_to_others_mSv == pytest.approx(expected, rel=1e-12)
    assert d.releasable is (expected <= 5.0) and d.instructions_required is (expected > 1.0)


def test_measured_dose_rate_replaces_gamma_q0_over_r2():
    # 50 uSv/h at 1 m, I-131: 34.6 * 0.050 mSv/h * 8.04 d * 0.25 = 3.477 mSv
    d = assess_release("I-131", 3e9, "patient-specific", dose_rate_1m_uSv_h=50.0)
    assert d.dose_to_others_mSv == pytest.approx(34.6 * 0.050 * 8.04 * 0.25, rel=1e-12)
    assert d.releasable and d.instructions_required


def test_occupancy_default_short_half_life_and_override():
    tc = assess_release("Tc-99m", 10e9, "patient-specific")
    assert tc.inputs["occupancy_used"] == 1.0  # Tp 0.251 d <= 1 d
    lu_like = assess_release("I-131", 2e9, "patient-specific", effective_half_life_d=0.8)
    assert lu_like.inputs["occupancy_used"] == 1.0 and lu_like.record_required
    base = assess_release("I-131", 2e9, "patient-specific")
    reduced = assess_release("I-131", 2e9, "patient-specific", occupancy=0.125)
    assert reduced.dose_to_others_mSv == pytest.approx(base.dose_to_others_mSv / 2, rel=1e-12)
    assert reduced.record_required and base.record_required  # every patient-specific release is recorded


def test_record_of_the_basis_unless_administered_activity_by_table():
    # RG 8.39 synopsis: records for retained activity, measured dose rate and patient-specific calculations
    assert assess_release("I-131", 1e9, "table").record_required is False
    assert assess_release("I-131", 1e9, "table", retained_activity=True).record_required is True
    assert assess_release("I-131", 3e9, "table", dose_rate_1m_uSv_h=60.0).record_required is True
    assert assess_release("I-131", 1e9, "patient-specific", profile="iaea").record_required is False


# ---------------------------------------------------------------- I-131 models (RG 8.39 App. B Eq. B-5)


def _eq_b5_by_hand(q_mci, f1, t1, f2, t2):
    tp, gamma = 8.04, 2.2
    left = math.exp(-0.693 * 0.33 / tp)  # the guide writes 0.693 for ln 2
    bracket = 0.75 * tp * 0.8 * (1 - left) + left * 0.25 * f1 * t1 + left * 0.25 * f2 * t2
    return 34.6 * gamma * q_mci / 100**2 * bracket * 10  # mSv


@pytest.mark.parametrize(
    ("condition", "q_mci", "params"),
    [("thyroid-cancer", 150.0, (0.95, 0.32, 0.05, 7.3)), ("hyperthyroid", 20.0, (0.20, 0.32, 0.80, 5.2))],
)
def test_i131_two_component_models_match_hand_calculation(condition, q_mci, params):
    # tolerance 0.1 %: the guide's 0.693 for ln 2 against the code's exact ln 2
    assert iodine131_dose_mSv(q_mci, condition) == pytest.approx(_eq_b5_by_hand(q_mci, *params), rel=1e-3)


def test_thyroid_cancer_5_55_GBq_is_releasable_with_instructions_and_restrictions():
    d = assess_release("I-131", 5.55e9, "patient-specific", condition="thyroid-cancer")
    assert d.dose_to_others_mSv == pytest.approx(3.40, abs=0.005)  # 150 mCi: hand value 3.401 mSv
    assert d.releasable and d.instructions_required and d.record_required
    assert {r.contact for r in d.restrictions} == {
        "sleeping-apart",
        "young-children",
        "pregnant-contacts",
        "work",
        "travel",
    }
    assert d.breastfeeding["cessation"] is True


def test_hyperthyroid_model_gives_a_higher_dose_than_cancer_for_the_same_activity():
    # 80 % thyroidal uptake with 5.2 d stays in the patient far longer than 5 % with 7.3 d
    assert iodine131_dose_mSv(30.0, "hyperthyroid") > 3 * iodine131_dose_mSv(30.0, "thyroid-cancer")


# ---------------------------------------------------------------- IAEA profile, pure beta


def test_iaea_profile_uses_the_carer_constraint_and_always_gives_instructions():
    d = assess_release("I-131", 0.4e9, "patient-specific", profile="iaea")
    assert d.instructions_required is True and d.releasable is True
    assert "iaea-gsr3-paras-3-173-3-178" in d.basis.citations and "unverified" in d.basis.statuses
    high = assess_release("I-131", 1.3e9, "patient-specific", profile="iaea")
    assert high.dose_to_others_mSv > 5.0 and high.releasable is False


def test_pure_beta_emitter_has_no_table_limit():
    d = assess_release("Y-90", 3e9, "table")
    assert d.releasable and d.dose_to_others_mSv is None and not d.instructions_required
    assert any("bremsstrahlung" in w for w in d.warnings)


# ---------------------------------------------------------------- bad input: InputError with the field


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("I-131", -1.0, "table"), {}, "activity"),
        (("I-131", 0.0, "table"), {}, "activity"),
        (("I-131", float("nan"), "table"), {}, "activity"),
        (("Xx-999", 1e9, "table"), {}, "nuclide"),
        (("Lu-177", 7.4e9, "table"), {}, "nuclide"),
        (("I-131", 1e9, "patient-specific"), {"condition": "graves"}, "condition"),
        (("Tc-99m", 1e9, "patient-specific"), {"condition": "hyperthyroid"}, "condition"),
        (("I-131", 1e9, "table"), {"condition": "hyperthyroid"}, "condition"),
        (("I-131", 1e9, "patient-specific"), {"condition": "hyperthyroid", "dose_rate_1m_uSv_h": 10.0}, "condition"),
        (("I-131", 1e9, "guess"), {}, "method"),
        (("I-131", 1e9, "table"), {"profile": "mars"}, "profile"),
        (("I-131", 1e9, "table"), {"profile": "iaea"}, "method"),
        (("I-131", 1e9, "patient-specific"), {"occupancy": 0.0}, "occupancy"),
        (("I-131", 1e9, "patient-specific"), {"occupancy": 1.5}, "occupancy"),
        (("I-131", 1e9, "table"), {"dose_rate_1m_uSv_h": -3.0}, "dose_rate_1m"),
        (("I-131", 1e9, "patient-specific"), {"effective_half_life_d": -1.0}, "effective_half_life"),
        (("I-131", 1e9, "table"), {"occupancy": 0.125}, "occupancy"),
        (("I-131", 1e9, "patient-specific"), {"effective_half_life_d": 9.0}, "effective_half_life"),
        (("I-131", 1e9, "table"), {"effective_half_life_d": 0.8}, "effective_half_life"),
        (("I-131", 1e9, "patient-specific"), {"condition": "thyroid-cancer", "occupancy": 0.5}, "occupancy"),
    ],
)
def test_bad_input_names_the_field(args, kwargs, field):
    with pytest.raises(InputError) as err:
        assess_release(*args, **kwargs)
    assert err.value.field == field
