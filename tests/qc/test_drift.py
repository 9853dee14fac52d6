"""Drift rules on QC trends (pure layer): Nelson's test 3 and a least-squares slope test, checked against
independent calculations (numpy's polyfit, the t distribution) and the shipped, cited parameters."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources

import numpy as np
import pytest
from scipy import stats

from nmguard.errors import InputError
from nmguard.qc.catalogue import Band, get_qc_test
from nmguard.qc.drift import TrendPoint, check_drift
from nmguard.reference.citations import Status, citations
from nmguard.reference.qc_drift_rules import QC_DRIFT_FILE, drift_rules

T0 = dt.datetime(2026, 11, 26, 7, 45, tzinfo=dt.UTC)
FLOOD = get_qc_test("gc-uniformity-daily")  # action: integral UFOV ≤ 5 %
CONSTANCY = get_qc_test("am-constancy")  # tolerance ±5 %, action ±10 %
DRIFT = [1.233, 1.407, 1.598, 1.771, 1.981, 2.16, 2.381, 2.597, 2.733, 2.949]  # the demo's floods


def series(values, outcomes=None, step_days=1.0):
    outcomes = outcomes or ["ok"] * len(values)
    pairs = enumerate(zip(values, outcomes, strict=True))
    return [TrendPoint(T0 + dt.timedelta(days=i * step_days), v, o) for i, (v, o) in pairs]


def check(values, test=FLOOD, **kw):
    return check_drift(series(values, **kw), tolerance=test.tolerance, action=test.action, unit=test.band_unit)


def test_shipped_parameters_are_cited_with_a_status():
    rules = drift_rules()
    assert rules.run_length.value == 6  # Nelson's test 3: six points in a row
    assert rules.run.source.id == "nelson-1984-test3-secondary" and rules.run.status is Status.SECONDARY
    assert rules.slope.source.id == "nist-sematech-handbook-7-1-7"
    assert (rules.window.value, rules.min_points.value, rules.alpha.value, rules.horizon.value) == (10, 6, 0.05, 30)
    raw = tomllib.loads(resources.files("nmguard.reference.data").joinpath(QC_DRIFT_FILE).read_text("utf-8"))
    statuses = {s.value for s in Status}
    for table in (raw["run"], raw["slope"]):
        for entry in table.values():
            if isinstance(entry, dict):
                assert entry["source"] in citations() and entry["status"] in statuses
    assert all(c.id in citations() for c in rules.sources())


def test_the_demo_drift_triggers_both_rules_with_independently_computed_numbers():
    result = check(DRIFT)
    by_rule = {w.rule: w for w in result.warnings}
    assert set(by_rule) == {"run", "slope"}
    run, slope = by_rule["run"], by_rule["slope"]
    assert run.direction == slope.direction == "rising" and run.limit == slope.limit == 5.0
    assert run.limit_role == "action" and run.points == 6
    x = np.arange(10.0)
    b, a = np.polyfit(x, DRIFT, 1)  # independent least-squares line
    assert slope.slope_per_day == pytest.approx(b, rel=1e-9)
    assert slope.days_to_limit == pytest.approx((5.0 - (a + b * 9)) / b, rel=1e-9)  # ≈ 11 d
    residuals = np.asarray(DRIFT) - (a + b * x)
    se = np.sqrt(residuals @ residuals / 8 / ((x - x.mean()) ** 2).sum())
    assert slope.p_value == pytest.approx(2 * stats.t.sf(b / se, 8), rel=1e-6)
    assert abs(slope.reaches_limit_at - (T0 + dt.timedelta(days=9 + slope.days_to_limit))) < dt.timedelta(seconds=1)
    assert "5 %" in slope.message and "%/d" in slope.message and "{" not in slope.message


def test_five_rising_results_are_not_yet_a_run():
    result = check([1.0, 1.1, 1.2, 1.3, 1.4])
    assert not result.drifting  # run needs 6, slope needs at least 6 points


def test_a_run_must_be_strictly_monotonic():
    result = check([1.0, 1.1, 1.2, 1.2, 1.3, 1.4, 1.5], step_days=10)  # one tie; slow: limit far beyond 30 d
    assert [w.rule for w in result.warnings] == []


def test_only_a_direction_toward_a_limit_warns():
    falling = list(reversed(DRIFT))  # uniformity improving: the action band has no low limit
    assert not check(falling).drifting
    rising_meter = check([0.2, 0.9, 1.8, 2.5, 3.1, 3.9, 4.6, 5.4], test=CONSTANCY)  # toward +5 % tolerance ... +10 %
    assert {w.limit for w in rising_meter.warnings} == {10.0}  # the action level comes first
    falling_meter = check([-0.2, -0.9, -1.8, -2.5, -3.1, -3.9, -4.6], test=CONSTANCY)
    assert {w.limit for w in falling_meter.warnings} == {-10.0}


def test_a_tolerance_only_test_warns_toward_the_tolerance_limit():
    tolerance = Band(-5.0, 5.0, "%")
    result = check_drift(series([0, 0.8, 1.5, 2.4, 3.1, 3.9]), tolerance=tolerance, action=None, unit="%")
    assert {(w.limit, w.limit_role) for w in result.warnings} == {(5.0, "tolerance")}


def test_a_significant_but_slow_slope_beyond_the_horizon_does_not_warn():
    slow = [1.0 + 0.01 * i + (0.002 if i % 2 else -0.002) for i in range(10)]  # 0.01 %/d: 5 % in ~390 d
    result = check(slow)
    assert not [w for w in result.warnings if w.rule == "slope"]


def test_noise_alone_does_not_warn():
    rng = np.random.default_rng(7)
    alarms = sum(check(list(2.0 + 0.15 * rng.standard_normal(10))).drifting for _ in range(200))
    assert alarms <= 10  # in-control floods far from the 5 % action level: hardly ever a warning


def test_a_repair_starts_a_new_baseline_and_an_action_result_is_not_a_drift():
    before = DRIFT[:6] + [5.6]
    assert check(before, outcomes=["ok"] * 6 + ["action"]).warnings == ()  # latest at action: device locked
    after = check(DRIFT[:6] + [5.6, 1.2, 1.3], outcomes=["ok"] * 6 + ["action", "ok", "ok"])
    assert after.points_considered == 2 and not after.drifting


def test_results_in_any_order_and_bad_points():
    shuffled = series(DRIFT)[::-1]
    assert {w.rule for w in check_drift(shuffled, tolerance=None, action=FLOOD.action, unit="%").warnings} == {
        "run",
        "slope",
    }
    with pytest.raises(InputError):
        TrendPoint(dt.datetime(2026, 1, 1), 1.0)
    with pytest.raises(InputError):
        TrendPoint(T0, float("nan"))
