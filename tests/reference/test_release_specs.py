"""Release specifications and waste rules: every row cited, statuses as in REFERENCE_DATA.md 5.2/5.3/8."""

import pytest

from nmguard.errors import InputError
from nmguard.reference.citations import Status, citations
from nmguard.reference.release_specs import (
    all_release_specs,
    release_specification,
    shelf_life,
    specifications_for,
)
from nmguard.reference.waste_rules import waste_rule


def test_every_row_cited_and_m_values_unverified():
    ids = set(citations())
    specs = all_release_specs()
    assert len(specs) >= 20
    for s in specs:
        assert s.source.id in ids
        if s.source.id.startswith("intended-"):  # nothing read: never more than unverified
            assert s.status is Status.UNVERIFIED, (s.product_id, s.test)
        if s.status is Status.VERIFIED:
            assert s.edition, (s.product_id, s.test)


def test_fdg_ph_eur_values():
    spec = release_specification("18F-FDG")
    assert specifications_for("fdg") == ("ph-eur", "usp")
    assert (spec["radionuclidic_identity"].limit_low, spec["radionuclidic_identity"].limit_high) == (105, 115)
    assert (spec["ph"].limit_low, spec["ph"].limit_high) == (4.5, 8.5)
    assert spec["rcp"].limit_low == 95 and spec["rcp"].status is Status.VERIFIED
    assert spec["endotoxins"].limit_high == 175 and spec["endotoxins"].kind == "endotoxin"
    assert spec["sterility"].release_before_result and not spec["rcp"].release_before_result
    assert spec["filter_integrity"].status is Status.UNVERIFIED
    assert "shelf_life" not in spec and shelf_life("fdg").status is Status.UNVERIFIED


def test_usp_values_and_statuses():
    usp = release_specification("f18-fdg", "usp")
    assert usp["ph"].limit_high == 7.5 and usp["ph"].status is Status.UNVERIFIED  # M in 5.3
    assert usp["rcp"].limit_low == 90 and usp["rcp"].status is Status.UNVERIFIED
    assert usp["radionuclidic_identity"].status is Status.VERIFIED
    mdp = release_specification("tc99m-mdp")
    assert mdp["rcp"].limit_low == 90 and mdp["rcp"].edition == "USP 35 m80690"
    assert mdp["rcp"].status is Status.VERIFIED
    assert release_specification("tc99m-mdp", "ph-eur")["rcp"].status is Status.UNVERIFIED  # >= 95 %, M
    with pytest.raises(InputError):
        release_specification("tc99m-mdp", "jp")
    with pytest.raises(InputError):
        release_specification("ra223-dichloride")


def test_waste_rules():
    nrc = waste_rule("nrc")
    assert nrc.max_half_life.value == 120 and nrc.max_half_life.unit == "d"
    assert nrc.max_half_life.status is Status.VERIFIED and nrc.decay_in_storage
    assert not nrc.hold_half_lives_required and nrc.agreement_state_hold_half_lives.value == 10
    assert len(nrc.record_fields) == 5 and nrc.record_retention_years.value == 3
    iaea = waste_rule("iaea")
    assert iaea.clearance_Bq_per_g and all(v.status is Status.UNVERIFIED for v in iaea.clearance_Bq_per_g.values())
    assert iaea.clearance_Bq_per_g["Tc-99m"].value == 100
    assert waste_rule("euratom").decay_in_storage is None and not waste_rule("euratom").clearance_Bq_per_g
