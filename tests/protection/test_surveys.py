"""Workplace monitoring, pure layer: wipe conversion against hand calculations, the Currie detection limit
against its textbook equal-time form, dose-rate readings, due dates and the overdue state, constancy."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from nmguard.errors import InputError
from nmguard.protection import surveys

CURRIE = {"currie_constant": 2.71, "currie_k_sqrt2": 3.29}


def _wipe(**kw):
    args = dict(
        gross_counts=1200,
        gross_time_s=60,
        background_counts=600,
        background_time_s=600,
        efficiency=0.5,
        area_cm2=100,
        removal_fraction=1.0,
        action_level_Bq_cm2=3.33,
        **CURRIE,
    )
    args.update(kw)
    return surveys.wipe_activity(**args)


def test_wipe_activity_matches_a_hand_calculation():
    """1200 counts in 1 min (1200 cpm) - 600 counts in 10 min (60 cpm) = 1140 cpm; / (60 * 0.5 * 100 cm2) =
    0.38 Bq/cm2 with the wipe taken to remove everything, 3.8 Bq/cm2 with a removal fraction of 0.1 (ISO 7503-1).
    Tolerance 1e-12 relative (exact arithmetic)."""
    r = _wipe()
    assert r.gross_cpm == pytest.approx(1200) and r.background_cpm == pytest.approx(60)
    assert r.activity_Bq_cm2 == pytest.approx(0.38, rel=1e-12)
    assert not r.below_mda and not r.above_action_level
    r10 = _wipe(removal_fraction=0.1)
    assert r10.activity_Bq_cm2 == pytest.approx(3.8, rel=1e-12)
    assert _wipe(removal_fraction=0.1, action_level_Bq_cm2=3.0).above_action_level
    assert "Bq/cm²" in r.shown and "MDA" not in r.shown


def test_mda_matches_currie_equal_time_form():
    """Equal counting times: Currie's L_D = 2.71 + 4.65 sqrt(B) counts. B = 100 counts in 100 s each,
    eff 0.3, 100 cm2, f 1: L_D = 2.71 + 4.65*10 = 49.21 counts; MDA = 49.21 / (100 s * 0.3 * 100) =
    0.016403 Bq/cm2. 3.29*sqrt(2) = 4.6528 vs 4.65: tolerance 0.1 %."""
    r = _wipe(gross_counts=100, gross_time_s=100, background_counts=100, background_time_s=100, efficiency=0.3)
    assert r.mda_Bq_cm2 == pytest.approx(49.21 / 3000, rel=1e-3)
    assert r.below_mda and not r.above_action_level and r.shown.startswith("< MDA")


def test_mda_unequal_times_independent_calculation():
    """t_s = 60 s, t_b = 600 s, 600 background counts: B in t_s = 60 counts; L_D = 2.71 + 3.29 sqrt(60 * 1.1)
    = 29.4381 counts; MDA = 29.4381 / (60 * 0.5 * 100) = 0.0098127 Bq/cm2 (1e-4 relative)."""
    expected = (2.71 + 3.29 * math.sqrt(66.0)) / 3000.0
    assert _wipe().mda_Bq_cm2 == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.0098127, rel=1e-4)


def test_a_net_below_zero_reads_below_mda_and_never_above():
    r = _wipe(gross_counts=40, background_counts=600)
    assert r.net_cpm < 0 and r.below_mda and not r.above_action_level


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"gross_counts": -1}, "gross_counts"),
        ({"background_counts": -5}, "background_counts"),
        ({"gross_time_s": 0}, "gross_time_s"),
        ({"background_time_s": -60}, "background_time_s"),
        ({"area_cm2": 0}, "area_cm2"),
        ({"area_cm2": -100}, "area_cm2"),
        ({"efficiency": 0}, "efficiency"),
        ({"efficiency": 1.5}, "efficiency"),
        ({"removal_fraction": 0}, "removal_fraction"),
        ({"removal_fraction": 2}, "removal_fraction"),
        ({"gross_counts": float("nan")}, "gross_counts"),
    ],
)
def test_impossible_wipe_values_are_refused_by_field(kw, field):
    with pytest.raises(InputError) as err:
        _wipe(**kw)
    assert err.value.field == field


def test_dose_rate_reading_subtracts_background_and_compares():
    r = surveys.survey_reading(12.0, 0.15, 10.0)
    assert r.net == pytest.approx(11.85) and r.above_action_level
    assert not surveys.survey_reading(10.1, 0.2, 10.0).above_action_level  # 9.9 net
    assert surveys.survey_reading(0.1, 0.2, 0.5).net == 0.0
    assert surveys.survey_reading(0.6, None, 0.5).above_action_level
    with pytest.raises(InputError) as err:
        surveys.survey_reading(-1, None, 0.5)
    assert err.value.field == "reading"


@pytest.mark.parametrize(
    "day, frequency, due",
    [
        (dt.date(2026, 3, 2), "daily", dt.date(2026, 3, 3)),
        (dt.date(2026, 12, 31), "daily", dt.date(2027, 1, 1)),
        (dt.date(2026, 3, 2), "weekly", dt.date(2026, 3, 9)),
        (dt.date(2026, 1, 31), "monthly", dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), "monthly", dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 30), "quarterly", dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 15), "monthly", dt.date(2027, 1, 15)),
    ],
)
def test_due_date_from_frequency(day, frequency, due):
    assert surveys.add_frequency(day, frequency) == due


def test_schedule_state_due_and_overdue_by_grace_days():
    last = dt.date(2026, 3, 2)  # weekly: due 9 March, overdue after 11 March with 2 grace days
    state = lambda today: surveys.schedule_state(last, "weekly", today, 2, dt.date(2026, 1, 1)).state  # noqa: E731
    assert state(dt.date(2026, 3, 8)) == "ok"
    assert state(dt.date(2026, 3, 9)) == "due"
    assert state(dt.date(2026, 3, 11)) == "due"
    assert state(dt.date(2026, 3, 12)) == "overdue"
    never = surveys.schedule_state(None, "daily", dt.date(2026, 3, 5), 0, dt.date(2026, 3, 4))
    assert never.due == dt.date(2026, 3, 4) and never.state == "overdue"
    with pytest.raises(InputError):
        surveys.add_frequency(last, "yearly")


def test_constancy_within_tolerance():
    assert surveys.constancy_passes(108, 100, 0.10)
    assert surveys.constancy_passes(90, 100, 0.10)
    assert not surveys.constancy_passes(111, 100, 0.10)
