"""Dosing from a stock vial and volume parsing, against arithmetic by hand (Tc-99m T½ = 6.0072 h, the
shipped ENSDF value; DDEP's 6.0067 h changes the volumes below by 2·10⁻⁵ relative)."""

from __future__ import annotations

import datetime as dt

import pytest

from nmguard.errors import InputError
from nmguard.hotlab import concentration_at, draw_volume, expiry
from nmguard.physics.volume import parse_volume

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
H = dt.timedelta(hours=1)
TC = 6.0072


def test_draw_volume_example():
    # 10 GBq Tc-99m in 5 mL at 08:00; 740 MBq wanted at 10:00:
    # C(10:00) = 10000 MBq · 2^(−2/6.0072) / 5 mL = 1587.84 MBq/mL; V = 740/1587.84 = 0.46604 mL
    r = draw_volume("Tc-99m", 10e9, 5.0, T0, 740e6, T0 + 2 * H).flat()
    expected = 740 / (10000 * 2 ** (-2 / TC) / 5)
    assert r["volume_mL"] == pytest.approx(expected, rel=1e-12)
    assert r["volume_mL"] == pytest.approx(740 / (10000 * 2 ** (-2 / 6.0067) / 5), rel=1e-4)
    assert r["volume_mL"] == pytest.approx(0.46604, abs=1e-5)
    assert r["concentration_at_injection_MBq_per_mL"] == pytest.approx(1587.84, abs=0.01)


@pytest.mark.parametrize("drawn_hours", [0.0, 0.5, 1.0, 1.75, 2.0])
def test_volume_does_not_depend_on_when_the_syringe_is_filled(drawn_hours):
    # a volume V drawn at t_d holds C(t_d)·V; decayed to 10:00 it is C(t_d)·V·2^(−(2 − t_d)/T) = want
    at, drawn = T0 + 2 * H, T0 + drawn_hours * H
    r = draw_volume("Tc-99m", 10e9, 5.0, T0, 740e6, at, drawn_at=drawn).flat()
    c_draw = 10000 * 2 ** (-drawn_hours / TC) / 5  # MBq/mL when filled
    in_syringe = c_draw * r["volume_mL"]
    assert r["activity_at_draw_MBq"] == pytest.approx(in_syringe, rel=1e-12)
    assert in_syringe * 2 ** (-(2 - drawn_hours) / TC) == pytest.approx(740, rel=1e-12)


def test_stock_calibrated_after_injection_decays_backwards():
    # stock calibrated for 12:00, injection at 10:00: C(10:00) = 2000 MBq/mL · 2^(+2/6.0072)
    r = draw_volume("Tc-99m", 10e9, 5.0, T0 + 4 * H, 740e6, T0 + 2 * H).flat()
    assert r["volume_mL"] == pytest.approx(740 / (2000 * 2 ** (2 / TC)), rel=1e-12)


def test_refuses_when_the_stock_holds_too_little():
    # at 10:00 the whole vial holds 7939 MBq
    with pytest.raises(InputError) as exc:
        draw_volume("Tc-99m", 10e9, 5.0, T0, 8e9, T0 + 2 * H)
    assert exc.value.field == "want" and "7939" in exc.value.message


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("Xx-99", 10e9, 5.0, T0, 740e6, T0), "nuclide"),
        (("Tc-99m", -1.0, 5.0, T0, 740e6, T0), "stock_activity"),
        (("Tc-99m", 10e9, -5.0, T0, 740e6, T0), "stock_volume"),
        (("Tc-99m", 10e9, 0.0, T0, 740e6, T0), "stock_volume"),
        (("Tc-99m", 10e9, 5.0, T0, 0.0, T0), "want"),
        (("Tc-99m", 10e9, 5.0, dt.datetime(2026, 3, 2, 8), 740e6, T0), "calibrated_at"),
    ],
)
def test_draw_volume_bad_input(args, field):
    with pytest.raises(InputError) as exc:
        draw_volume(*args)
    assert exc.value.field == field


def test_drawn_after_injection_is_refused():
    with pytest.raises(InputError) as exc:
        draw_volume("Tc-99m", 10e9, 5.0, T0, 740e6, T0 + H, drawn_at=T0 + 2 * H)
    assert exc.value.field == "drawn_at"


def test_concentration_at():
    # 10 GBq Tc-99m in 5 mL = 2000 MBq/mL; one half-life (6.0072 h) later: 1000 MBq/mL
    assert concentration_at("Tc-99m", 10e9, 5.0, T0, T0 + TC * H) == pytest.approx(1e9, rel=1e-12)


def test_expiry_shelf_life_only():
    r = expiry(T0, 12, at=T0 + 11 * H).flat()
    assert dt.datetime.fromisoformat(r["shelf_life_end"]) == T0 + 12 * H
    assert r["expires_at"] == r["shelf_life_end"] and r["limited_by"] == "shelf-life" and r["expired"] is False
    assert expiry(T0, 12, at=T0 + 12 * H).flat()["expired"] is True


def test_expiry_by_minimum_concentration():
    # 2000 MBq/mL at 08:00, minimum 200 MBq/mL: t = 6.0072 h · log2(10) = 19.9556 h, before a 24 h shelf life
    r = expiry(
        T0,
        24,
        nuclide="Tc-99m",
        stock_activity_Bq=10e9,
        stock_volume_mL=5.0,
        min_concentration_Bq_per_mL=200e6,
        at=T0 + 20 * H,
    ).flat()
    below = dt.datetime.fromisoformat(r["below_minimum_concentration_at"])
    assert (below - T0).total_seconds() / 3600 == pytest.approx(TC * 3.321928094887362, rel=1e-9)
    assert r["limited_by"] == "minimum-concentration" and r["expires_at"] == r["below_minimum_concentration_at"]
    assert r["expired"] is True
    # a 12 h shelf life comes first
    assert (
        expiry(
            T0, 12, nuclide="Tc-99m", stock_activity_Bq=10e9, stock_volume_mL=5.0, min_concentration_Bq_per_mL=200e6
        ).flat()["limited_by"]
        == "shelf-life"
    )


def test_expiry_bad_input():
    with pytest.raises(InputError) as exc:
        expiry(T0, 0)
    assert exc.value.field == "shelf_life"
    with pytest.raises(InputError) as exc:
        expiry(T0, 12, min_concentration_Bq_per_mL=1e6)
    assert exc.value.field == "min_concentration"


@pytest.mark.parametrize(
    ("text", "mL"),
    [
        ("5 mL", 5.0),
        ("0.5ml", 0.5),
        ("500 µL", 0.5),
        ("500 μL", 0.5),
        ("250 uL", 0.25),
        ("2 L", 2000.0),
        ("1,5 mL", 1.5),
        ("3 cc", 3.0),
        (" 10 ML ", 10.0),
    ],
)
def test_parse_volume(text, mL):
    assert parse_volume(text) == pytest.approx(mL)


@pytest.mark.parametrize("text", ["-5 mL", "0 mL", "5", "5 gal", "mL", "", "inf mL", "1e999 L"])
def test_parse_volume_refuses(text):
    with pytest.raises(InputError) as exc:
        parse_volume(text, "stock_volume")
    assert exc.value.field == "stock_volume"
