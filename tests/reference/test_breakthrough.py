"""Breakthrough limits: 10 CFR 35.204(a) numbers (REFERENCE_DATA.md 4.1 N8, verified), Ph. Eur. rows with
honest statuses, and no invented number where a profile sets none."""

from __future__ import annotations

import pytest

from nmguard.errors import InputError
from nmguard.reference.breakthrough import (
    breakthrough_limits,
    breakthrough_products,
    generator_daughter,
    get_breakthrough_limit,
)
from nmguard.reference.citations import Status, citations


def test_nrc_limits_are_35_204_verified():
    # 10 CFR 35.204(a): 0.15 kBq Mo-99/MBq Tc-99m, 0.02 kBq Sr-82/MBq Rb-82, 0.2 kBq Sr-85/MBq Rb-82
    for parent, daughter, value in (("Mo-99", "Tc-99m", 0.15), ("Sr-82", "Rb-82", 0.02), ("Sr-85", "Rb-82", 0.2)):
        row = get_breakthrough_limit("nrc", parent)
        assert row.daughter == daughter
        assert row.limit_kBq_per_MBq == value
        assert row.limit.unit == "kBq/MBq"
        assert row.status is Status.VERIFIED and row.source.id == "cfr-10-35-204"
        assert "35.204" in row.rule


def test_nrc_sets_no_ge68_limit_and_none_is_invented():
    row = get_breakthrough_limit("NRC", "Ge-68")
    assert row.limit is None and row.limit_kBq_per_MBq is None
    assert "no NRC limit" in row.note


def test_pheur_rows_convert_per_cent_of_total():
    # 0.1 % of the total radioactivity -> 1 kBq per MBq; 0.001 % -> 0.01 kBq per MBq
    for pid in ("euratom", "iaea"):
        fission = get_breakthrough_limit(pid, "Mo-99")
        assert fission.product == "fission" and fission.limit_kBq_per_MBq == 1.0
        assert fission.status is Status.UNVERIFIED  # the fission monograph was not read
        non_fission = get_breakthrough_limit(pid, "Mo-99", "Non-Fission")
        assert non_fission.limit_kBq_per_MBq == 1.0 and non_fission.status is Status.SECONDARY
        ge = get_breakthrough_limit(pid, "Ge-68")
        assert ge.limit_kBq_per_MBq == pytest.approx(0.001 / 100 * 1e3) and ge.status is Status.SECONDARY
        assert "2464" in ge.rule and "0124" in fission.rule
        for sr in ("Sr-82", "Sr-85"):
            assert get_breakthrough_limit(pid, sr).limit is None
    assert breakthrough_products("euratom", "Mo-99") == ("fission", "non-fission")


def test_every_row_cites_a_known_source_with_a_valid_status():
    ids = set(citations())
    rows = breakthrough_limits()
    assert {r.profile for r in rows} == {"nrc", "euratom", "iaea"}
    for r in rows:
        assert r.source.id in ids and isinstance(r.status, Status)
        if r.source.id.startswith("intended-"):
            assert r.status is Status.UNVERIFIED and r.source.url is None


@pytest.mark.parametrize(
    ("parent", "daughter"),
    [("Mo-99", "Tc-99m"), ("mo99", "Tc-99m"), ("Sr-82", "Rb-82"), ("Sr-85", "Rb-82"), ("Ge-68", "Ga-68")],
)
def test_daughter_is_inferred(parent, daughter):
    assert generator_daughter(parent) == daughter


def test_bad_names_are_input_errors():
    with pytest.raises(InputError) as exc:
        generator_daughter("F-18")
    assert exc.value.field == "parent"
    with pytest.raises(InputError) as exc:
        generator_daughter("Xx-999")
    assert exc.value.field == "parent"
    with pytest.raises(InputError) as exc:
        get_breakthrough_limit("mars", "Mo-99")
    assert exc.value.field == "profile"
    with pytest.raises(InputError) as exc:
        get_breakthrough_limit("euratom", "Mo-99", "cyclotron")
    assert exc.value.field == "product"
