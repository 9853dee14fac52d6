"""The embryo/fetus dose from the declaration, worked by hand: a reading that straddles the declaration is
pro-rated by days (both ends included), and the profile decides what is compared (Euratom Art. 10(1): 1 mSv for
the remainder; NRC 20.1208(a): 5 mSv over the entire pregnancy, (d): 0.5 mSv more when within 0.5 mSv at the
declaration)."""

from __future__ import annotations

import datetime as dt

import pytest

from nmguard.errors import InputError
from nmguard.protection.pregnancy import embryo_fetus_dose, share_in_span
from nmguard.protection.readings import DoseReading

D = dt.date


def wb(start: dt.date, end: dt.date, hp10: float, worker: str = "W1", dosimeter: str = "whole_body") -> DoseReading:
    return DoseReading(worker, "", dosimeter, start, end, hp10)


DECLARED = D(2026, 3, 11)
FEB = wb(D(2026, 2, 1), D(2026, 2, 28), 0.5)
MAR = wb(D(2026, 3, 1), D(2026, 3, 31), 0.31)  # 10 days before the declaration, 21 from it: 0.10 + 0.21 mSv
APR = wb(D(2026, 4, 1), D(2026, 4, 30), 0.3)
NOISE = [
    wb(D(2026, 3, 1), D(2026, 3, 31), 9.0, worker="W2"),
    wb(D(2026, 3, 1), D(2026, 3, 31), 9.0, dosimeter="extremity"),
]


def test_share_is_counted_in_days_with_both_ends_included():
    assert share_in_span(MAR, DECLARED, None) == pytest.approx(21 / 31)
    assert share_in_span(MAR, D(2026, 1, 1), D(2026, 3, 10)) == pytest.approx(10 / 31)
    assert share_in_span(FEB, DECLARED, None) == 0.0


def test_euratom_follows_the_remainder_after_declaration():
    result = embryo_fetus_dose([FEB, MAR, APR, *NOISE], "W1", DECLARED, "euratom")
    # by hand: Feb before the declaration (0); Mar 0.31 x 21/31 = 0.21; Apr 0.3 -> 0.51 mSv
    assert result.dose_since_declaration_mSv == pytest.approx(0.51)
    assert result.compared_dose_mSv == pytest.approx(0.51) and result.limit.value == 1.0
    assert result.fraction == pytest.approx(0.51) and not result.exceeded
    assert result.level == "investigation"  # 0.51 >= 30 % of 1 mSv (department policy)
    assert [round(c.dose_mSv, 6) for c in result.contributions] == [0.21, 0.3]
    may = wb(D(2026, 5, 1), D(2026, 5, 31), 0.6)
    over = embryo_fetus_dose([FEB, MAR, APR, may], "W1", DECLARED, "euratom")
    assert over.compared_dose_mSv == pytest.approx(1.11) and over.exceeded and over.level == "limit_exceeded"


def test_nrc_counts_the_entire_pregnancy_when_its_start_is_given():
    jan = wb(D(2026, 1, 1), D(2026, 1, 31), 3.1)  # pregnancy from 20 Jan: 12 of 31 days -> 1.2 mSv
    result = embryo_fetus_dose([jan, FEB, MAR, APR], "W1", DECLARED, "nrc", pregnancy_start=D(2026, 1, 20))
    # before: 1.2 + 0.5 + 0.31 x 10/31 (0.1) = 1.8; after: 0.21 + 0.3 = 0.51; compared 2.31 with 5 mSv
    assert result.dose_before_declaration_mSv == pytest.approx(1.8)
    assert result.dose_since_declaration_mSv == pytest.approx(0.51)
    assert result.compared_dose_mSv == pytest.approx(2.31) and result.limit.value == 5.0 and not result.exceeded


def test_nrc_without_the_pregnancy_start_says_what_is_missing():
    result = embryo_fetus_dose([FEB, MAR, APR], "W1", DECLARED, "nrc")
    assert result.dose_before_declaration_mSv is None and result.compared_dose_mSv == pytest.approx(0.51)
    assert any("before the declaration is not included" in n for n in result.notes)


def test_nrc_20_1208_d_remainder_allowance_when_near_the_limit_at_declaration():
    feb = wb(D(2026, 2, 1), D(2026, 2, 28), 4.5)
    apr = wb(D(2026, 4, 1), D(2026, 4, 30), 0.24)
    result = embryo_fetus_dose([feb, MAR, apr], "W1", DECLARED, "nrc", pregnancy_start=D(2026, 2, 1))
    # before 4.5 + 0.1 = 4.6 >= 5 - 0.5: only the 0.5 mSv remainder counts; after 0.21 + 0.24 = 0.45 <= 0.5
    assert result.dose_before_declaration_mSv == pytest.approx(4.6)
    assert result.limit.value == 0.5 and result.compared_dose_mSv == pytest.approx(0.45) and not result.exceeded
    # the same doses summed over the pregnancy (5.05 mSv) would have been over 5 mSv: (d) decides here
    assert result.dose_before_declaration_mSv + result.dose_since_declaration_mSv > 5.0


def test_iaea_no_readings_and_bad_dates():
    assert embryo_fetus_dose([APR], "W1", DECLARED, "iaea").limit.source.id == "iaea-gsr3-para-3-114"
    none = embryo_fetus_dose([], "W1", DECLARED, "iaea")
    assert none.compared_dose_mSv == 0.0 and none.level == "none" and "not measured" in none.notes[0]
    with pytest.raises(InputError) as err:
        embryo_fetus_dose([APR], "W1", DECLARED, "nrc", pregnancy_start=D(2026, 4, 1))
    assert err.value.field == "pregnancy_start"
