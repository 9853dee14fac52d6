"""Decay-in-storage release dates (t = T * log2(A/L)), jurisdiction rules, disposal survey, discharge totals."""

import datetime as dt

import pytest

from nmguard.errors import InputError
from nmguard.hotlab.waste import Discharge, clearance_limit_Bq, disposal_survey_ok, release_date, release_totals
from nmguard.reference import get_nuclide

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
I131_HALF_LIFE_D = 8.0233  # shipped LNHB/LARA value (nuclides.csv)


def test_i131_1gbq_to_1mbq():
    assert get_nuclide("I-131").half_life_s / 86400 == pytest.approx(I131_HALF_LIFE_D)
    r = release_date("I-131", 1e9, T0, 1e6)
    # t = 8.0233 d * log2(1000) = 8.0233 * 9.965784 = 79.9585 d
    assert r.days == pytest.approx(79.9585, abs=1e-3)
    assert r.half_lives == pytest.approx(9.965784, rel=1e-6)
    assert abs((r.release_at - (T0 + dt.timedelta(days=79.958477))).total_seconds()) < 1
    assert r.eligible_for_decay_in_storage is True
    assert r.activity_at_release_Bq == pytest.approx(1e6)
    assert "35.92" in r.rule and "background" in r.survey_required
    assert "name of the individual who performed the survey" in r.record_fields
    assert {"cfr-10-35-92", "cfr-10-35-2092"} <= {s["id"] for s in r.sources}


def test_ten_half_lives_option():
    # hold 10 T = 80.233 d > 79.958 d of decay to the limit: the hold decides
    r = release_date("I-131", 1e9, T0, 1e6, hold_half_lives=10)
    assert r.days == pytest.approx(80.233, abs=1e-3) and r.half_lives == pytest.approx(10.0)
    assert "nc-15a-ncac-11-0362" in {s["id"] for s in r.sources}
    # a small activity already below the limit is still held 10 T: 10 * 2.6684 d = 26.684 d
    y = release_date("Y-90", 5e5, T0, 1e6, hold_half_lives=10)
    assert y.days == pytest.approx(26.684)


def test_y90_eligible_cs137_not():
    y = release_date("Y-90", 2e9, T0, 1e6)  # 2.6684 d * log2(2000) = 2.6684 * 10.965784 = 29.2611 d
    assert y.eligible_for_decay_in_storage is True and y.days == pytest.approx(29.2611, abs=1e-3)
    cs = release_date("Cs-137", 1e9, T0, 1e6)  # 30.018 a >> 120 d
    assert cs.eligible_for_decay_in_storage is False and cs.release_at is None
    assert "NOT eligible" in cs.rule and cs.warnings


def test_already_below_limit_and_other_profiles():
    r = release_date("Tc-99m", 1e5, T0, 1e6)
    assert r.days == 0 and r.release_at == T0
    iaea = release_date("F-18", 1e9, T0, 1e6, profile="iaea")
    assert iaea.eligible_for_decay_in_storage is None and iaea.release_at is not None
    limit, source, status = clearance_limit_Bq("I-131", 1000, "iaea")  # 1e1 Bq/g (M) * 1000 g
    assert limit == pytest.approx(1e4) and status == "unverified" and source == "intended-iaea-gsr3-schedule1"
    with pytest.raises(InputError):
        clearance_limit_Bq("I-131", 1000, "nrc")


def test_bad_input():
    with pytest.raises(InputError):
        release_date("I-131", -1, T0, 1e6)
    with pytest.raises(InputError):
        release_date("I-131", 1e9, T0, 0)
    with pytest.raises(InputError):
        release_date("I-131", 1e9, dt.datetime(2026, 3, 2), 1e6)
    with pytest.raises(InputError):
        release_date("I-131", 1e9, T0, 1e6, profile="mars")
    with pytest.raises(InputError):
        release_date("Xx-999", 1e9, T0, 1e6)


def test_disposal_survey_count_rate_and_dose_rate():
    # L_C = 1.645 * sqrt(2 cps * (1/60 + 1/60)) = 1.645 * 0.258199 = 0.424737 cps
    ok = disposal_survey_ok(
        2.0,
        2.4,
        background_time_s=60,
        reading_time_s=60,
        instrument="Ludlum 3",
        surveyor="A. B.",
        disposal_date=dt.date(2026, 5, 21),
    )
    assert ok.ok and ok.critical_level == pytest.approx(0.424737, rel=1e-5) and not ok.missing_record_fields
    bad = disposal_survey_ok(2.0, 2.5, background_time_s=60, reading_time_s=60)
    assert not bad.ok and bad.criterion_status == "unverified"
    assert "survey instrument used" in bad.missing_record_fields
    assert disposal_survey_ok(0.1, 0.1, instrument_kind="dose_rate").ok
    assert not disposal_survey_ok(0.1, 0.12, instrument_kind="dose_rate").ok
    with pytest.raises(InputError):
        disposal_survey_ok(2.0, 2.4)  # count rate without counting times


def test_release_totals_per_year_without_shipped_limits():
    d = [
        Discharge("I-131", 1e6, T0, "sewer"),
        Discharge("131I", 2e6, T0 + dt.timedelta(days=3), "sewer"),
        Discharge("I-131", 5e6, T0.replace(year=2027), "sewer"),
        Discharge("F-18", 1e8, T0, "air"),
    ]
    out = release_totals(d, limits_Bq={("sewer", "I-131"): (2.5e6, "department licence condition 7")})
    rows = {(r["year"], r["pathway"], r["nuclide"]): r for r in out["totals"]}
    assert rows[(2026, "sewer", "I-131")]["total_Bq"] == pytest.approx(3e6)
    assert rows[(2026, "sewer", "I-131")]["within_limit"] is False
    assert rows[(2027, "sewer", "I-131")]["total_Bq"] == pytest.approx(5e6)
    assert rows[(2026, "air", "F-18")]["limit_Bq"] is None and "no sewer/air limits are shipped" in out["note"]
