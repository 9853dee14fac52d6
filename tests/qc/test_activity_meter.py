"""Activity-meter analyses against hand-computed numbers."""

import datetime as dt

import pytest

from nmguard.errors import InputError
from nmguard.qc.activity_meter import (
    CertifiedSource,
    SleeveReading,
    accuracy,
    constancy,
    geometry,
    linearity_decay,
    linearity_sleeves,
)
from nmguard.qc.evaluation import BandOverride

UTC = dt.UTC
MBQ = 1e6
T0 = dt.datetime(2021, 1, 1, 0, 0, tzinfo=UTC)
# 2021-01-01T00:00Z → 2026-01-01T06:00Z = 1826 d + 6 h = 1826.25 d = 5 Julian years exactly
T5Y = dt.datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
# Cs-137 T½ = 30.018 a in nuclides.csv (LNHB 2023); 2^(−5/30.018) = 0.8909604356 (hand: ln2·5/30.018 = 0.115457)
CS137_5Y = 0.8909604356
TC99M_H = 6.0072  # h, ENSDF (nuclides.csv)


# ------------------------------------------------------------------ constancy


def test_constancy_cs137_after_five_years():
    # certified 7.4 MBq (200 µCi) → expected 7.4 × 0.8909604 = 6.593107 MBq
    r = constancy("Cs-137", 7.4 * MBQ, T0, T5Y, {"Cs-137": 6.80 * MBQ})
    assert r.values["decay_factor"].value == pytest.approx(CS137_5Y, rel=1e-9)
    assert r.values["elapsed_days"].value == pytest.approx(1826.25)
    row = r.values["settings"].value[0]
    assert row["expected_MBq"] == pytest.approx(6.593107, rel=1e-6)
    # (6.80 / 6.593107 − 1) × 100 = 3.1381 %
    assert row["deviation_percent"] == pytest.approx(3.1381, abs=1e-3)
    assert row["outcome"] == "ok" and r.passed is True
    assert r.values["half_life"].source == "lnhb-lara-roentgen-cb3c8f5"
    assert r.to_dict()["max_abs_deviation_percent"] == pytest.approx(3.1381, abs=1e-3)


def test_constancy_without_decay_correction_would_be_action():
    # a reading equal to the certified activity is +12.24 % against the decayed value (1/0.89096 − 1)
    r = constancy("Cs-137", 7.4 * MBQ, T0, T5Y, {"Cs-137": 7.4 * MBQ})
    assert r.values["max_abs_deviation_percent"].value == pytest.approx((1 / CS137_5Y - 1) * 100, rel=1e-6)
    assert r.values["outcome"].value == "action" and r.passed is False


def test_constancy_per_setting_baselines():
    # on the Tc-99m setting the source read 7.9 MBq at the reference time → expected 7.9 × 0.8909604 = 7.038587
    r = constancy(
        "Cs-137",
        7.4 * MBQ,
        T0,
        T5Y,
        {"Cs-137": 6.6 * MBQ, "Tc-99m": 7.45 * MBQ},
        baseline_readings={"Tc-99m": 7.9 * MBQ},
    )
    rows = {row["setting"]: row for row in r.values["settings"].value}
    assert rows["Tc-99m"]["expected_MBq"] == pytest.approx(7.038587, rel=1e-6)
    # (7.45 / 7.038587 − 1) × 100 = 5.845 % → tolerance
    assert rows["Tc-99m"]["deviation_percent"] == pytest.approx(5.845, abs=2e-3)
    assert rows["Tc-99m"]["outcome"] == "tolerance" and rows["Cs-137"]["outcome"] == "ok"
    assert r.values["outcome"].value == "tolerance"


def test_constancy_bad_input():
    with pytest.raises(InputError):
        constancy("Cs-137", 7.4 * MBQ, T0.replace(tzinfo=None), T5Y, {"Cs-137": 1.0})
    with pytest.raises(InputError):
        constancy("Cs-137", 7.4 * MBQ, T0, T5Y, {})
    with pytest.raises(InputError):
        constancy("Cs-137", -1.0, T0, T5Y, {"Cs-137": 1.0})
    with pytest.raises(InputError):
        constancy("Xx-999", 7.4 * MBQ, T0, T5Y, {"Cs-137": 1.0})
    with pytest.raises(InputError):
        constancy("Cs-137", 7.4 * MBQ, T0, T5Y, {"Cs-137": 1.0}, baseline_readings={"I-131": 1.0})


# ------------------------------------------------------------------ accuracy


def test_accuracy_two_sources():
    cs = CertifiedSource("Cs-137", 7.4 * MBQ, T0, T5Y, [6.5 * MBQ, 6.6 * MBQ, 6.7 * MBQ])  # mean 6.6
    # measured at its reference time: decay factor 1 → expected = certified 185 MBq
    co = CertifiedSource("Co-57", 185 * MBQ, T5Y, T5Y, [196 * MBQ], label="Co-57 vial")
    r = accuracy([cs, co])
    rows = {row["source"]: row for row in r.values["sources"].value}
    # (6.6 / 6.593107 − 1) × 100 = 0.1045 %
    assert rows["Cs-137"]["deviation_percent"] == pytest.approx(0.1045, abs=1e-3)
    # (196 / 185 − 1) × 100 = 5.9459 % → tolerance
    assert rows["Co-57 vial"]["deviation_percent"] == pytest.approx(5.9459, abs=1e-3)
    assert r.values["outcome"].value == "tolerance"
    assert not any("two sources" in w for w in r.warnings)
    assert any("two sources" in w for w in accuracy([cs]).warnings)


# ------------------------------------------------------------------ linearity, decay


def _decay_series(n=11, step_h=6.0, a0=30e9, half_life_h=TC99M_H):
    times = [T0 + dt.timedelta(hours=step_h * i) for i in range(n)]
    acts = [a0 * 2 ** (-(step_h * i) / half_life_h) for i in range(n)]
    return times, acts


def test_decay_linearity_perfect_data():
    times, acts = _decay_series()
    r = linearity_decay(times, acts, "Tc-99m")
    assert r.values["max_abs_deviation_percent"].value == pytest.approx(0.0, abs=1e-9)
    assert r.values["fitted_half_life_h"].value == pytest.approx(TC99M_H, rel=1e-9)
    assert r.values["fitted_activity_at_first_time_MBq"].value == pytest.approx(30000.0, rel=1e-12)
    assert r.values["half_life_reference_h"].status == "verified"
    assert r.passed is True and r.figure_svg.startswith("<svg")


def test_decay_linearity_finds_planted_three_percent_at_high_activity():
    times, acts = _decay_series()
    acts[0] *= 1.03  # the meter over-reads by 3 % at 30 GBq
    r = linearity_decay(times, acts, "Tc-99m")
    pts = r.values["points"].value
    # fixed-slope log fit over 11 points shifts ln A0 by ln(1.03)/11, so the planted point shows
    # 1.03^(10/11) − 1 = 2.7236 % and every other point 1.03^(−1/11) − 1 = −0.26836 %
    assert r.values["worst_point"].value == 0
    assert pts[0]["deviation_percent"] == pytest.approx(2.7236, abs=1e-4)
    for p in pts[1:]:
        assert p["deviation_percent"] == pytest.approx(-0.26836, abs=1e-4)
    assert r.values["outcome"].value == "ok"
    # a department band of ±2 % puts exactly the planted point in tolerance
    tight = linearity_decay(
        times, acts, "Tc-99m", BandOverride.from_limits("local ±2 %", tolerance_low=-2, tolerance_high=2)
    )
    outcomes = [p["outcome"] for p in tight.values["points"].value]
    assert outcomes == ["tolerance"] + ["ok"] * 10
    assert tight.values["within_tolerance"].value is False


def test_decay_linearity_fitted_half_life_deviation():
    times, acts = _decay_series(half_life_h=6.0)  # the readings decay with 6.0 h instead of 6.0072 h
    r = linearity_decay(times, acts, "Tc-99m")
    assert r.values["fitted_half_life_h"].value == pytest.approx(6.0, rel=1e-9)
    # (6.0 / 6.0072 − 1) × 100 = −0.11986 %
    assert r.values["half_life_deviation_percent"].value == pytest.approx(-0.11986, abs=1e-5)


def test_decay_linearity_low_end_warning_and_errors():
    times, acts = _decay_series(n=4)  # lowest ≈ 30 GBq × 2^(−18/6.0072) ≈ 3.75 GBq
    assert any("1.1 MBq" in w for w in linearity_decay(times, acts).warnings)
    with pytest.raises(InputError):
        linearity_decay(times[:2], acts[:2])
    with pytest.raises(InputError):
        linearity_decay(times, acts[:-1])
    with pytest.raises(InputError):
        linearity_decay([times[0]] * 4, acts)
    with pytest.raises(InputError):
        linearity_decay(times, [1.0, 0.0, 1.0, 1.0])


# ------------------------------------------------------------------ linearity, sleeves


def test_sleeves():
    a0 = 10e9  # unsleeved reading 10 GBq
    sleeves = [
        SleeveReading("A", a0 / 2.0, 2.0),
        SleeveReading("B", a0 / 5.0, 5.0),
        SleeveReading("C", a0 / 20.0 * 0.94, 20.0),
        SleeveReading("D", a0 / 100.0, 100.0),
    ]
    r = linearity_sleeves(a0, sleeves)
    rows = {row["sleeve"]: row for row in r.values["sleeves"].value}
    assert rows["A"]["deviation_percent"] == pytest.approx(0.0, abs=1e-9)
    assert rows["C"]["deviation_percent"] == pytest.approx(-6.0)  # 0.94 × 20 / 20 − 1
    assert rows["C"]["outcome"] == "tolerance" and r.values["outcome"].value == "tolerance"


def test_sleeves_with_decay_correction():
    a0 = 10e9
    t1 = T0 + dt.timedelta(hours=TC99M_H)  # one half-life later the unsleeved source reads 5 GBq
    r = linearity_sleeves(a0, [SleeveReading("A", 5e9 / 4.0, 4.0, t1)], nuclide="Tc-99m", unsleeved_time=T0)
    row = r.values["sleeves"].value[0]
    assert row["expected_MBq"] == pytest.approx(5000.0, rel=1e-9)
    assert row["deviation_percent"] == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(InputError):
        linearity_sleeves(a0, [SleeveReading("A", 1e9, 4.0, t1)])  # time without nuclide


# ------------------------------------------------------------------ geometry


def test_geometry_relative_to_reference_volume():
    vols = [1, 3, 5, 10, 20]
    reads = [102e6, 100e6, 99e6, 97e6, 93e6]
    r = geometry(vols, reads, reference_volume_mL=3)
    rows = {row["volume_mL"]: row for row in r.values["volumes"].value}
    assert [rows[v]["deviation_percent"] for v in vols] == pytest.approx([2.0, 0.0, -1.0, -3.0, -7.0])
    assert rows[20]["correction_factor"] == pytest.approx(1 / 0.93)  # 1.07527
    assert rows[20]["outcome"] == "tolerance" and r.values["outcome"].value == "tolerance"
    with pytest.raises(InputError):
        geometry(vols, reads, reference_volume_mL=4)


def test_geometry_decay_corrected():
    # Tc-99m: the 10 mL reading is taken one half-life after the 3 mL reference: 50 MBq ≡ 100 MBq
    t = [T0, T0 + dt.timedelta(hours=TC99M_H)]
    r = geometry([3, 10], [100e6, 50e6], 3, times=t, nuclide="Tc-99m")
    assert r.values["max_abs_deviation_percent"].value == pytest.approx(0.0, abs=1e-9)
