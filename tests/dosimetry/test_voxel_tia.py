"""Voxel TIA (trapezoid + mono-exponential tail) and scaling to VOI fits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nmguard.dosimetry.voxel_tia import scale_to_voi_totals, voxel_tia_Bq_h
from nmguard.errors import InputError

LAM_LU = math.log(2) / (6.647 * 24)  # Lu-177, 1/h


def test_dense_sampling_of_an_exponential_gives_its_integral():
    # A(t) = A0 exp(-lam t): TIA = A0/lam. Dense sampling makes the trapezoids exact to O(dt^2); the (0, 0)
    # start misses half of A0 * t1 = 0.25 A0 out of A0/lam = 45.6 A0 (0.55 %); tolerance 0.7 %.
    lam = 0.0219
    times = np.linspace(0.5, 150.0, 300)
    a0 = np.array([[[1.0e6, 3.0e5]]])
    maps = [a0 * math.exp(-lam * t) for t in times]
    tia, tail = voxel_tia_Bq_h(times, maps, LAM_LU)
    np.testing.assert_allclose(tia, a0 / lam, rtol=7e-3)
    np.testing.assert_allclose(tail, lam, rtol=1e-9)  # the tail rate is recovered exactly from exact data


def test_tail_is_never_slower_than_physical_decay_and_handles_zeros():
    times = [4.0, 24.0, 96.0, 168.0]
    rising = [np.full((1, 1, 2), v) for v in (1.0, 2.0, 3.0, 4.0)]  # still rising at the end
    rising[-1][0, 0, 1] = 0.0  # a voxel whose last value is zero: tail of zero
    tia, tail = voxel_tia_Bq_h(times, rising, LAM_LU)
    assert tail[0, 0, 0] == pytest.approx(LAM_LU)
    trapezoid = 0.5 * 4 * 1 + 0.5 * 20 * 3 + 0.5 * 72 * 5 + 0.5 * 72 * 7  # by hand
    assert tia[0, 0, 0] == pytest.approx(trapezoid + 4.0 / LAM_LU)
    assert tia[0, 0, 1] == pytest.approx(0.5 * 4 * 1 + 0.5 * 20 * 3 + 0.5 * 72 * 5 + 0.5 * 72 * 3)


def test_negative_voxel_values_count_as_zero():
    tia, _ = voxel_tia_Bq_h([1.0, 2.0], [np.array([-5.0]), np.array([-1.0])], LAM_LU)
    assert tia[0] == 0.0


@pytest.mark.parametrize(
    ("times", "n_maps", "field"),
    [
        ([4.0, 4.0], 2, "times_h"),
        ([24.0, 4.0], 2, "times_h"),
        ([0.0, 4.0], 2, "times_h"),
        ([4.0, 24.0], 3, "time_points"),
    ],
)
def test_bad_series_are_refused(times, n_maps, field):
    with pytest.raises(InputError) as err:
        voxel_tia_Bq_h(times, [np.ones(3)] * n_maps, LAM_LU)
    assert err.value.field == field


def test_maps_of_different_shapes_are_refused():
    with pytest.raises(InputError, match="different shapes"):
        voxel_tia_Bq_h([1.0, 2.0], [np.ones(3), np.ones(4)], LAM_LU)


def test_scaling_matches_voi_totals_and_a_lesion_inside_an_organ_keeps_its_own_fit():
    tia = np.ones((1, 1, 10))
    organ = np.zeros((1, 1, 10), dtype=bool)
    organ[..., :8] = True
    lesion = np.zeros_like(organ)
    lesion[..., 2:4] = True
    scaled, factors = scale_to_voi_totals(tia, {"liver": organ, "lesion": lesion}, {"liver": 16.0, "lesion": 6.0})
    assert scaled[lesion].sum() == pytest.approx(6.0)
    assert scaled[organ].sum() == pytest.approx(16.0)  # the organ total includes the lesion's 6
    assert factors == {"lesion": pytest.approx(3.0), "liver": pytest.approx(10.0 / 6.0)}
    assert scaled[..., 8:].sum() == 2.0  # outside every VOI: unchanged
