"""QC release tests and the release decision against the shipped specifications (REFERENCE_DATA.md 5.2/5.3)."""

import datetime as dt

import pytest

from nmguard.errors import InputError
from nmguard.hotlab.purity import rcp_two_strip_tc99m
from nmguard.hotlab.release import HalfLifeReadings, endotoxin_limit, evaluate_release, half_life_from_readings

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def fdg_readings(half_life_min=109.77):
    # A2 = 1000 MBq * 2^(-10/109.77) = 938.80695 MBq (10 min apart)
    return HalfLifeReadings(1000e6, T0, 1000e6 * 2 ** (-10 / half_life_min), T0 + dt.timedelta(minutes=10))


def test_half_life_from_two_readings():
    # T = ln2 * 600 s / ln(1000/938.80695) = 6586.2 s = 109.77 min
    t = half_life_from_readings(1000e6, T0, 938.80695e6, T0 + dt.timedelta(minutes=10))
    assert t / 60 == pytest.approx(109.77, abs=0.01)
    with pytest.raises(InputError):
        half_life_from_readings(1000e6, T0, 1100e6, T0 + dt.timedelta(minutes=10))
    with pytest.raises(InputError):
        half_life_from_readings(1000e6, T0, 900e6, T0)


def test_endotoxin_limit_175_over_v():
    assert endotoxin_limit(10) == pytest.approx(17.5)  # 175/10
    with pytest.raises(InputError):
        endotoxin_limit(0)


def fdg_pass():
    return {
        "appearance": "pass",
        "radionuclidic_identity": fdg_readings(),
        "ph": 6.0,
        "rcp": 98.0,
        "endotoxins": 5.0,
        "filter_integrity": True,
        "sterility": True,
    }


def test_fdg_all_pass_releasable():
    d = evaluate_release("FDG", fdg_pass(), max_dose_volume_mL=10)
    assert d.releasable and not d.blocking_reasons and d.specification == "ph-eur"
    assert {o.outcome for o in d.outcomes} == {"pass"}
    ident = d.outcome("radionuclidic_identity")
    assert ident.value == pytest.approx(109.77, abs=0.01) and ident.limit == "105–115 min"
    assert ident.source == "bp-fdg-pmc3097819-table2" and ident.status == "verified"
    assert "17.5" in d.outcome("endotoxins").limit


def test_identity_outside_window_fails():
    # a Ga-68 source (T = 67.83 min) mistaken for FDG: outside 105-115 min
    d = evaluate_release(
        "f18-fdg", {**fdg_pass(), "radionuclidic_identity": fdg_readings(67.83)}, max_dose_volume_mL=10
    )
    assert not d.releasable and d.outcome("radionuclidic_identity").outcome == "fail"


def test_ph_fail_blocks():
    d = evaluate_release("f18-fdg", {**fdg_pass(), "ph": 9.0}, max_dose_volume_mL=10)  # Ph. Eur. 4.5-8.5
    assert not d.releasable and d.outcome("ph").outcome == "fail"
    assert any(r.startswith("ph failed") for r in d.blocking_reasons)
    # the same pH 8.0 fails the USP 4.5-7.5 window (unverified, flagged) but passes Ph. Eur.
    usp = evaluate_release("f18-fdg", {**fdg_pass(), "ph": 8.0}, specification="usp", max_dose_volume_mL=10)
    assert usp.outcome("ph").outcome == "fail" and usp.outcome("ph").status == "unverified"
    assert any("appearance: not in the usp specification" in w for w in usp.warnings)
    assert evaluate_release("f18-fdg", {**fdg_pass(), "ph": 8.0}, max_dose_volume_mL=10).releasable


def test_endotoxin_above_limit_blocks():
    d = evaluate_release("f18-fdg", {**fdg_pass(), "endotoxins": 17.6}, max_dose_volume_mL=10)
    assert d.outcome("endotoxins").outcome == "fail" and not d.releasable


def test_missing_rcp_blocks():
    results = fdg_pass()
    del results["rcp"]
    d = evaluate_release("f18-fdg", results, max_dose_volume_mL=10)
    assert not d.releasable and d.outcome("rcp").outcome == "missing"
    assert "rcp missing: required before release" in d.blocking_reasons


def test_sterility_waived_with_reason():
    reason = "sterility test started at end of synthesis; parametric release per monograph"
    d = evaluate_release(
        "f18-fdg", {**fdg_pass(), "sterility": "started"}, {"sterility": reason}, max_dose_volume_mL=10
    )
    assert d.releasable and d.outcome("sterility").outcome == "waived"
    assert d.outcome("sterility").reason == reason and d.waivers == {"sterility": reason}


def test_sterility_pending_without_waiver_blocks():
    d = evaluate_release("f18-fdg", {**fdg_pass(), "sterility": None}, max_dose_volume_mL=10)
    assert not d.releasable and d.outcome("sterility").outcome == "missing"


def test_waiver_without_reason_or_not_allowed_refused():
    with pytest.raises(InputError, match="reason"):
        evaluate_release("f18-fdg", {**fdg_pass(), "sterility": None}, {"sterility": "  "}, max_dose_volume_mL=10)
    with pytest.raises(InputError, match="does not allow"):
        evaluate_release("f18-fdg", {**fdg_pass(), "rcp": None}, {"rcp": "urgent"}, max_dose_volume_mL=10)


def test_mdp_with_strip_result_and_unknown_test_refused():
    strips = rcp_two_strip_tc99m(520, 9600, 9800, 320, background_counts=20)  # 92.06 % (see test_purity)
    d = evaluate_release("99mTc-MDP", {"rcp": strips})
    assert d.releasable and d.outcome("rcp").value == pytest.approx(92.0635, abs=1e-4)
    assert d.outcome("rcp").edition == "USP 35 m80690"
    assert d.outcome("endotoxins").outcome == "not-tested"  # not required per preparation
    assert not evaluate_release("tc99m-mdp", {"rcp": 89.9}).releasable  # USP >= 90 %
    assert not evaluate_release("tc99m-mdp", {"rcp": 94.0}, specification="ph-eur").releasable  # >= 95 % (M)
    with pytest.raises(InputError):
        evaluate_release("tc99m-mdp", {"colour": "pass"})
    with pytest.raises(InputError):
        evaluate_release("f18-fdg", fdg_pass())  # endotoxins given without V
