"""Annual and five-year sums against each profile: the same readings decided differently where the texts
differ (NRC 20.1201 50 mSv a year; Euratom Art. 9(2) 20 mSv a year; GSR Part 3 III.1 100 mSv in five years and
50 mSv in one), the year a reading counts in, categories, levels and "not measured". Expected values are worked
by hand from the readings below."""

from __future__ import annotations

import datetime as dt

import pytest

from nmguard.errors import InputError
from nmguard.protection.dose_sums import annual_sums, evaluate_workers, window_sum
from nmguard.protection.readings import DoseReading


def wb(year: int, hp10: float | None, worker: str = "W1", hp007: float | None = None, month: int = 1) -> DoseReading:
    start = dt.date(year, month, 1)
    end = dt.date(year, month, 28)
    return DoseReading(worker, "", "whole_body", start, end, hp10, hp007, None)


def one(readings, year, profile, **kw):
    (result,) = evaluate_workers(readings, year, profile, **kw)
    return result


def test_45_mSv_in_one_year_is_over_euratom_but_within_nrc_and_iaea():
    readings = [wb(2026, 45.0)]
    eu, nrc, iaea = (one(readings, 2026, p) for p in ("euratom", "nrc", "iaea"))
    assert eu.level == "limit_exceeded"
    assert eu.quantities["effective"].fraction == pytest.approx(45 / 20)
    assert "Art. 9(2)" in eu.reasons[0] and "45 mSv" in eu.reasons[0]
    assert nrc.level == "investigation"  # 45 >= 0.3 x 50 = 15 mSv (policy), < 50 mSv (20.1201)
    assert nrc.quantities["effective"].fraction == pytest.approx(45 / 50)
    assert iaea.level == "investigation"  # 45 <= 50 in one year and 45 <= 100 over five
    assert {c.limit.value for c in iaea.quantities["effective"].checks} == {50.0, 100.0}


def test_21_mSv_a_year_for_five_years_crosses_the_gsr_five_year_sum_but_not_nrc():
    readings = [wb(y, 21.0) for y in range(2022, 2027)]
    iaea_2026 = one(readings, 2026, "iaea").quantities["effective"]
    assert iaea_2026.five_year_mSv == pytest.approx(105.0) and iaea_2026.level == "limit_exceeded"
    five = next(c for c in iaea_2026.checks if c.first_year != c.last_year)
    assert (five.first_year, five.last_year, five.exceeded) == (2022, 2026, True)
    iaea_2025 = one(readings, 2025, "iaea").quantities["effective"]  # four years: 84 mSv
    assert iaea_2025.five_year_mSv == pytest.approx(84.0) and iaea_2025.level == "investigation"
    nrc = one(readings, 2026, "nrc").quantities["effective"]
    assert nrc.level == "investigation"  # 21 < 50, no five-year rule ...
    assert nrc.five_year_mSv == pytest.approx(105.0) and [c.limit.value for c in nrc.checks] == [50.0]  # ... sum shown
    assert one(readings, 2026, "euratom").level == "limit_exceeded"  # 21 > 20 in a single year
    assert one(readings, 2026, "euratom", national_option=True).level == "limit_exceeded"  # 105 > 100


def test_euratom_national_option_allows_a_50_mSv_year_within_the_five_year_average():
    readings = [wb(y, 10.0) for y in range(2022, 2026)] + [wb(2026, 45.0)]  # 40 + 45 = 85 mSv over five years
    assert one(readings, 2026, "euratom").level == "limit_exceeded"
    with_option = one(readings, 2026, "euratom", national_option=True).quantities["effective"]
    assert with_option.level == "investigation" and with_option.five_year_mSv == pytest.approx(85.0)
    # levels follow the five-year average (100 / 5 = 20 mSv a year): investigation 6, recording 2
    assert (with_option.recording_level_mSv, with_option.investigation_level_mSv) == (2.0, 6.0)


def test_a_reading_counts_in_the_year_its_period_ends():
    r = DoseReading("W1", "", "whole_body", dt.date(2025, 12, 16), dt.date(2026, 1, 15), 3.0)
    assert r.year == 2026
    assert annual_sums([r]) == {"W1": {"effective": {2026: 3.0}, "skin": {2026: None}}}
    assert one([r], 2025, "nrc").quantities["effective"].annual_mSv is None
    assert one([r], 2026, "nrc").quantities["effective"].annual_mSv == 3.0


def test_each_quantity_comes_from_its_dosimeter():
    readings = [
        wb(2026, 1.0, hp007=1.5),
        DoseReading("W1", "", "extremity", dt.date(2026, 1, 1), dt.date(2026, 1, 28), 9.0, 120.0, 9.0),
        DoseReading("W1", "", "eye", dt.date(2026, 1, 1), dt.date(2026, 1, 28), 9.0, 9.0, 16.0),
    ]
    q = one(readings, 2026, "euratom").quantities
    assert (q["effective"].annual_mSv, q["skin"].annual_mSv, q["extremity"].annual_mSv, q["lens"].annual_mSv) == (
        1.0,
        1.5,
        120.0,
        16.0,
    )
    assert q["lens"].level == "investigation"  # 16 >= 6 (30 % of 20), <= 20 (Art. 9(3)(a))
    assert q["extremity"].level == "recording"  # 120 >= 50, < 150


def test_apprentices_and_the_public_have_their_own_limits():
    readings = [wb(2026, 7.0)]
    assert one(readings, 2026, "euratom", categories={"W1": "apprentice"}).level == "limit_exceeded"  # 7 > 6
    assert one(readings, 2026, "nrc", categories={"W1": "apprentice"}).level == "limit_exceeded"  # 7 > 5 (20.1207)
    assert one(readings, 2026, "nrc", categories={"W1": "worker"}).level == "recording"  # 7 >= 5, < 15
    assert one(readings, 2026, "nrc", categories={"W1": "public"}).level == "limit_exceeded"  # 7 > 1
    eye = DoseReading("W1", "", "eye", dt.date(2026, 1, 1), dt.date(2026, 1, 28), None, None, 30.0)
    lens = one([eye], 2026, "nrc", categories={"W1": "public"}).quantities["lens"]
    assert lens.checks == () and lens.level == "none"  # 20.1301 sets no public lens limit
    with pytest.raises(InputError):
        evaluate_workers(readings, 2026, "nrc", categories={"W1": "visitor"})
    with pytest.raises(InputError):
        evaluate_workers(readings, 2026, "mars")


@pytest.mark.parametrize(
    ("doses", "level"),
    [
        ((1.9,), "none"),
        ((2.0,), "recording"),
        ((6.0,), "investigation"),
        ((6.4, 9.8, 3.8), "investigation"),  # = 20 mSv, not over it (a plain float sum gives 20.000000000000004)
        ((20.001,), "limit_exceeded"),
    ],
)
def test_levels_on_the_euratom_profile(doses, level):
    readings = [wb(2026, d, month=i + 1) for i, d in enumerate(doses)]
    assert one(readings, 2026, "euratom").quantities["effective"].level == level


def test_not_measured_is_not_zero():
    readings = [wb(2026, None)]
    q = one(readings, 2026, "euratom").quantities
    assert q["effective"].annual_mSv is None and q["effective"].checks == () and q["effective"].fraction is None
    assert q["lens"].annual_mSv is None  # no eye dosimeter worn
    assert window_sum({2024: None, 2025: 2.0}, 2026, 5) == 2.0
    assert window_sum({2020: 9.0}, 2026, 5) is None  # outside the five years


def test_workers_are_evaluated_separately_and_sorted():
    readings = [wb(2026, 25.0, "W2"), wb(2026, 1.0, "W1")]
    results = evaluate_workers(readings, 2026, "euratom")
    assert [(r.worker_id, r.level) for r in results] == [("W1", "none"), ("W2", "limit_exceeded")]


def test_report_row_has_the_keys_of_the_staff_dose_report():
    readings = [wb(2025, 12.0), wb(2026, 25.0, hp007=30.0)]
    ring = DoseReading("W1", "", "extremity", dt.date(2026, 1, 1), dt.date(2026, 1, 28), None, 80.0, None)
    row = one([*readings, ring], 2026, "euratom").report_row()
    assert row == {
        "worker_id": "W1",
        "effective_mSv_year": 25.0,
        "effective_mSv_5y": 37.0,
        "lens_mSv_year": None,  # no eye dosimeter: not measured
        "extremity_mSv_year": 80.0,
        "status": "limit_exceeded",
        "reasons": row["reasons"],
    }
    assert "effective 25 mSv in 2026 exceeds 20 mSv (Art. 9(2)" in row["reasons"][0]
    assert row["reasons"][1] == "extremity 80 mSv in 2026 reached the recording level 50 mSv"
    assert one([wb(2026, 2.5)], 2026, "euratom").report_row()["status"] == "ok"  # recording level only
