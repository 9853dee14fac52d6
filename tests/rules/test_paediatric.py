"""EANM card 2016 (step table) and North American consensus 2016; numbers are hand calculations
baseline x multiple from REFERENCE_DATA 3.1 / MBq/kg x weight from 3.2(b)."""

import pytest

from nmguard.errors import InputError
from nmguard.rules import paediatric_activity


def test_dmsa_class_b_10kg_minimum_applies():
    r = paediatric_activity("99mTc-DMSA", 10)
    # 6.8 MBq x 2.71 = 18.43 MBq < minimum 18.5 MBq
    assert r.activity_MBq == pytest.approx(18.5)
    assert r.minimum_applied and r.eanm_class == "B" and r.multiple == 2.71
    assert r.source == "eanm-card-2016-transcription" and r.status == "secondary"


def test_mdp_20kg():
    r = paediatric_activity("MDP", 20)
    assert r.activity_MBq == pytest.approx(35.0 * 4.86)  # 170.1 MBq
    assert not r.minimum_applied


def test_i123_iodide_thyroid_class_c():
    r = paediatric_activity("i123-iodide", 30, indication="thyroid")
    assert r.eanm_class == "C"
    assert r.activity_MBq == pytest.approx(0.6 * 13.0)  # 7.8 MBq, above the 3 MBq minimum
    small = paediatric_activity("i123-iodide", 3, indication="thyroid")
    assert small.activity_MBq == pytest.approx(3.0) and small.minimum_applied  # 0.6 x 1 < 3


def test_mag3_class_a():
    r = paediatric_activity("MAG3", 40)
    assert r.eanm_class == "A" and r.activity_MBq == pytest.approx(11.9 * 4.29)


def test_fdg_default_indication_whole_body_and_brain():
    wb = paediatric_activity("FDG", 30)
    assert wb.indication == "whole-body" and wb.activity_MBq == pytest.approx(25.9 * 6.86)
    assert any("no indication" in w for w in wb.warnings)
    brain = paediatric_activity("FDG", 30, indication="brain")
    assert brain.activity_MBq == pytest.approx(14.0 * 6.86)


def test_step_table_band_rows():
    # 53 kg uses the 52-54 row (B 11.00); 55 kg (between rows) the same lower row; 5 kg the 4 kg row
    assert paediatric_activity("MDP", 53).activity_MBq == pytest.approx(35.0 * 11.00)
    assert paediatric_activity("MDP", 55).activity_MBq == pytest.approx(35.0 * 11.00)
    assert paediatric_activity("MDP", 53).weight_band == "52-54 kg"
    assert paediatric_activity("MDP", 56).activity_MBq == pytest.approx(35.0 * 12.00)
    assert paediatric_activity("MDP", 9.99).activity_MBq == pytest.approx(35.0 * 2.14)  # 8 kg row, no interpolation
    assert paediatric_activity("DMSA", 5).multiple == 1.14


def test_cap_at_adult_activity():
    r = paediatric_activity("MDP", 64, adult_activity_MBq=400)
    assert 35.0 * 13.43 > 400
    assert r.activity_MBq == pytest.approx(400) and r.capped_at_adult


def test_above_card_holds_the_top_row():
    # issue 11: no jump to a catalogue "typical adult" value; 35.0 MBq x 14.00 (68-kg row) = 490 MBq
    r = paediatric_activity("MDP", 75, adult_activity_MBq=500)
    assert r.above_card and r.activity_MBq == pytest.approx(490.0) and "top row" in r.explanation
    r = paediatric_activity("MDP", 80)
    assert r.above_card and r.activity_MBq == pytest.approx(490.0)
    assert not any("typical adult" in w for w in r.warnings)


@pytest.mark.parametrize("weight", [0, -3, float("nan"), float("inf"), 251, 2.5, "abc"])
def test_bad_weights_refused(weight):
    with pytest.raises(InputError) as exc:
        paediatric_activity("MDP", weight)
    assert exc.value.field == "weight"


def test_unknown_card_product_or_indication():
    with pytest.raises(InputError) as exc:
        paediatric_activity("MDP", 20, card="eanm-2007")
    assert exc.value.field == "card"
    with pytest.raises(InputError) as exc:
        paediatric_activity("lu177-dotatate", 20)
    assert exc.value.field == "radiopharmaceutical"
    with pytest.raises(InputError) as exc:
        paediatric_activity("FDG", 20, indication="cardiac")
    assert exc.value.field == "indication" and "whole-body" in exc.value.message


def test_na_2016_verified_rows():
    r = paediatric_activity("HMPAO", 30, card="na-2016")
    assert r.activity_MBq == pytest.approx(11.1 * 30) and r.status == "verified"  # 333 MBq
    assert paediatric_activity("HMPAO", 10, card="na-2016").activity_MBq == pytest.approx(185)  # 111 < 185 min
    assert paediatric_activity("HMPAO", 10, card="na-2016").minimum_applied
    big = paediatric_activity("HMPAO", 90, card="na-2016")
    assert big.activity_MBq == pytest.approx(740) and big.maximum_applied  # 999 > 740 max
    thy = paediatric_activity("pertechnetate", 20, card="na-2016")
    assert thy.activity_MBq == pytest.approx(1.11 * 20)
    i123 = paediatric_activity("i123-iodide", 50, card="na-2016")
    assert i123.activity_MBq == pytest.approx(11) and i123.maximum_applied  # 14 > 11


def test_na_2016_unverified_rows_warn():
    r = paediatric_activity("MDP", 20, card="na-2016")
    assert r.activity_MBq == pytest.approx(9.3 * 20) and r.status == "unverified"
    assert any("unverified" in w for w in r.warnings)
