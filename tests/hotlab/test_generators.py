"""Generator calculations against independent arithmetic.

Half-lives used by hand (the shipped table): Mo-99 2.7479 d = 65.9496 h (LNHB), Tc-99m 6.0072 h (ENSDF),
Rb-82 1.2652 min, Sr-85 64.850 d, Ge-68 270.95 d, Ga-68 67.83 min; Mo-99 → Tc-99m branch 0.8778.
Ingrowth is checked by integrating dA_p/dt = −λp·A_p, dA_d/dt = λd·(f·A_p − A_d) numerically (SciPy).
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from scipy.integrate import solve_ivp

from nmguard.errors import InputError
from nmguard.hotlab import available_activity, breakthrough, elution_yield

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
H = dt.timedelta(hours=1)
MO99_H = 2.7479 * 24
TC99M_H = 6.0072
LN2 = math.log(2)


def decayed(a, hours, half_life_h):
    return a * 2 ** (-hours / half_life_h)


def ode_daughter(parent0, hours, tp_h, td_h, f):
    lp, ld = LN2 / tp_h, LN2 / td_h

    def rhs(_t, y):
        return [-lp * y[0], ld * (f * y[0] - y[1])]

    sol = solve_ivp(rhs, (0.0, hours), [parent0, 0.0], method="LSODA", rtol=1e-11, atol=1e-3)
    return sol.y[1, -1]


# --------------------------------------------------------------------------- breakthrough


def test_mo99_ratio_and_usable_until():
    # 37 kBq Mo-99 in 740 MBq Tc-99m: 37/740 = 0.05 kBq/MBq, nrc limit 0.15
    r = breakthrough("Mo-99", 37e3, 740e6, T0, "nrc", now=T0)
    flat = r.flat()
    assert flat["ratio_kBq_per_MBq"] == pytest.approx(0.05)
    assert flat["limit_kBq_per_MBq"] == 0.15 and flat["within_limit"] is True and r.passed is True
    # by hand: λd − λp = ln2·(1/6.0072 − 1/65.9496) h⁻¹ = 0.104876 h⁻¹; t = ln(3)/0.104876 = 10.4754 h
    assert flat["hours_until_limit"] == pytest.approx(10.4754, abs=1e-3)
    until = dt.datetime.fromisoformat(flat["usable_until"])
    hours = (until - T0).total_seconds() / 3600
    # at usable_until, each activity decayed by 2^(−t/T) gives a ratio equal to the limit
    ratio_then = decayed(37e3, hours, MO99_H) / 1e3 / (decayed(740e6, hours, TC99M_H) / 1e6)
    assert ratio_then == pytest.approx(0.15, rel=1e-9)
    q = r.values["limit_kBq_per_MBq"]
    assert q.source == "cfr-10-35-204" and q.status == "verified"


def test_breakthrough_already_above_is_now():
    r = breakthrough("Mo-99", 0.2e3 * 740, 740e6, T0, now=T0).flat()  # 0.2 > 0.15
    assert r["ratio_kBq_per_MBq"] == pytest.approx(0.2)
    assert r["within_limit"] is False and r["usable_until"] == "now"


def test_breakthrough_exactly_at_limit_is_within_and_ends_now():
    r = breakthrough("Mo-99", 0.15e3 * 740, 740e6, T0, now=T0).flat()
    assert r["within_limit"] is True and dt.datetime.fromisoformat(r["usable_until"]) == T0


def test_no_parent_never_reaches_the_limit():
    r = breakthrough("Mo-99", 0.0, 740e6, T0, now=T0).flat()
    assert r["ratio_kBq_per_MBq"] == 0 and r["within_limit"] is True and r["usable_until"] == "never"


def test_sr85_in_rb82_reaches_limit_within_minutes():
    # 0.1 kBq Sr-85 per MBq Rb-82, limit 0.2: t = ln2/(ln2/1.2652 − ln2/(64.850·1440)) min = 1.26522 min
    r = breakthrough("Sr-85", 100e3, 1000e6, T0, now=T0).flat()
    assert r["limit_kBq_per_MBq"] == 0.2
    expected_min = LN2 / (LN2 / 1.2652 - LN2 / (64.850 * 1440))
    assert r["hours_until_limit"] * 60 == pytest.approx(expected_min, rel=1e-9)
    assert expected_min == pytest.approx(1.26522, abs=1e-4)


def test_ge68_nrc_has_no_limit_but_euratom_does():
    r = breakthrough("Ge-68", 10.0, 740e6, T0, "nrc", now=T0)
    flat = r.flat()
    assert flat["limit_kBq_per_MBq"] is None and flat["within_limit"] is None and flat["usable_until"] is None
    assert any("sets no Ge-68" in w for w in r.warnings)
    # 3.7 kBq Ge-68 in 740 MBq Ga-68 = 0.005 kBq/MBq < 0.01 (0.001 % of the total)
    e = breakthrough("Ge-68", 3.7e3, 740e6, T0, "euratom", now=T0)
    assert e.flat()["ratio_kBq_per_MBq"] == pytest.approx(0.005) and e.flat()["within_limit"] is True
    # t = ln2/(ln2/67.83 min − ln2/270.95 d) = 67.84 min
    assert e.flat()["hours_until_limit"] * 60 == pytest.approx(1 / (1 / 67.83 - 1 / (270.95 * 1440)), rel=1e-9)
    assert e.values["limit_kBq_per_MBq"].status == "secondary"
    assert any("secondary" in w for w in e.warnings)


def test_measured_at_in_the_future_is_refused_beyond_the_margin():
    assert breakthrough("Mo-99", 37e3, 740e6, T0 + 9 * dt.timedelta(minutes=1), now=T0).flat()["within_limit"]
    with pytest.raises(InputError) as exc:
        breakthrough("Mo-99", 37e3, 740e6, T0 + 11 * dt.timedelta(minutes=1), now=T0)
    assert exc.value.field == "measured_at"
    # a wider margin accepts it
    breakthrough("Mo-99", 37e3, 740e6, T0 + 11 * dt.timedelta(minutes=1), now=T0, future_margin_minutes=30)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"parent": "F-18"}, "parent"),
        ({"parent": "Zz-12"}, "parent"),
        ({"parent_activity_Bq": -1.0}, "parent_activity"),
        ({"daughter_activity_Bq": 0.0}, "daughter_activity"),
        ({"measured_at": dt.datetime(2026, 3, 2, 8)}, "measured_at"),
        ({"profile": "mars"}, "profile"),
    ],
)
def test_breakthrough_bad_input(kwargs, field):
    args = {
        "parent": "Mo-99",
        "parent_activity_Bq": 37e3,
        "daughter_activity_Bq": 740e6,
        "measured_at": T0,
        "profile": "nrc",
        **kwargs,
    }
    with pytest.raises(InputError) as exc:
        breakthrough(**args, now=T0)
    assert exc.value.field == field


# --------------------------------------------------------------------------- elution yield


def test_elution_yield_against_numerical_bateman():
    # 20 GBq Mo-99 at calibration T0; last elution T0 + 24 h; this elution T0 + 48 h (24 h ingrowth)
    last, at = T0 + 24 * H, T0 + 48 * H
    parent_last = decayed(20e9, 24, MO99_H)
    available = ode_daughter(parent_last, 24.0, MO99_H, TC99M_H, 0.8778)
    r = elution_yield(20e9, T0, last, 0.9 * available, at, parent="Mo-99", elution_efficiency=0.9)
    flat = r.flat()
    assert flat["available_Bq"] == pytest.approx(available, rel=1e-7)
    assert flat["available_MBq"] == pytest.approx(available / 1e6, rel=1e-7)
    assert flat["yield_percent"] == pytest.approx(90.0, rel=1e-7)
    assert flat["parent_activity_at_last_elution_Bq"] == pytest.approx(parent_last, rel=1e-12)
    assert flat["parent_activity_at_elution_Bq"] == pytest.approx(decayed(20e9, 48, MO99_H), rel=1e-12)
    assert flat["expected_eluted_MBq"] == pytest.approx(0.9 * available / 1e6, rel=1e-7)
    assert flat["branch_fraction"] == 0.8778 and r.values["branch_fraction"].status == "derived"
    # by hand: 0.8778 · 15.54 GBq · λd/(λd − λp) (= 0.16647/0.15130 = 1.1002) · (0.7770 − 0.0627) = 10.72 GBq
    assert available == pytest.approx(10.72e9, rel=1e-3)
    assert r.warnings == ()


def test_elution_yield_without_last_elution_counts_from_calibration():
    at = T0 + 23 * H
    available = ode_daughter(10e9, 23.0, MO99_H, TC99M_H, 0.8778)
    r = elution_yield(10e9, T0, None, 5e9, at)
    assert r.flat()["available_Bq"] == pytest.approx(available, rel=1e-7)
    assert any("no last elution" in w for w in r.warnings)


def test_calibration_after_the_elutions_decays_the_parent_backwards():
    # generators are often calibrated for a later reference day: parent at the last elution is larger
    cal = T0 + 72 * H
    a, parent_last, parent_at = available_activity("Mo-99", 10e9, cal, T0, T0 + 6 * H)
    assert parent_last == pytest.approx(10e9 * 2 ** (72 / MO99_H), rel=1e-12)
    assert a == pytest.approx(ode_daughter(parent_last, 6.0, MO99_H, TC99M_H, 0.8778), rel=1e-7)


def test_ge68_generator_uses_branch_one():
    # 1.85 GBq Ge-68; 4 h ingrowth of Ga-68 (67.83 min) from an empty column
    r = elution_yield(1.85e9, T0, T0 + 24 * H, 1.0e9, T0 + 28 * H, parent="Ge-68").flat()
    expected = ode_daughter(decayed(1.85e9, 24, 270.95 * 24), 4.0, 270.95 * 24, 67.83 / 60, 1.0)
    assert r["available_Bq"] == pytest.approx(expected, rel=1e-7)
    assert r["yield_percent"] == pytest.approx(100e9 / expected, rel=1e-7)


def test_yield_above_100_warns():
    r = elution_yield(10e9, T0, T0, 9e9, T0 + 24 * H)
    assert r.flat()["yield_percent"] > 100 and any("exceeds 100" in w for w in r.warnings)


def test_elution_before_last_elution_is_time_travel():
    with pytest.raises(InputError) as exc:
        elution_yield(10e9, T0, T0 + 24 * H, 5e9, T0 + 23 * H)
    assert exc.value.field == "last_elution"
    with pytest.raises(InputError):
        elution_yield(10e9, T0, T0, 5e9, T0)  # no ingrowth time
    with pytest.raises(InputError) as exc:
        elution_yield(10e9, T0, T0, 5e9, T0 + H, elution_efficiency=1.5)
    assert exc.value.field == "elution_efficiency"
