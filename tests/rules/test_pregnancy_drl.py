"""Pregnancy question, breast-feeding advice (RG 8.39 Rev 1 table), DRL audit statistics."""

import statistics

import pytest

from nmguard.errors import InputError
from nmguard.rules import breastfeeding_check, drl_audit, should_ask_pregnancy


def test_pregnancy_question_by_sex_and_age():
    assert should_ask_pregnancy("iaea", "F", 30).ask
    assert not should_ask_pregnancy("iaea", "M", 30).ask
    assert not should_ask_pregnancy("iaea", "female", 8).ask
    assert should_ask_pregnancy("nrc", "unknown", 20).ask  # not recorded as male: ask
    q = should_ask_pregnancy("euratom", "F", 12)
    assert q.ask and q.status == "unverified" and q.warnings
    with pytest.raises(InputError) as exc:
        should_ask_pregnancy("nrc", "dog", 30)
    assert exc.value.field == "sex"


def test_breastfeeding_advice_from_table():
    fdg = breastfeeding_check("FDG")
    assert fdg.interruption_h == 4 and fdg.status == "verified"
    ga = breastfeeding_check("ga67-citrate", 150e6)
    assert ga.interruption_h == 28 * 24 and ga.instructions_required and ga.record_required
    mdp = breastfeeding_check("MDP")  # nuclide-wide Tc-99m row: 24 h
    assert mdp.interruption_h == 24
    maa = breastfeeding_check("MAA", 40e6)  # below 1.3 mCi = 48.1 MBq
    assert maa.instructions_required is False
    i131 = breastfeeding_check("i131-iodide", 3.7e9)
    assert i131.cessation and i131.instructions_required and "cessation" in i131.advice
    rb = breastfeeding_check("rb82-chloride")
    assert rb.interruption_h == 0 and "no interruption" in rb.advice


def test_missing_breastfeeding_entry_is_not_a_green_light():
    r = breastfeeding_check("lu177-psma-617")
    assert not r.found and r.interruption_h is None and "NOT" in r.warnings[0]


def test_drl_audit_median_quartiles_and_flag():
    values = [300, 320, 350, 370, 380, 400, 410, 420, 450, 500]
    a = drl_audit(values, drl_MBq=400)
    assert a.overall.n == 10
    assert a.overall.median_MBq == pytest.approx(390)  # (380 + 400) / 2
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    assert (a.overall.q1_MBq, a.overall.q3_MBq) == (pytest.approx(q1), pytest.approx(q3))
    assert a.overall.ratio_to_drl == pytest.approx(390 / 400) and a.overall.above_drl is False
    assert drl_audit([450, 460, 470], drl_MBq=400).overall.above_drl is True


def test_drl_audit_per_weight_band():
    a = drl_audit([50, 60, 170, 180], weights_kg=[10, 11, 20, 21], drl_by_band={"10 kg": 55})
    labels = {b.label: b for b in a.bands}
    assert labels["10 kg"].n == 2 and labels["10 kg"].median_MBq == 55 and labels["10 kg"].above_drl is False
    assert labels["20 kg"].median_MBq == 175 and labels["20 kg"].drl_MBq is None
    custom = drl_audit([50, 60, 170], weights_kg=[5, 15, 25], bands=[(0, 10), (10, 30)])
    assert [b.n for b in custom.bands] == [1, 2]


def test_drl_audit_refuses_empty_and_bad_input():
    with pytest.raises(InputError) as exc:
        drl_audit([])
    assert exc.value.field == "activities"
    with pytest.raises(InputError):
        drl_audit([100, -1])
    with pytest.raises(InputError):
        drl_audit([100], weights_kg=[10, 20])
