"""Decay, cumulated activity and ingrowth against independent calculations.

Independent values: A = A0·2^(−t/T) evaluated with Python's ``2 ** x`` (not the exp/ln form the
code uses), and closed forms for the integral and the Bateman solution checked by numerical
integration of the differential equations (scipy-free: a fine Runge–Kutta loop).
"""

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nmguard.errors import InputError
from nmguard.physics.decay import cumulated_activity, decay_activity, decay_factor
from nmguard.physics.ingrowth import daughter_activity, parent_daughter_activity

UTC = dt.UTC
T_TC99M_S = 6.0067 * 3600  # any positive half-life serves these identities


def test_one_half_life_halves():
    t0 = dt.datetime(2026, 3, 2, 8, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    r = decay_activity(740e6, T_TC99M_S, t0, t0 + dt.timedelta(seconds=T_TC99M_S))
    assert r.activity_Bq == pytest.approx(370e6, rel=1e-12)
    assert r.decay_factor == pytest.approx(0.5, rel=1e-12)


def test_backwards_is_inverse_of_forwards():
    t0 = dt.datetime(2026, 3, 2, 8, tzinfo=UTC)
    t1 = t0 + dt.timedelta(hours=6)
    fwd = decay_activity(740e6, T_TC99M_S, t0, t1)
    back = decay_activity(fwd.activity_Bq, T_TC99M_S, t1, t0)
    assert back.activity_Bq == pytest.approx(740e6, rel=1e-12)
    assert back.elapsed_s == -6 * 3600


def test_offsets_are_respected():
    """08:00+01:00 and 07:00Z are the same instant: no decay between them."""
    a = dt.datetime(2026, 3, 2, 8, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    b = dt.datetime(2026, 3, 2, 7, tzinfo=UTC)
    assert decay_activity(1e6, T_TC99M_S, a, b).decay_factor == 1.0


def test_naive_times_refused():
    with pytest.raises(InputError):
        decay_activity(1e6, T_TC99M_S, dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2, tzinfo=UTC))


@given(half_life=st.floats(1.0, 1e9), half_lives=st.floats(-50.0, 200.0))
def test_decay_factor_matches_power_of_two(half_life, half_lives):
    elapsed = half_lives * half_life
    assert decay_factor(half_life, elapsed) == pytest.approx(2.0 ** (-half_lives), rel=1e-9)


def _rk4(deriv, y0, t_end, steps=20000):
    h = t_end / steps
    y = list(y0)
    for _ in range(steps):
        k1 = deriv(y)
        k2 = deriv([a + h / 2 * b for a, b in zip(y, k1, strict=True)])
        k3 = deriv([a + h / 2 * b for a, b in zip(y, k2, strict=True)])
        k4 = deriv([a + h * b for a, b in zip(y, k3, strict=True)])
        y = [a + h / 6 * (b + 2 * c + 2 * d + e) for a, b, c, d, e in zip(y, k1, k2, k3, k4, strict=True)]
    return y


def test_cumulated_activity_matches_numerical_integral():
    lam = math.log(2) / T_TC99M_S
    # midpoint-rule integral of A0 e^(−λt) over 10 h
    steps, t_end = 20000, 10 * 3600
    h = t_end / steps
    total = sum(1e9 * math.exp(-lam * (i + 0.5) * h) * h for i in range(steps))  # midpoint rule
    assert cumulated_activity(1e9, T_TC99M_S, t_end) == pytest.approx(total, rel=1e-7)
    assert cumulated_activity(1e9, T_TC99M_S) == pytest.approx(1e9 * T_TC99M_S / math.log(2), rel=1e-12)


@pytest.mark.parametrize(
    ("tp_h", "td_h", "branch", "t_h"),
    [
        (65.94, 6.0067, 0.8773, 24.0),  # Mo-99 / Tc-99m transient equilibrium
        (65.94, 6.0067, 0.8773, 3.0),
        (270.95 * 24, 67.71 / 60, 1.0, 5.0),  # Ge-68 / Ga-68 secular equilibrium
        (6.0, 6.0, 1.0, 10.0),  # equal half-lives: the limiting form
        (2.0, 10.0, 1.0, 7.0),  # daughter longer-lived than parent
    ],
)
def test_bateman_matches_ode(tp_h, td_h, branch, t_h):
    lp, ld = math.log(2) / (tp_h * 3600), math.log(2) / (td_h * 3600)
    # number of atoms: dNp/dt = −λp Np; dNd/dt = f λp Np − λd Nd; start with 1 GBq parent, 0.1 GBq daughter
    np0, nd0 = 1e9 / lp, 1e8 / ld
    np_t, nd_t = _rk4(lambda y: [-lp * y[0], branch * lp * y[0] - ld * y[1]], [np0, nd0], t_h * 3600)
    parent, daughter = parent_daughter_activity(1e9, tp_h * 3600, td_h * 3600, t_h * 3600, branch, 1e8)
    assert parent == pytest.approx(lp * np_t, rel=1e-9)
    assert daughter == pytest.approx(ld * nd_t, rel=1e-8)


def test_secular_equilibrium_daughter_equals_parent():
    """Ge-68/Ga-68: after 10 daughter half-lives the daughter activity equals the parent's."""
    parent, daughter = parent_daughter_activity(1e9, 270.95 * 86400, 67.71 * 60, 10 * 67.71 * 60)
    assert daughter == pytest.approx(parent, rel=1.1e-3)  # 1 − 2^−10 of equilibrium


def test_ingrowth_refuses_bad_input():
    with pytest.raises(InputError):
        daughter_activity(-1, 10, 1, 1)
    with pytest.raises(InputError):
        daughter_activity(1, 10, 1, -1)
    with pytest.raises(InputError):
        daughter_activity(1, 10, 1, 1, branch_fraction=1.2)
