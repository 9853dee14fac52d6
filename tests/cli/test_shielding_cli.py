"""``nmguard shielding pet|source`` as a user runs it. The numbers are worked by hand from TG-108's equations
(docs/shielding.md): 555 MBq, 40 patients/week, 60 min uptake, 3 m, T = 1, P = 20 uSv/week ->
D_week = 40 x 0.092 x 555 x 1 h x 0.8323 / 9 = 188.9 uSv/week, B = 0.1059."""

from __future__ import annotations

import math

import pytest
from tests.cli.in_process import in_process

from nmguard.protection.shielding_transmission import archer_transmission
from nmguard.reference.shielding import archer_fit

UPTAKE = [
    "shielding", "pet", "--room", "uptake", "--activity", "555 MBq", "--patients-per-week", "40",
    "--uptake-min", "60", "--distance-m", "3", "--occupancy", "1",
]  # fmt: skip
IMAGING = [
    "shielding", "pet", "--room", "imaging", "--activity", "15 mCi", "--patients-per-week", "40",
    "--uptake-min", "60", "--imaging-min", "30", "--distance-m", "4", "--occupancy", "1",
]  # fmt: skip


run, run_json = in_process()


def test_uptake_room_contract_and_numbers(capsys):
    r = run_json(capsys, *UPTAKE, "--design-goal", "20 uSv/week")
    assert {"weekly_dose_uSv", "transmission_required", "lead_mm", "concrete_mm", "iron_mm", "steps"} <= set(r)
    assert r["weekly_dose_uSv"] == pytest.approx(188.9, abs=0.1)
    assert r["transmission_required"] == pytest.approx(0.1059, abs=1e-4)
    for material in ("lead", "concrete", "iron"):  # each thickness gives the required B back
        b = archer_transmission(archer_fit(material), r[f"{material}_mm"])
        assert b == pytest.approx(r["transmission_required"], rel=1e-9)
    assert r["design_goal"] == {"basis": "given", "text": "20 uSv/week"}
    assert [s["symbol"] for s in r["steps"]][-4:] == ["B", "x_lead", "x_concrete", "x_iron"]


def test_imaging_room_with_the_profiles_goal(capsys):
    # 15 mCi = 555 MBq; P from the NRC public limit 1 mSv/y / 50 weeks = 20 uSv/week
    r = run_json(capsys, *IMAGING, "--area", "uncontrolled", "--profile", "nrc")
    t_half_h = 1.8289
    f_u = math.exp(-math.log(2) * 1.0 / t_half_h)
    x = math.log(2) * 0.5 / t_half_h
    r_ti = (1 - math.exp(-x)) / x
    by_hand = 40 * 0.092 * 0.85 * 555 * f_u * 0.5 * r_ti / 4**2
    assert r["weekly_dose_uSv"] == pytest.approx(by_hand, rel=1e-6)
    assert r["design_goal_uSv_week"] == pytest.approx(20.0)
    assert r["design_goal"]["basis"] == "public-limit" and r["design_goal"]["annual_source"] == "cfr-10-20-1301"
    no_void = run_json(capsys, *IMAGING, "--area", "uncontrolled", "--no-voiding")
    assert no_void["weekly_dose_uSv"] == pytest.approx(by_hand / 0.85, rel=1e-6)


def test_no_barrier_needed_gives_zero_thickness(capsys):
    args = [*UPTAKE[:-4], "--distance-m", "20", "--occupancy", "0.05", "--area", "controlled"]
    r = run_json(capsys, *args)
    assert r["transmission_required"] > 1 and r["shielding_needed"] is False
    assert r["lead_mm"] == r["concrete_mm"] == r["iron_mm"] == 0.0


def test_table_shows_the_steps(capsys):
    code, out, err = run(capsys, *UPTAKE, "--design-goal", "20 uSv/week")
    assert code == 0, err
    assert "transmission required" in out and "aapm-tg108-2006" in out and "lead" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([*UPTAKE, "--design-goal", "20 uSv"], "per week"),
        ([*UPTAKE, "--design-goal", "1 mSv/y"], "per week"),
        ([*UPTAKE], "--design-goal"),
        ([*UPTAKE, "--design-goal", "20 uSv/week", "--area", "controlled"], "not both"),
        ([*UPTAKE, "--area", "hallway"], "area"),
        ([*UPTAKE, "--area", "controlled", "--profile", "mars"], "profile"),
        ([*UPTAKE, "--imaging-min", "30", "--design-goal", "20 uSv/week"], "imaging_min"),
        ([*IMAGING[:10], *IMAGING[12:], "--design-goal", "20 uSv/week"], "imaging_min"),
        ([*UPTAKE[:3], "waiting", *UPTAKE[4:], "--design-goal", "20 uSv/week"], "room"),
        ([*UPTAKE[:5], "-5 MBq", *UPTAKE[6:], "--design-goal", "20 uSv/week"], "negative"),
        ([*UPTAKE[:5], "555", *UPTAKE[6:], "--design-goal", "20 uSv/week"], "no unit"),
        ([*UPTAKE[:-2], "--occupancy", "0", "--design-goal", "20 uSv/week"], "occupancy"),
        ([*UPTAKE[:-2], "--occupancy", "nan", "--design-goal", "20 uSv/week"], "occupancy"),
        ([*UPTAKE[:-4], "--distance-m", "three", "--occupancy", "1"], "distance"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(capsys, args, words):
    code, out, err = run(capsys, *args)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert words in lines[0]


def test_source_refuses_thickness_without_cited_data_and_gives_b(capsys):
    args = [
        "shielding", "source", "--nuclide", "Tc-99m", "--activity", "740 MBq", "--per-week", "50",
        "--stay-min", "30", "--delay-min", "120", "--distance-m", "2", "--occupancy", "1",
        "--design-goal", "20 uSv/week",
    ]  # fmt: skip
    code, _, err = run(capsys, *args)
    assert code == 2 and err.startswith("error: not yet")
    r = run_json(capsys, *args, "--transmission-only")
    assert r["lead_mm"] is None and r["concrete_mm"] is None and r["iron_mm"] is None
    assert 0 < r["transmission_required"] < 1
    f18 = run_json(capsys, *[a if a != "Tc-99m" else "F-18" for a in args])
    assert f18["lead_mm"] > 0


BAD_NUMBERS = ["nan", "inf", "-inf", "1e309", "-0.0", "5e-324", "-1"]
BAD_TEXT = ["", "\x00", "\ud800", "x" * 100_000]


def _with(args: list[str], option: str, value: str) -> list[str]:
    i = args.index(option)
    return [*args[: i + 1], value, *args[i + 2 :]]


@pytest.mark.parametrize("option", ["--patients-per-week", "--uptake-min", "--distance-m", "--occupancy"])
@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_fuzzed_numbers_exit_2_with_one_line(capsys, option, value):
    code, out, err = run(capsys, *_with(UPTAKE, option, value), "--design-goal", "20 uSv/week")
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and len(lines[0]) < 400


@pytest.mark.parametrize(
    "value", [*BAD_TEXT, "5e-324 MBq", "nan MBq", "1e308 GBq", "nan uSv/week", "1e309 uSv/week", "5e-324 uSv/week"]
)
def test_fuzzed_text_exits_2_with_one_line(capsys, value):
    for args in (
        [*_with(UPTAKE, "--activity", value), "--design-goal", "20 uSv/week"],
        [*UPTAKE, "--design-goal", value],
        [*_with(UPTAKE, "--room", value), "--design-goal", "20 uSv/week"],
    ):
        code, out, err = run(capsys, *args)
        assert code == 2, err[:300]
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:") and len(lines[0]) < 400
