"""Sealed sources, pure layer and data (issue 15 item 6): the leak-test limit and exemptions as the texts word
them (10 CFR 35.67), due dates, decay against an independent calculation, the wipe's pass/fail with the MDA."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from nmguard.errors import InputError
from nmguard.protection import sealed_sources as ss
from nmguard.reference._files import ReferenceDataError
from nmguard.reference.sealed_sources import (
    all_sealed_source_rules,
    parse_sealed_source_rules,
    sealed_source_rules,
)

UTC = dt.UTC
T0 = dt.datetime(2025, 1, 1, 12, tzinfo=UTC)
NRC = sealed_source_rules("nrc")


def test_nrc_values_as_the_text_words_them():
    """10 CFR 35.67(e) 185 Bq (0.005 uCi); (b)(2) 6 months; (f)(1) half-life < 30 d; (f) 3.7 MBq (100 uCi)
    beta/gamma, 0.37 MBq (10 uCi) alpha; 35.2067 records kept 3 years, semi-annual inventory."""
    assert NRC.leak_limit_Bq == 185.0 and NRC.leak_limit.status.value == "verified"
    assert NRC.leak_limit.source.id == "cfr-10-35-67"
    assert math.isclose(0.005e-6 * 3.7e10, NRC.leak_limit_Bq)  # 0.005 uCi in Bq, the text's two units agree
    assert NRC.leak_interval_months == 6 and NRC.inventory_interval_months == 6
    assert NRC.exempt_half_life_below.value == 30.0
    assert math.isclose(NRC.exempt_beta_gamma_max.value, 100e-6 * 3.7e10)
    assert math.isclose(NRC.exempt_alpha_max.value, 10e-6 * 3.7e10)
    assert NRC.record_retention.value == 3.0 and NRC.record_retention.source.id == "cfr-10-35-2067"


def test_every_profile_has_the_185_Bq_limit_with_its_status():
    rules = all_sealed_source_rules()
    assert set(rules) == {"nrc", "euratom", "iaea"}
    for pid in ("euratom", "iaea"):
        assert rules[pid].leak_limit_Bq == 185.0 and rules[pid].leak_limit.status.value == "unverified"
    with pytest.raises(InputError):
        sealed_source_rules("mars")


def test_a_broken_table_is_refused():
    import tomllib

    from nmguard.reference._files import read_text

    data = tomllib.loads(read_text("sealed_sources.toml"))
    data["nrc"]["leak_limit"]["unit"] = "uCi"
    with pytest.raises(ReferenceDataError, match="leak_limit: unit"):
        parse_sealed_source_rules(data)
    data = tomllib.loads(read_text("sealed_sources.toml"))
    data["nrc"]["leak_interval"]["value"] = 6.5
    with pytest.raises(ReferenceDataError, match="whole number of months"):
        parse_sealed_source_rules(data)


def test_decay_against_an_independent_calculation():
    """Co-57 370 MBq after 100 d: A = A0 exp(-ln2 t / T) with T = 271.81 d (LNHB), relative tolerance 1e-9;
    after exactly one half-life the activity is half (1e-9)."""
    expected = 370e6 * math.exp(-math.log(2) * 100 / 271.81)
    got = ss.activity_on("Co-57", 370e6, T0, T0 + dt.timedelta(days=100))
    assert got == pytest.approx(expected, rel=1e-9)
    assert ss.activity_on("Co-57", 370e6, T0, T0 + dt.timedelta(days=271.81)) == pytest.approx(185e6, rel=1e-9)


def _facts(nuclide="Co-57", activity=370e6, **kw) -> ss.SourceFacts:
    return ss.SourceFacts(nuclide=nuclide, activity_Bq=activity, reference_at=T0, **kw)


def test_exemptions():
    assert "less than 30 d" in ss.exemption(_facts("Tc-99m"), NRC, T0)  # 6 h
    assert "less than 30 d" in ss.exemption(_facts("Ra-223"), NRC, T0)  # 11.4 d
    assert ss.exemption(_facts("I-125"), NRC, T0) is None  # 59.4 d: not by half-life
    assert "at most 3.7 MBq" in ss.exemption(_facts(activity=3.7e6), NRC, T0)  # "or less": the limit itself
    assert ss.exemption(_facts(activity=3.71e6), NRC, T0) is None
    # decay brings a 7.4 MBq Co-57 source under 3.7 MBq one half-life and a day later
    assert ss.exemption(_facts(activity=7.4e6), NRC, T0 + dt.timedelta(days=272.81)) is not None
    assert ss.exemption(_facts("Ba-133", 0.37e6, emission="alpha"), NRC, T0) is not None
    assert ss.exemption(_facts("Ba-133", 0.38e6, emission="alpha"), NRC, T0) is None
    assert "gaseous" in ss.exemption(_facts(gaseous=True), NRC, T0)
    assert "stored and not in use" in ss.exemption(_facts(in_use=False), NRC, T0)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"activity": -1.0}, "activity"),
        ({"activity": 0.0}, "activity"),
        ({"nuclide": "Xx-999"}, None),
        ({"emission": "neutron"}, "emission"),
    ],
)
def test_invalid_facts_cannot_be_built(kw, field):
    with pytest.raises(InputError) as err:
        _facts(**kw)
    if field:
        assert err.value.field == field
    with pytest.raises(InputError):
        ss.SourceFacts("Co-57", 1e6, dt.datetime(2025, 1, 1))  # naive


def test_leak_test_due_dates():
    """Six calendar months after the last test; listed as due 30 days before; overdue the day after."""
    last = dt.date(2026, 1, 31)
    due = ss.leak_test_due(_facts(), NRC, last, dt.date(2025, 1, 1), dt.date(2026, 6, 30), T0)
    assert (due.state, due.due) == ("ok", dt.date(2026, 7, 31))
    assert ss.leak_test_due(_facts(), NRC, last, dt.date(2025, 1, 1), dt.date(2026, 7, 1), T0).state == "due"
    assert ss.leak_test_due(_facts(), NRC, last, dt.date(2025, 1, 1), dt.date(2026, 7, 31), T0).state == "due"
    late = ss.leak_test_due(_facts(), NRC, last, dt.date(2025, 1, 1), dt.date(2026, 8, 1), T0)
    assert late.state == "overdue" and "1 d" in late.reason
    assert ss.periodic_due(dt.date(2026, 8, 31), 6, dt.date(2026, 1, 1), dt.date(2026, 9, 1), 30).due == dt.date(
        2027, 2, 28
    )
    never = ss.leak_test_due(_facts(), NRC, None, dt.date(2026, 3, 1), dt.date(2026, 3, 2), T0)
    assert never.state == "overdue" and "never tested" in never.reason
    assert ss.leak_test_due(_facts("Tc-99m"), NRC, None, dt.date(2026, 3, 1), dt.date(2027, 1, 1), T0).state == (
        "exempt"
    )
    inv = ss.inventory_due(dt.date(2026, 1, 15), NRC, dt.date(2025, 1, 1), dt.date(2026, 7, 16))
    assert (inv.state, inv.due) == ("overdue", dt.date(2026, 7, 15))


def test_wipe_pass_fail_and_the_mda():
    """35.67(e): 185 Bq 'or more' fails; a counter that cannot detect 185 Bq (35.67(c)) is refused."""
    assert ss.judge_wipe(184.9, 10.0, NRC).passed
    failed = ss.judge_wipe(185.0, 10.0, NRC)
    assert not failed.passed and "withdraw" in failed.reason
    assert "below the MDA" in ss.judge_wipe(3.0, 8.0, NRC).reason
    assert ss.judge_wipe(150.0, 185.0, NRC).passed  # an MDA equal to the limit can still detect it
    with pytest.raises(InputError) as err:
        ss.judge_wipe(0.0, 200.0, NRC)
    assert err.value.field == "mda_Bq" and "cannot detect" in err.value.message
    with pytest.raises(InputError) as err:
        ss.judge_wipe(-1.0, 8.0, NRC)
    assert err.value.field == "removable_Bq"


def test_counts_to_becquerel():
    """(412 - 380) cpm / 60 s / 0.25 counts per decay = 2.1333 Bq (hand calculation); net below zero is zero."""
    assert ss.activity_from_counts(412, 380, 0.25) == pytest.approx(32 / 60 / 0.25, rel=1e-12)
    assert ss.activity_from_counts(370, 380, 0.25) == 0.0
    for args, field in (((-1, 0, 0.2), "gross_cpm"), ((10, -1, 0.2), "background_cpm"), ((10, 1, 0), "efficiency")):
        with pytest.raises(InputError) as err:
            ss.activity_from_counts(*args)
        assert err.value.field == field
