"""TG-108's own worked examples (Madsen et al., Med. Phys. 33(1):4-15, 2006, Examples 1, 2, 4, 5, 6 and Table VII)
reproduced by the pure shielding layer.

Provenance of the expected numbers: the report itself could not be read here; the printed values are taken as
transcribed in a third-party open-source shielding project's test suite (values only, status "secondary"). Every
example uses the report's standard facility: F-18, 555 MBq per patient, 40 patients a week, 60 min uptake, 30 min
scan, uncontrolled-area goal 20 µSv/week, controlled 100 µSv/week.

Tolerances are the report's rounding: it carries R(t) as 0.83/0.91 and F_U as 0.68 and prints doses to three
figures, so doses and B agree to 2 %; thicknesses are printed to 0.1 cm of lead and 1 cm of concrete, so they
agree to 1.5 mm and 10 mm.
"""

from __future__ import annotations

import math

import pytest

from nmguard.protection.shielding import combine_at_point, pet_barrier

UNCONTROLLED, CONTROLLED = 20.0, 100.0


def uptake(distance_m: float, occupancy: float = 1.0, goal: float = UNCONTROLLED):
    return pet_barrier(
        room="uptake", activity_Bq=555e6, patients_per_week=40, uptake_s=3600,
        distance_m=distance_m, occupancy=occupancy, design_goal_uSv_week=goal,
    )  # fmt: skip


def scanner(distance_m: float, occupancy: float = 1.0, goal: float = UNCONTROLLED, voiding: bool = True):
    return pet_barrier(
        room="imaging", activity_Bq=555e6, patients_per_week=40, uptake_s=3600, imaging_s=1800,
        distance_m=distance_m, occupancy=occupancy, design_goal_uSv_week=goal, voiding=voiding,
    )  # fmt: skip


def test_example_1_uptake_room_wall_at_4_m():
    """Example 1: B = 0.189; about 1.2 cm of lead or 15 cm of concrete."""
    r = uptake(4.0)
    assert r.transmission_required == pytest.approx(0.189, rel=0.02)
    assert r.thickness_mm["lead"] == pytest.approx(12.0, abs=1.5)
    assert r.thickness_mm["concrete"] == pytest.approx(150.0, abs=10.0)


def test_example_2_scanner_room_wall_at_3_m_with_voiding():
    """Example 2: 59.7 µSv/week, B = 0.34 (two figures), about 0.8 cm of lead or 11 cm of concrete."""
    r = scanner(3.0)
    assert r.weekly_dose_uSv == pytest.approx(59.7, rel=0.02)
    assert r.transmission_required == pytest.approx(0.34, rel=0.03)
    assert r.thickness_mm["lead"] == pytest.approx(8.0, abs=1.5)
    assert r.thickness_mm["concrete"] == pytest.approx(110.0, abs=10.0)


def test_example_4_room_above_the_uptake_room():
    """Example 4: 3.8 m up, 117 µSv/week, B = 0.17, about 1.3 cm of lead. (Its prose says 17 cm of concrete, which
    its own Table IV does not give for B = 0.17: between 14 cm (0.2243) and 16 cm (0.1662); the fit gives
    about 16 cm, so the concrete figure is checked against the table, not the prose.)"""
    r = uptake(3.8)
    assert r.weekly_dose_uSv == pytest.approx(117.0, rel=0.02)
    assert r.transmission_required == pytest.approx(0.17, rel=0.02)
    assert r.thickness_mm["lead"] == pytest.approx(13.0, abs=1.5)
    assert 140.0 < r.thickness_mm["concrete"] < 160.0


def test_example_5_room_below_the_uptake_room():
    """Example 5: 3.6 m down, 131 µSv/week, B = 0.15."""
    r = uptake(3.6)
    assert r.weekly_dose_uSv == pytest.approx(131.0, rel=0.02)
    assert r.transmission_required == pytest.approx(0.15, rel=0.02)


def test_example_6_console_distance_for_5_mSv_a_year():
    """Example 6: the console must be 2.32 m from the scanner for 5 mSv in 50 working weeks."""
    at_1m = scanner(1.0).weekly_dose_uSv
    assert math.sqrt(at_1m * 50 / 5000.0) == pytest.approx(2.32, rel=0.01)


@pytest.mark.parametrize(
    ("point", "uptake_m", "scanner_m", "total_uSv", "b"),
    [
        ("Office 1", 8.0, 3.0, 97.2, 0.206),
        ("Office 2", 6.0, 3.0, 118.8, 0.169),
        ("Office 3", 8.0, 7.0, 40.0, 0.500),
        ("Office 8", 7.0, 8.0, 45.3, 0.442),
        ("Office 9", 9.0, 9.0, 29.2, 0.685),
    ],
)
def test_table_vii_offices_sum_both_rooms_before_b(point, uptake_m, scanner_m, total_uSv, b):
    """Table VII adds the uptake room's and the scanner's doses at each office, then forms one B. Its scanner
    column takes no voiding credit (70.1 µSv at 3 m against Example 2's 59.7 = 70.1 × 0.85)."""
    c = combine_at_point(
        [("uptake", uptake(uptake_m)), ("scanner", scanner(scanner_m, voiding=False))],
        occupancy=1.0,
        design_goal_uSv_week=UNCONTROLLED,
    )
    assert c.weekly_dose_uSv == pytest.approx(total_uSv, rel=0.02), point
    assert c.transmission_required == pytest.approx(b, rel=0.02), point


def test_table_vii_corridor_needs_no_shielding():
    """Corridor 1: T = 1/4, controlled goal 100 µSv/week, 378.8 µSv/week at 2.5 m from both: B > 1, none needed."""
    c = combine_at_point(
        [
            ("uptake", uptake(2.5, 0.25, CONTROLLED)),
            ("scanner", scanner(2.5, 0.25, CONTROLLED, voiding=False)),
        ],
        occupancy=0.25,
        design_goal_uSv_week=CONTROLLED,
    )
    assert c.weekly_dose_uSv == pytest.approx(378.8, rel=0.02)
    assert c.transmission_required > 1.0
    assert not c.shielding_needed
