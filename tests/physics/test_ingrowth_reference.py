"""Ingrowth with the shipped nuclide data against published generator facts."""

import pytest

from nmguard.physics.ingrowth import daughter_activity, time_of_maximum_daughter
from nmguard.reference import get_nuclide


def test_mo99_tc99m_peak_about_23_hours():
    """99mTc activity in a generator peaks about 23 h after elution (e.g. Saha, Fundamentals of
    Nuclear Pharmacy, ch. 5: "maximum ... at about 23 h"); independent of the branch fraction."""
    mo, tc = get_nuclide("Mo-99"), get_nuclide("Tc-99m")
    t = time_of_maximum_daughter(mo.half_life_s, tc.half_life_s) / 3600
    assert 22.5 < t < 23.3


def test_mo99_tc99m_transient_equilibrium_ratio():
    """In transient equilibrium A_Tc/A_Mo → f·λd/(λd − λp) = f·T_Mo/(T_Mo − T_Tc) ≈ 0.96 for f ≈ 0.876."""
    mo, tc = get_nuclide("Mo-99"), get_nuclide("Tc-99m")
    f = mo.branch_fraction_to("Tc-99m")
    assert 0.86 < f < 0.89
    t = 10 * 24 * 3600.0
    a_tc = daughter_activity(1e9, mo.half_life_s, tc.half_life_s, t, f)
    a_mo = 1e9 * 2 ** (-t / mo.half_life_s)
    expected = f * mo.half_life_s / (mo.half_life_s - tc.half_life_s)
    assert a_tc / a_mo == pytest.approx(expected, rel=1e-6)
    assert 0.94 < a_tc / a_mo < 0.97


def test_ge68_ga68_secular_equilibrium():
    ge, ga = get_nuclide("Ge-68"), get_nuclide("Ga-68")
    assert ge.branch_fraction_to("Ga-68") == pytest.approx(1.0)
    # about 4 h after elution a 68Ge/68Ga generator is back to ~91 % (1 − 2^(−4 h / 67.7 min))
    a = daughter_activity(1e9, ge.half_life_s, ga.half_life_s, 4 * 3600.0, 1.0)
    assert a / 1e9 == pytest.approx(1 - 2 ** (-4 * 60 / 67.71), abs=0.003)
