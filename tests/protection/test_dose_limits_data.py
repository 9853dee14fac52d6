"""The shipped dose limits against the regulation texts (numbers as written there, in mSv), and the loader's
refusal of malformed entries. Texts read: 10 CFR 20.1201/20.1207/20.1208 (law.cornell.edu, lawstack eCFR copy),
Directive 2013/59/Euratom Arts 9-10 (legislation.gov.uk); GSR Part 3 Schedule III was not read (statuses say so)."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources

import pytest

from nmguard.errors import InputError
from nmguard.reference import Status
from nmguard.reference._files import ReferenceDataError
from nmguard.reference.decision_path import decision_values
from nmguard.reference.dose_limits import DOSE_LIMITS_FILE, all_dose_limits, parse_dose_limits
from nmguard.reference.jurisdictions import get_profile, profiles


def _raw() -> dict:
    return tomllib.loads(resources.files("nmguard.reference.data").joinpath(DOSE_LIMITS_FILE).read_text("utf-8"))


def _years(limit, national_option=False):
    return {a.years: a.limit.value for a in limit.applicable(national_option)}


def test_every_profile_has_its_limits_on_the_profile():
    assert {p.id for p in profiles()} == set(all_dose_limits()) == {"nrc", "euratom", "iaea"}
    for p in profiles():
        assert p.dose_limits is all_dose_limits()[p.id]


def test_nrc_values_as_10_cfr_20_writes_them():
    nrc = get_profile("nrc").dose_limits
    # 20.1201(a)(1)(i) 5 rem = 0.05 Sv; (a)(2)(i) 15 rem; (a)(2)(ii) 50 rem skin and extremity; no five-year rule
    assert _years(nrc.limit("worker", "effective")) == {1: 50.0}
    assert _years(nrc.limit("worker", "lens")) == {1: 150.0}
    assert _years(nrc.limit("worker", "skin")) == {1: 500.0}
    assert _years(nrc.limit("worker", "extremity")) == {1: 500.0}
    # 20.1207: minors 10 percent of the adult limits
    for q in ("effective", "lens", "skin", "extremity"):
        assert nrc.limit("apprentice", q).single_year.value == pytest.approx(
            0.1 * nrc.limit("worker", q).single_year.value
        )
        assert nrc.limit("apprentice", q).single_year.status is Status.DERIVED
    # 20.1301(a)(1) 0.1 rem; (a)(2) 0.002 rem in any one hour; no public lens/skin limit in 20.1301
    assert _years(nrc.limit("public", "effective")) == {1: 1.0}
    assert nrc.limit("public", "lens") is None
    assert nrc.public_hourly.value == 0.02 and nrc.public_hourly.status is Status.SECONDARY
    # 20.1208(a) 0.5 rem over the entire pregnancy; (d) within 0.05 rem -> 0.05 rem for the remainder
    ef = nrc.embryo_fetus
    assert (ef.basis, ef.limit.value, ef.near_limit_margin.value, ef.remainder_if_near.value) == (
        "entire-pregnancy",
        5.0,
        0.5,
        0.5,
    )
    assert nrc.limit("worker", "effective").single_year.status is Status.VERIFIED


def test_euratom_values_as_article_9_and_10_write_them():
    eu = get_profile("euratom").dose_limits
    eff = eu.limit("worker", "effective")
    assert _years(eff) == {1: 20.0}  # Art. 9(2): 20 mSv in any single year
    assert _years(eff, national_option=True) == {1: 50.0, 5: 100.0}  # up to 50 mSv if the 5-y average <= 20
    lens = eu.limit("worker", "lens")
    assert _years(lens) == {1: 20.0}  # Art. 9(3)(a): 20 mSv in a single year ...
    assert _years(lens, national_option=True) == {1: 50.0, 5: 100.0}  # ... or 100 mSv in 5 y, max 50 in one
    assert _years(eu.limit("worker", "skin")) == {1: 500.0}  # 9(3)(b)
    assert _years(eu.limit("worker", "extremity")) == {1: 500.0}  # 9(3)(c)
    assert (eu.embryo_fetus.basis, eu.embryo_fetus.limit.value) == ("remainder-after-declaration", 1.0)  # Art. 10(1)
    assert eu.embryo_fetus.limit.status is Status.VERIFIED
    # Arts 11-12 not read in the Directive: secondary, never verified
    assert eu.limit("apprentice", "effective").single_year.value == 6.0
    assert eu.limit("apprentice", "lens").single_year.value == 15.0
    assert all(eu.limit("apprentice", q).single_year.status is Status.SECONDARY for q in ("effective", "lens"))


def test_iaea_values_with_the_five_year_sum_and_honest_statuses():
    iaea = get_profile("iaea").dose_limits
    # GSR Part 3 III.1: 20 mSv/y averaged over five consecutive years (100 mSv in 5 y) and 50 mSv in any year
    assert _years(iaea.limit("worker", "effective")) == {5: 100.0, 1: 50.0}
    assert _years(iaea.limit("worker", "lens")) == {5: 100.0, 1: 50.0}
    assert iaea.limit("worker", "effective").annual_reference() == 20.0
    assert iaea.limit("apprentice", "lens").single_year.value == 20.0  # GSR: 20, Euratom: 15
    assert iaea.embryo_fetus.limit.value == 1.0
    # Schedule III was not read: nothing of it may claim "verified"
    for cat in iaea.limits.values():
        for lim in cat.values():
            for a in lim.applicable(False) + lim.applicable(True):
                assert a.limit.status is not Status.VERIFIED


def test_levels_are_department_policy_and_listed_as_unverified():
    for p in profiles():
        lv = p.dose_limits.levels
        assert lv.recording_fraction.source.id == "nmguard-policy-dose-levels"
        assert lv.investigation_fraction.status is Status.UNVERIFIED
    names = {v.name: v for v in decision_values()}
    assert names["euratom.dose_limits.levels.investigation_fraction"].status is Status.UNVERIFIED
    assert names["nrc.dose_limits.limits.worker.effective.single_year"].value == "50 mSv"
    assert names["nrc.dose_limits.limits.worker.effective.single_year"].verified


def test_unknown_category_or_quantity_is_an_input_error():
    with pytest.raises(InputError) as err:
        get_profile("nrc").dose_limits.limit("visitor", "effective")
    assert err.value.field == "category"
    with pytest.raises(InputError):
        get_profile("nrc").dose_limits.limit("worker", "thyroid")


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda d: d["nrc"]["worker"]["effective"].pop("single_year"), "[nrc].worker.effective"),
        (lambda d: d["euratom"]["worker"]["lens"].update(rule="two-year"), "[euratom].worker.lens"),
        (
            lambda d: d["iaea"]["worker"]["effective"]["five_year"].update(status="maybe"),
            "[iaea].worker.effective.five_year",
        ),
        (
            lambda d: d["nrc"]["worker"]["skin"]["single_year"].update(source="no-such-source"),
            "[nrc].worker.skin.single_year",
        ),
        (lambda d: d["nrc"]["worker"]["skin"]["single_year"].update(value=-1.0), "[nrc].worker.skin.single_year"),
        (lambda d: d["nrc"]["worker"]["skin"]["single_year"].pop("unit"), "[nrc].worker.skin.single_year"),
        (
            lambda d: d["nrc"]["worker"]["lens"].update(five_year=d["nrc"]["worker"]["lens"]["single_year"]),
            "[nrc].worker.lens",
        ),
        (lambda d: d["nrc"]["embryo_fetus"].pop("remainder_if_near"), "[nrc].embryo_fetus"),
        (lambda d: d["nrc"]["embryo_fetus"].update(basis="trimester"), "[nrc].embryo_fetus"),
        (lambda d: d["iaea"].pop("public"), "[iaea]"),
        (lambda d: d["iaea"]["levels"]["recording_fraction"].update(value=0.5), "[iaea].levels"),
        (lambda d: d["euratom"]["worker"].update(thyroid={}), "[euratom].worker"),
    ],
)
def test_a_malformed_entry_names_the_file_and_key(edit, key):
    data = copy.deepcopy(_raw())
    edit(data)
    with pytest.raises(ReferenceDataError) as err:
        parse_dose_limits(data)
    assert DOSE_LIMITS_FILE in str(err.value) and key in str(err.value)
