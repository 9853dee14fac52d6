"""PET barrier design (AAPM TG-108) and the same model for SPECT rooms and the hot lab.

What is checked against what:
* TG-108's barrier equations as the report prints them, with its rounded constants: uptake room
  B = 10.9 P d^2 / (T N A0 t_U R_tU), imaging room B = 12.8 P d^2 / (T N A0 t_I F_U R_tI) (10.9 = 1/0.092,
  12.8 = 1/(0.092 x 0.85)); agreement within 0.5 %, the size of the report's rounding of 10.87 and 12.79.
* TG-108's R_t = 0.83 for a 60-min uptake of F-18 (two decimals, as the report rounds), and R_t against a
  numerical mean of the decay curve.
* A worked example by hand (555 MBq, 40 patients/week, 60 min, 3 m, T = 1, P = 20 uSv/week).
The report's own example-facility numbers could not be read (see docs/shielding.md), so they are not claimed.
"""

from __future__ import annotations

import math

import pytest

from nmguard.errors import InputError
from nmguard.physics.units import parse_dose
from nmguard.protection.shielding import dose_reduction_factor, fit_energy, pet_barrier, source_barrier
from nmguard.reference.dose_limits import all_dose_limits
from nmguard.reference.nuclides import get_nuclide
from nmguard.reference.shielding import design_goal

T_HALF_H = get_nuclide("F-18").half_life_s / 3600
BASE = dict(activity_Bq=555e6, patients_per_week=40, uptake_s=3600.0, distance_m=3.0, occupancy=1.0)


def tg108_r(t_h: float) -> float:
    """R_t with TG-108's printed constants 1.443 and 0.693."""
    return 1.443 * (T_HALF_H / t_h) * (1 - math.exp(-0.693 * t_h / T_HALF_H))


def test_dose_reduction_factor_tg108_and_numerical_mean():
    assert round(dose_reduction_factor(1.0, 109.8 / 60), 2) == 0.83  # TG-108: R_t = 0.83 for 60 min of F-18
    for t in (0.25, 0.5, 1.0, 2.0, 6.0):
        n = 20_000  # midpoint rule for the mean of exp(-ln2 s / T) over [0, t]
        mean = sum(math.exp(-math.log(2) * (i + 0.5) * t / n / T_HALF_H) for i in range(n)) / n
        assert dose_reduction_factor(t, T_HALF_H) == pytest.approx(mean, rel=1e-8)
        assert dose_reduction_factor(t, T_HALF_H) == pytest.approx(tg108_r(t), rel=2e-4)
    assert dose_reduction_factor(1e-9, T_HALF_H) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("p", "d", "t", "n", "a_mbq", "tu_h"), [(20, 3.0, 1.0, 40, 555, 1.0), (100, 2.0, 0.5, 25, 370, 1.5)]
)
def test_uptake_room_reproduces_tg108_equation(p, d, t, n, a_mbq, tu_h):
    r = pet_barrier(
        room="uptake",
        activity_Bq=a_mbq * 1e6,
        patients_per_week=n,
        uptake_s=tu_h * 3600,
        distance_m=d,
        occupancy=t,
        design_goal_uSv_week=p,
    )
    expected = 10.9 * p * d**2 / (t * n * a_mbq * tu_h * tg108_r(tu_h))
    assert r.transmission_required == pytest.approx(expected, rel=5e-3)


@pytest.mark.parametrize(
    ("p", "d", "t", "n", "a_mbq", "tu_h", "ti_h"),
    [(20, 4.0, 1.0, 40, 555, 1.0, 0.5), (100, 2.5, 0.25, 30, 400, 1.0, 0.75)],
)
def test_imaging_room_reproduces_tg108_equation(p, d, t, n, a_mbq, tu_h, ti_h):
    r = pet_barrier(
        room="imaging",
        activity_Bq=a_mbq * 1e6,
        patients_per_week=n,
        uptake_s=tu_h * 3600,
        imaging_s=ti_h * 3600,
        distance_m=d,
        occupancy=t,
        design_goal_uSv_week=p,
    )
    f_u = math.exp(-0.693 * tu_h / T_HALF_H)
    expected = 12.8 * p * d**2 / (t * n * a_mbq * ti_h * f_u * tg108_r(ti_h))
    assert r.transmission_required == pytest.approx(expected, rel=5e-3)
    no_void = pet_barrier(**{**BASE, "room": "imaging", "imaging_s": 1800.0, "design_goal_uSv_week": 20}, voiding=False)
    voided = pet_barrier(**{**BASE, "room": "imaging", "imaging_s": 1800.0, "design_goal_uSv_week": 20})
    assert voided.weekly_dose_uSv == pytest.approx(0.85 * no_void.weekly_dose_uSv, rel=1e-12)


def test_worked_uptake_example_by_hand():
    # 555 MBq F-18, 40 patients a week, 60 min uptake, office 3 m away, T = 1, P = 20 uSv/week:
    # D1 = 0.092 x 555 x 1 h x R / 3^2 with R = 0.8323 -> 4.722 uSv; D_week = 188.9 uSv; B = 20 / 188.9 = 0.1059
    r = pet_barrier(room="uptake", design_goal_uSv_week=20, **BASE)
    assert r.weekly_dose_uSv == pytest.approx(188.9, abs=0.1)
    assert r.transmission_required == pytest.approx(0.1059, abs=1e-4)
    assert r.shielding_needed
    # thicknesses by bisection of TG-108's power form are in test_shielding_transmission; here: order of materials
    assert 10 < r.thickness_mm["lead"] < r.thickness_mm["iron"] < r.thickness_mm["concrete"]
    steps = {s.symbol: s for s in r.steps}
    assert steps["D_week"].value == r.weekly_dose_uSv and steps["D_week"].unit == "µSv/week"
    assert steps["B"].value == r.transmission_required
    assert steps["Γ"].value == 0.092 and steps["Γ"].source == "aapm-tg108-2006"
    assert steps["x_lead"].value == r.thickness_mm["lead"] and steps["x_lead"].unit == "mm"


def test_workload_and_distance_scale_as_the_model_says():
    one = pet_barrier(room="uptake", design_goal_uSv_week=20, **BASE)
    double = pet_barrier(room="uptake", design_goal_uSv_week=20, **{**BASE, "patients_per_week": 80})
    far = pet_barrier(room="uptake", design_goal_uSv_week=20, **{**BASE, "distance_m": 6.0})
    assert double.transmission_required == pytest.approx(one.transmission_required / 2, rel=1e-12)
    assert far.weekly_dose_uSv == pytest.approx(one.weekly_dose_uSv / 4, rel=1e-12)
    assert double.thickness_mm["lead"] > one.thickness_mm["lead"]


def test_no_shielding_needed_when_b_at_least_one():
    r = pet_barrier(room="uptake", design_goal_uSv_week=100, **{**BASE, "distance_m": 20.0, "occupancy": 0.05})
    assert r.transmission_required >= 1 and not r.shielding_needed
    assert r.thickness_mm == {"lead": 0.0, "concrete": 0.0, "iron": 0.0}
    assert r.warnings


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"room": "waiting"}, "room"),
        ({"activity_Bq": -1.0}, "activity"),
        ({"activity_Bq": math.nan}, "activity"),
        ({"patients_per_week": 0}, "patients_per_week"),
        ({"distance_m": 0.0}, "distance_m"),
        ({"occupancy": 0.0}, "occupancy"),
        ({"occupancy": 1.5}, "occupancy"),
        ({"uptake_s": 0.0}, "uptake_min"),
        ({"design_goal_uSv_week": 0.0}, "design_goal"),
        ({"room": "imaging"}, "imaging_min"),  # the imaging room needs the scan time
        ({"imaging_s": 1800.0}, "imaging_min"),  # the uptake room takes none
    ],
)
def test_bad_input_names_the_field(change, field):
    kwargs = {"room": "uptake", "design_goal_uSv_week": 20.0, **BASE, **change}
    with pytest.raises(InputError) as err:
        pet_barrier(**kwargs)
    assert err.value.field == field


def test_design_goals_per_profile():
    nrc_public = all_dose_limits()["nrc"].limit("public", "effective").single_year.value
    g = design_goal("nrc", "uncontrolled")
    assert g.weekly_uSv.value == pytest.approx(nrc_public * 1000 / 50) == pytest.approx(20.0)
    assert g.annual_mSv.source.id == "cfr-10-20-1301"  # taken from dose_limits, not repeated
    assert design_goal("nrc", "controlled").weekly_uSv.value == pytest.approx(100.0)
    iaea = design_goal("iaea", "uncontrolled")
    assert iaea.annual_mSv.status.value == "unverified" and iaea.weekly_uSv.value == pytest.approx(6.0)
    with pytest.raises(InputError) as err:
        design_goal("mars", "controlled")
    assert err.value.field == "profile"
    with pytest.raises(InputError) as err:
        design_goal("nrc", "hallway")
    assert err.value.field == "area"


def test_design_goal_text_is_parsed_once_for_all():
    assert parse_dose("20 uSv/week", "design_goal", per="week") * 1e6 == pytest.approx(20.0)
    assert parse_dose("0.1 mSv/wk", "design_goal", per="week") * 1e6 == pytest.approx(100.0)
    for bad in ("20 uSv", "1 mSv/y", "twenty", "20 Gy/week", "-5 uSv/week"):
        with pytest.raises(InputError) as err:
            parse_dose(bad, "design_goal", per="week")
        assert err.value.field == "design_goal"


def test_source_barrier_spect_and_hot_lab():
    kw = dict(activity_Bq=740e6, sources_per_week=50, stay_s=1800.0, delay_s=7200.0, distance_m=2.0, occupancy=1.0)
    with pytest.raises(InputError, match="not yet") as err:
        source_barrier(nuclide="Tc-99m", design_goal_uSv_week=20, **kw)
    assert err.value.field == "nuclide"
    r = source_barrier(nuclide="Tc-99m", design_goal_uSv_week=20, thickness=False, **kw)
    tc = get_nuclide("Tc-99m")
    th = tc.half_life_s / 3600
    by_hand = 50 * tc.air_kerma_rate_constant.value * 740 * 2 ** (-2 / th) * 0.5 * dose_reduction_factor(0.5, th) / 4
    assert r.weekly_dose_uSv == pytest.approx(by_hand, rel=1e-12)
    assert r.transmission_required == pytest.approx(20 / by_hand, rel=1e-12) and r.thickness_mm == {}
    # F-18 vials in the hot lab: only 511 keV photons, so TG-108's fits apply; no body in the way, so the
    # dose is the air constant / the patient constant times the patient's dose for the same stay
    assert fit_energy("F-18") == "511keV" and fit_energy("Ga-68") is None and fit_energy("Tc-99m") is None
    vial = source_barrier(
        nuclide="F-18", activity_Bq=555e6, sources_per_week=40, stay_s=3600.0, distance_m=3.0, occupancy=1.0,
        design_goal_uSv_week=20,
    )  # fmt: skip
    patient = pet_barrier(room="uptake", design_goal_uSv_week=20, **BASE)
    gamma_air = get_nuclide("F-18").air_kerma_rate_constant.value
    assert vial.weekly_dose_uSv == pytest.approx(patient.weekly_dose_uSv * gamma_air / 0.092, rel=1e-12)
    assert vial.thickness_mm["lead"] > patient.thickness_mm["lead"]


def test_one_point_behind_two_rooms_adds_the_weekly_doses_first():
    from nmguard.protection.shielding import combine_at_point

    uptake = pet_barrier(room="uptake", design_goal_uSv_week=20, **BASE)
    scan = pet_barrier(room="imaging", imaging_s=1800.0, design_goal_uSv_week=20, **{**BASE, "distance_m": 4.0})
    both = combine_at_point([("uptake 1", uptake), ("scanner", scan)], occupancy=1.0, design_goal_uSv_week=20)
    total = uptake.weekly_dose_uSv + scan.weekly_dose_uSv
    assert both.weekly_dose_uSv == pytest.approx(total, rel=1e-15)
    assert both.transmission_required == pytest.approx(20 / total, rel=1e-12)
    assert both.thickness_mm["lead"] > uptake.thickness_mm["lead"]  # more dose, same goal: thicker
    assert [s.symbol for s in both.steps][:3] == ["D_week[uptake 1]", "D_week[scanner]", "D_week"]
    tc = source_barrier(
        nuclide="Tc-99m", activity_Bq=740e6, sources_per_week=50, stay_s=1800.0, distance_m=2.0, occupancy=1.0,
        design_goal_uSv_week=20, thickness=False,
    )  # fmt: skip
    mixed = combine_at_point([("uptake", uptake), ("gamma camera", tc)], occupancy=1.0, design_goal_uSv_week=20)
    assert mixed.thickness_mm == {}  # no cited fit covers Tc-99m: B alone
    with pytest.raises(InputError) as err:
        combine_at_point([], occupancy=1.0, design_goal_uSv_week=20)
    assert err.value.field == "contributions"


def test_activity_decayed_away_before_the_stay_is_bad_input():
    with pytest.raises(InputError) as err:
        pet_barrier(room="imaging", imaging_s=1800.0, design_goal_uSv_week=20, **{**BASE, "uptake_s": 9e8})
    assert err.value.field == "uptake_min"
