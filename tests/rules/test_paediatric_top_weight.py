"""EANM card 2016 above its top weight (issue 11 item 4) and the FDG 2D / 3D rows.

Expected numbers are hand calculations ``baseline x multiple`` from REFERENCE_DATA 3.1 (class B at the
68-kg row = 14.00, at 30 kg = 6.86, at 3 kg = 1) and the F-18 minimum activities of Lassmann et al.,
EJNMMI 2008;35:1666 (26 MBq for 2D, 14 MBq for 3D acquisitions).

Above the card NMGuard holds the top row's activity of the same indication (rules/paediatric.py states
the rule and its source), so the activity may not jump between 68 kg, 68.1 kg, the band end at 70 kg and
any heavier patient. Tolerance: 1e-9 relative - the rule holds the same number, only float rounding is
allowed.
"""

import pytest

from nmguard.reference.paediatric_cards import eanm_baselines
from nmguard.rules import paediatric_activity
from nmguard.rules.protocol_activity import ProtocolRule, protocol_activity

ALL_ROWS = [(e.radiopharmaceutical_id, e.indication) for e in eanm_baselines()]
REL = 1e-9


@pytest.mark.parametrize("rp,indication", ALL_ROWS, ids=[f"{rp}/{ind}" for rp, ind in ALL_ROWS])
def test_every_card_row_is_continuous_at_and_above_the_top_weight(rp, indication):
    at_top = paediatric_activity(rp, 68, indication=indication)
    for weight in (68.1, 69.99, 70, 70.1, 85, 250):
        above = paediatric_activity(rp, weight, indication=indication)
        assert above.activity_MBq == pytest.approx(at_top.activity_MBq, rel=REL), weight
        assert above.indication == at_top.indication and above.multiple == at_top.multiple
    assert not at_top.above_card and paediatric_activity(rp, 70, indication=indication).above_card


@pytest.mark.parametrize("rp,indication", ALL_ROWS, ids=[f"{rp}/{ind}" for rp, ind in ALL_ROWS])
def test_activity_above_the_card_is_per_indication_baseline_times_top_multiple(rp, indication):
    entry = next(e for e in eanm_baselines(rp) if e.indication == indication)
    top_multiple = {"A": 5.77, "B": 14.00, "C": 32.33}[entry.eanm_class]  # REFERENCE_DATA 3.1, 68-kg row
    expected = max(entry.baseline.value * top_multiple, entry.minimum.value)
    assert paediatric_activity(rp, 90, indication=indication).activity_MBq == pytest.approx(expected, rel=REL)


def test_ga68_at_70_kg_no_longer_errors():
    # the catalogue gives Ga-68 DOTATATE per kg only, so the old "typical adult activity" path raised
    r = paediatric_activity("ga68-dotatate", 70)
    assert r.above_card and r.eanm_class == "B"
    assert r.activity_MBq == pytest.approx(12.8 * 14.00)  # 179.2 MBq, the 68-kg row
    assert "top row" in r.explanation


def test_pertechnetate_thyroid_has_no_jump_between_68_and_70_kg():
    # the x1.9: 5.6 x 14.00 = 78.4 MBq at 68 kg against a catalogue 150 MBq at 70 kg
    r68, r70 = (
        paediatric_activity("tc99m-pertechnetate", 68, indication="thyroid"),
        paediatric_activity("tc99m-pertechnetate", 70, indication="thyroid"),
    )
    assert r68.activity_MBq == pytest.approx(78.4) and r70.activity_MBq == pytest.approx(78.4)
    # and the indications differ above the card as they do on it (Meckel 10.5 x 14.00 = 147 MBq)
    assert paediatric_activity("tc99m-pertechnetate", 80, indication="meckel").activity_MBq == pytest.approx(147.0)


def test_department_adult_activity_still_caps_above_and_at_the_card():
    # MDP top row 35.0 x 14.00 = 490 MBq; a protocol adult activity of 400 MBq caps both sides
    for weight in (68, 69, 75, 120):
        r = paediatric_activity("MDP", weight, adult_activity_MBq=400)
        assert r.activity_MBq == pytest.approx(400) and r.capped_at_adult
    r = paediatric_activity("MDP", 75, adult_activity_MBq=600)
    assert r.activity_MBq == pytest.approx(490.0) and not r.capped_at_adult


def test_fdg_2d_and_3d_rows_against_the_card():
    for weight, multiple in ((30, 6.86), (68, 14.00)):
        two_d = paediatric_activity("FDG", weight, indication="whole-body")
        three_d = paediatric_activity("FDG", weight, indication="whole-body-3d")
        assert two_d.activity_MBq == pytest.approx(25.9 * multiple)  # 177.7 / 362.6 MBq
        assert three_d.activity_MBq == pytest.approx(14.0 * multiple)  # 96.04 / 196.0 MBq
        assert two_d.eanm_class == three_d.eanm_class == "B"
    # 3 kg: 2D 25.9 x 1 < 26 -> the 2D minimum 26 MBq; 3D 14.0 x 1 = the 3D minimum 14 MBq (Lassmann 2008)
    assert paediatric_activity("FDG", 3, indication="whole-body").activity_MBq == pytest.approx(26.0)
    assert paediatric_activity("FDG", 3, indication="whole-body").minimum_applied
    assert paediatric_activity("FDG", 3, indication="whole-body-3d").activity_MBq == pytest.approx(14.0)
    three_d = paediatric_activity("FDG", 30, indication="whole-body-3d")
    assert three_d.minimum_MBq == 14 and three_d.status == "unverified"
    assert any("unverified" in w for w in three_d.warnings)  # baseline not yet read in the card


def test_protocol_for_a_heavy_adolescent_uses_the_cards_top_row():
    rule = ProtocolRule(
        radiopharmaceutical_id="f18-fdg",
        mode="per_kg",
        adult_activity_MBq=400.0,
        activity_per_kg_MBq=3.0,
        min_activity_MBq=None,
        max_activity_MBq=None,
        paediatric_method="eanm-2016",
        paediatric_indication="whole-body-3d",
    )
    light, heavy = protocol_activity(rule, 16, 68), protocol_activity(rule, 16, 95)
    assert light.activity_MBq == pytest.approx(196.0) and heavy.activity_MBq == pytest.approx(196.0)
