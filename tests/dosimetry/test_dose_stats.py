"""Per-VOI statistics, DVH and energy balance against hand counts on small maps."""

from __future__ import annotations

import numpy as np
import pytest

from nmguard.dosimetry.dose_stats import dose_at_volume_percent, dvh, energy_balance, voi_statistics
from nmguard.errors import InputError
from nmguard.reporting.plots import dvh_svg


def _ramp():
    # 100 voxels with doses 1, 2, ..., 100 Gy; the mask holds all of them
    dose = np.arange(1.0, 101.0).reshape(4, 5, 5)
    return dose, np.ones_like(dose, dtype=bool)


def test_statistics_by_hand_on_a_ramp():
    dose, mask = _ramp()
    s = voi_statistics(dose, mask, voxel_volume_mL=0.1, density_g_per_mL=1.05, v_thresholds_Gy=(50, 100.5))
    assert s["n_voxels"] == 100
    assert s["volume_mL"] == pytest.approx(10.0)
    assert s["mass_g"] == pytest.approx(10.5)
    assert s["mean_Gy"] == pytest.approx(50.5)
    assert s["mass_weighted_mean_Gy"] == pytest.approx(50.5)  # uniform density
    assert (s["min_Gy"], s["max_Gy"]) == (1.0, 100.0)
    # nearest rank on the decreasing order: D2 = 2nd hottest, D50 = 50th, D98 = 98th
    assert s["D2_Gy"] == 99.0
    assert s["D50_Gy"] == 51.0
    assert s["D98_Gy"] == 3.0
    assert s["V50Gy_percent"] == pytest.approx(51.0)  # 50..100
    assert s["V100.5Gy_percent"] == 0.0


def test_dx_convention_holds_on_random_maps():
    rng = np.random.default_rng(4)
    for n in (1, 7, 50, 333):
        d = rng.gamma(2.0, 3.0, size=n)
        for x in (0.0, 2.0, 37.5, 50.0, 98.0, 100.0):
            dx = dose_at_volume_percent(d, x)
            assert 100.0 * np.mean(d >= dx) >= x - 1e-9  # at least x % receive D_x
            higher = d[d > dx]
            if higher.size:  # any higher dose is received by less than x %
                assert 100.0 * np.mean(d >= higher.min()) < x or x == 0.0
        assert dose_at_volume_percent(d, 100.0) == d.min()
        assert dose_at_volume_percent(d, 0.0) == d.max()


def test_mask_selects_the_voi_and_mass_weighting_uses_the_density_map():
    dose = np.zeros((2, 2, 2))
    dose[0, 0, 0], dose[0, 0, 1] = 2.0, 4.0
    mask = np.zeros_like(dose, dtype=bool)
    mask[0, 0, :2] = True
    rho = np.ones_like(dose)
    rho[0, 0, 1] = 3.0
    s = voi_statistics(dose, mask, 2.0, rho)
    assert s["mean_Gy"] == pytest.approx(3.0)
    assert s["mass_weighted_mean_Gy"] == pytest.approx((2 * 1 + 4 * 3) / 4)
    assert s["mass_g"] == pytest.approx(8.0)


def test_dvh_is_cumulative_and_matches_dx():
    dose, mask = _ramp()
    levels, percent = dvh(dose, mask, bins=100)
    assert levels[0] == 0.0 and percent[0] == 100.0
    assert levels[-1] == 100.0 and percent[-1] == 1.0
    assert np.all(np.diff(percent) <= 0)
    lv, pc = dvh(dose, mask, bins=[0.5, 50.0, 99.0, 101.0])
    assert list(pc) == [100.0, 51.0, 2.0, 0.0]
    s = voi_statistics(dose, mask, 1.0)
    _, at_d98 = dvh(dose, mask, bins=[0.0, s["D98_Gy"]])
    assert at_d98[1] >= 98.0


def test_dvh_svg_draws_several_vois():
    dose, mask = _ramp()
    other = mask.copy()
    other[:2] = False
    svg = dvh_svg({"kidney L": dvh(dose, mask, 50), "lesion 1": dvh(dose, other, 50)}, title="DVH")
    assert svg.startswith("<svg") and "kidney L" in svg and "lesion 1" in svg


def test_energy_balance_by_hand():
    dose = np.full((2, 3, 4), 2.0)  # 24 voxels of 2 Gy, 0.5 mL, 1.0 g/mL -> 24 * 2 J/kg * 0.5e-3 kg = 0.024 J
    res = energy_balance(dose, 1.0, 0.5, expected_energy_J=0.03)
    assert res.values["deposited_energy_J"].value == pytest.approx(0.024)
    assert res.values["fraction_of_expected"].value == pytest.approx(0.8)


@pytest.mark.parametrize(
    "dose, mask, field",
    [
        (np.ones((2, 2, 2)), np.zeros((2, 2, 2), bool), "mask"),
        (np.ones((2, 2, 2)), np.ones((2, 2, 3), bool), "mask"),
        (np.array([[[1.0, np.nan]]]), np.ones((1, 1, 2), bool), "dose_Gy"),
        (np.array([[[1.0, np.inf]]]), np.ones((1, 1, 2), bool), "dose_Gy"),
    ],
)
def test_bad_input_is_refused(dose, mask, field):
    with pytest.raises(InputError) as err:
        voi_statistics(dose, mask, 1.0)
    assert err.value.field == field
    with pytest.raises(InputError):
        dvh(dose, mask)


def test_bad_scalars_are_refused():
    dose, mask = _ramp()
    with pytest.raises(InputError):
        voi_statistics(dose, mask, 0.0)
    with pytest.raises(InputError):
        voi_statistics(dose, mask, 1.0, density_g_per_mL=np.ones((1, 2, 3)))
    with pytest.raises(InputError):
        dvh(dose, mask, bins=[1.0, 1.0])
    with pytest.raises(InputError):
        energy_balance(dose, None, 1.0, 1.0)
