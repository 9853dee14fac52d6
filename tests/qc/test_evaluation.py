"""Evaluation against bands: edges, one-sided bands, overrides with a reason, tests without bands."""

import pytest

from nmguard.errors import InputError
from nmguard.qc.catalogue import Band
from nmguard.qc.evaluation import BandOverride, deviation, evaluate, evaluate_bands


@pytest.mark.parametrize(
    ("reading", "outcome", "decided_by"),
    [
        (100.0, "ok", "tolerance"),
        (105.0, "ok", "tolerance"),  # exactly +5 % is within ±5 %
        (95.0, "ok", "tolerance"),  # exactly −5 %
        (105.01, "tolerance", "tolerance"),
        (110.0, "tolerance", "tolerance"),  # exactly +10 % is still inside the action band
        (110.01, "action", "action"),
        (89.9, "action", "action"),
    ],
)
def test_constancy_band_edges(reading, outcome, decided_by):
    ev = evaluate("am-constancy", reading, 100.0)
    assert ev.deviation == pytest.approx(reading - 100.0)  # reference 100 → deviation % = reading − 100
    assert ev.outcome == outcome
    assert ev.decided_by == decided_by
    assert ev.deviation_unit == "%"
    assert ev.source == (
        "answersco-dose-calibrator-notes" if decided_by == "tolerance" else "intended-cfr-2002-10-35-50c"
    )
    assert ev.status == ("secondary" if decided_by == "tolerance" else "unverified")
    assert any("unverified" in w for w in ev.warnings)


def test_deviation_bases():
    assert deviation("value", 3.2) == 3.2
    assert deviation("difference", 3.2, 1.2) == pytest.approx(2.0)
    assert deviation("percent", 98.0, 100.0) == pytest.approx(-2.0)
    with pytest.raises(InputError) as e:
        deviation("percent", 98.0)
    assert e.value.field == "reference_value"
    with pytest.raises(InputError):
        deviation("percent", 98.0, 0.0)
    with pytest.raises(InputError):
        deviation("value", float("nan"))


def test_one_sided_action_band_uniformity():
    assert evaluate("gc-uniformity-daily", 5.0).outcome == "ok"
    ev = evaluate("gc-uniformity-daily", 5.2)
    assert (ev.outcome, ev.decided_by, ev.status) == ("action", "action", "unverified")
    assert evaluate("gc-uniformity-daily", 0.0).outcome == "ok"  # no low limit


def test_verified_band_has_no_warning():
    ev = evaluate("survey-meter-calibration", 125.0, 100.0)  # +25 % > 20 % (10 CFR 35.61(b))
    assert ev.outcome == "action" and ev.status == "verified" and ev.warnings == ()
    assert evaluate("survey-meter-calibration", 80.0, 100.0).outcome == "ok"  # exactly −20 %


def test_department_override_keeps_reason_and_names_department():
    bands = BandOverride.from_limits("tighter local protocol after audit", unit="%", tolerance_low=-2, tolerance_high=2)
    ev = evaluate("am-constancy", 103.0, 100.0, bands=bands)
    assert ev.outcome == "tolerance" and ev.decided_by == "tolerance"
    assert ev.source == "department" and ev.status is None
    assert ev.override_reason == "tighter local protocol after audit"
    assert ev.action.source.id == "intended-cfr-2002-10-35-50c"  # the catalogue action band stays
    # catalogue action still decides above 10 %
    ev = evaluate("am-constancy", 111.0, 100.0, bands=bands)
    assert ev.outcome == "action" and ev.source == "intended-cfr-2002-10-35-50c"
    assert ev.to_dict()["override_reason"] == "tighter local protocol after audit"


def test_override_needs_reason_and_consistent_bands():
    with pytest.raises(InputError) as e:
        BandOverride.from_limits("  ", tolerance_low=-2, tolerance_high=2)
    assert e.value.field == "reason"
    with pytest.raises(InputError):
        BandOverride(reason="x")
    wide = BandOverride.from_limits("wider", tolerance_low=-12, tolerance_high=12)  # wider than action ±10
    with pytest.raises(InputError, match="action band must contain"):
        evaluate("am-constancy", 100.0, 100.0, bands=wide)
    with pytest.raises(InputError):
        Band(5.0, 1.0, "%")


def test_test_without_catalogue_bands_needs_department_bands():
    with pytest.raises(InputError, match="no bands in the catalogue") as e:
        evaluate("gc-resolution", 8.4, 8.0)
    assert e.value.field == "bands"
    ev = evaluate("gc-resolution", 8.4, 8.0, BandOverride.from_limits("acceptance FWHM + 10 %", tolerance_high=10))
    assert ev.deviation == pytest.approx(5.0)  # 8.4 / 8.0 − 1 = 5 %
    assert ev.outcome == "ok" and ev.source == "department"


def test_unknown_test():
    with pytest.raises(InputError) as e:
        evaluate("am-nonsense", 1.0)
    assert e.value.field == "test" and "am-constancy" in e.value.message


def test_evaluate_bands_plain_limits():
    ev = evaluate_bands(7.0, tolerance_low=-5, tolerance_high=5, action_low=-10, action_high=10)
    assert ev.outcome == "tolerance" and ev.to_dict()["outcome"] == "tolerance"
    assert evaluate_bands(-10.0, action_low=-10).outcome == "ok"
    assert evaluate_bands(-10.5, action_low=-10).outcome == "action"
    with pytest.raises(InputError):
        evaluate_bands(1.0)
