"""Durations of restrictions (NMGuard's model) against the closed form, and breast-feeding from its table."""

import math

import pytest

from nmguard.protection.release import assess_release
from nmguard.protection.release_restrictions import (
    Component,
    breastfeeding_for,
    dose_after,
    restriction_days,
    restrictions,
)


def test_single_exponential_matches_the_closed_form():
    # D(t) = r0 h / d^2 * T/ln2 * exp(-ln2 t / T) = C  ->  t = T/ln2 * ln(r0 h T / (d^2 ln2 C))
    r0, h, d, t_half, c = 0.05, 8.0, 0.5, 8.04, 1.0
    expected = t_half / math.log(2) * math.log(r0 * h * t_half / (d**2 * math.log(2) * c))
    got = restriction_days(r0, (Component(1.0, t_half),), h, d, c)
    assert got == pytest.approx(expected, rel=1e-9)
    assert dose_after(r0, (Component(1.0, t_half),), h, d, got) == pytest.approx(c, rel=1e-9)


def test_no_restriction_when_the_whole_dose_is_within_the_constraint():
    assert restriction_days(0.001, (Component(1.0, 0.25),), 8.0, 1.0, 1.0) == 0.0


def test_two_components_dose_is_the_sum_of_each():
    comps = (Component(0.95, 0.32), Component(0.05, 7.3))
    whole = dose_after(0.3, comps, 6.0, 1.0, 2.0)
    parts = sum(dose_after(0.3, (c,), 6.0, 1.0, 2.0) for c in comps)
    assert whole == pytest.approx(parts, rel=1e-12)


def test_whole_days_cover_the_exact_duration_and_the_day_before_does_not():
    comps = (Component(1.0, 8.04),)
    for r in restrictions(0.07, comps):
        assert r.days >= r.exact_days > r.days - 1
        assert dose_after(0.07, comps, r.hours_per_day, r.distance_m, r.days) <= r.constraint_mSv + 1e-12
        if r.days > 0:
            assert dose_after(0.07, comps, r.hours_per_day, r.distance_m, r.days - 1) > r.constraint_mSv


def test_a_restriction_beyond_ten_years_is_reported_as_none_not_infinity():
    far = restrictions(1e12, (Component(1.0, 119.8),))
    assert all(r.days is None and r.exact_days is None for r in far)


def test_more_activity_never_shortens_a_restriction():
    low = assess_release("I-131", 3.0e9, "patient-specific", condition="thyroid-cancer")
    high = assess_release("I-131", 7.4e9, "patient-specific", condition="thyroid-cancer")
    for a, b in zip(low.restrictions, high.restrictions, strict=True):
        assert a.contact == b.contact and b.days >= a.days


def test_children_are_protected_to_the_public_constraint_and_partners_to_the_carers():
    d = assess_release("I-131", 5.55e9, "patient-specific", condition="thyroid-cancer")
    by = {r.contact: r for r in d.restrictions}
    assert by["young-children"].constraint_mSv == 1.0 and by["sleeping-apart"].constraint_mSv == 5.0


def test_breastfeeding_comes_from_the_breastfeeding_table():
    assert breastfeeding_for("I-131").cessation is True  # i131-iodide row, the only I-131 product in the table
    tc = breastfeeding_for("Tc-99m")
    assert tc.applies_to == "nuclide:Tc-99m" and tc.interruption_h == 24
    assert breastfeeding_for("Tc-99m", "tc99m-maa").applies_to == "tc99m-maa"
    assert breastfeeding_for("Sm-153") is None
    assert assess_release("Tc-99m", 1e9, "table").breastfeeding["interruption_h"] == 24
