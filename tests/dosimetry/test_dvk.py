"""Dose voxel kernels: energy conservation, symmetry, rebinning, charged-particle equilibrium, density.

These are checks against independent calculations (the sphere model with the geometric reduction
factor, rebinning of a fine kernel, the local-deposition limit); the comparison with published voxel
S-values (Lanconelli 2012) is in test_published_svalues.py.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy.signal import fftconvolve

from nmguard.dosimetry.dvk import J_PER_MeV, dvk_dose, local_deposition_dose, voxel_kernel
from nmguard.dosimetry.point_kernels import nuclide_kernels
from nmguard.dosimetry.sphere import sphere_s_value
from nmguard.errors import InputError


def _energy_sum_MeV(k) -> float:
    return float(k.values_Gy_per_decay.sum()) * (k.mass_g / 1000.0) / J_PER_MeV


def test_pure_beta_kernel_conserves_energy():
    # Y-90: photons 3e-5 of the energy; the default extent holds the whole beta range.
    k = voxel_kernel("Y-90", 3.0)
    e = nuclide_kernels("Y-90")
    assert _energy_sum_MeV(k) == pytest.approx(e.energy_MeV, rel=1e-4)
    assert k.energy_fraction_within_kernel == pytest.approx(1.0, abs=1e-4)


def test_energy_within_kernel_is_bounded_by_the_inscribed_and_circumscribed_spheres():
    k = voxel_kernel("Lu-177", 4.8)
    pk = nuclide_kernels("Lu-177")
    half = np.array(k.half_width)
    inner_cm = (half.min() + 0.5) * 4.8 / 10.0 - np.sqrt(3) * 0.24  # any source point to the kernel face
    outer_cm = np.sqrt(3) * (half.max() + 1) * 4.8 / 10.0
    frac = k.energy_fraction_within_kernel
    assert float(pk.cumulative(inner_cm)) <= frac <= float(pk.cumulative(outer_cm))
    assert _energy_sum_MeV(k) == pytest.approx(frac * pk.energy_MeV, rel=1e-9)


def test_kernel_is_odd_sized_centred_and_symmetric():
    k = voxel_kernel("I-131", (2.0, 3.0, 4.0))
    v = k.values_Gy_per_decay
    assert all(n % 2 == 1 for n in v.shape)
    for axis in range(3):
        assert np.allclose(v, np.flip(v, axis=axis))
    assert np.unravel_index(np.argmax(v), v.shape) == k.half_width
    c = voxel_kernel("I-131", 3.0).values_Gy_per_decay
    assert np.allclose(c, c.transpose(1, 0, 2)) and np.allclose(c, c.transpose(2, 1, 0))


def test_fine_kernel_rebinned_gives_coarse_kernel():
    # K5(I) = (1/125²) Σ_source sub-voxels Σ_target sub-voxels K1(t - s): convolve K1 with the
    # box-box correlation (a 9-wide tent per axis) and read every 5th voxel.
    fine = voxel_kernel("Y-90", 1.0).values_Gy_per_decay
    coarse = voxel_kernel("Y-90", 5.0)
    tent1 = np.convolve(np.ones(5), np.ones(5))
    tent = tent1[:, None, None] * tent1[None, :, None] * tent1[None, None, :]
    rebinned = fftconvolve(fine, tent, mode="same") / 125.0**2
    c = np.array(fine.shape) // 2
    cc = np.array(coarse.half_width)
    for offset, tol in (((0, 0, 0), 0.02), ((0, 0, 1), 0.05), ((0, 1, 1), 0.08)):
        # 2-8 %: sampling noise of the two kernels and the CSDA kernel's steep edge between 1 and 5 mm
        want = rebinned[tuple(c + 5 * np.array(offset))]
        got = coarse.values_Gy_per_decay[tuple(cc + np.array(offset))]
        assert got == pytest.approx(want, rel=tol)


@pytest.mark.parametrize("nuclide", ["Y-90", "Lu-177"])
def test_centre_voxel_close_to_sphere_of_same_mass(nuclide):
    # independent integration: analytic sphere geometry factor vs shell sampling in a cube. A cube
    # keeps a little less than the sphere of equal mass; 0.85-1.0 brackets that for these ranges.
    k = voxel_kernel(nuclide, 4.8)
    s = sphere_s_value(nuclide, k.mass_g)
    ratio = k.centre_Gy_per_decay * 1e9 / s.s_value_mGy_per_MBq_s
    assert 0.85 <= ratio <= 1.0


def test_uniform_activity_reaches_local_deposition_dose():
    # charged-particle equilibrium: deep inside a uniform Y-90 block every voxel gets E_e per decay.
    k = voxel_kernel("Y-90", 3.0)
    tia = np.full((30, 30, 30), 1e9)
    dose = dvk_dose(tia, k)
    local = local_deposition_dose(tia, "Y-90", voxel_volume_mL=0.027)
    assert dose[15, 15, 15] == pytest.approx(local[15, 15, 15] * k.energy_fraction_within_kernel, rel=1e-3)
    h = k.half_width[0]
    octant = k.values_Gy_per_decay[h:, h:, h:].sum()  # corner voxel: only one octant of sources exists
    assert dose[0, 0, 0] == pytest.approx(1e9 * octant, rel=1e-3)


def test_single_decay_reproduces_kernel_and_convolution_is_linear_not_circular():
    k = voxel_kernel("Lu-177", 4.8)
    tia = np.zeros((9, 9, 9))
    tia[4, 4, 4] = 1.0
    h = k.half_width[0]
    dose = dvk_dose(tia, k)
    # float32 FFT: errors of ~1e-5 of the kernel maximum are expected; 1e-4 bounds them
    atol = 1e-4 * k.values_Gy_per_decay.max()
    assert np.allclose(dose[4 - h : 5 + h, 4 - h : 5 + h, 4 - h : 5 + h], k.values_Gy_per_decay, rtol=0, atol=atol)
    corner = np.zeros((9, 9, 9))
    corner[0, 0, 0] = 1.0
    assert abs(dvk_dose(corner, k)[-1, -1, -1]) < atol  # a circular convolution would wrap the kernel here


def test_density_scaling_direction():
    k = voxel_kernel("Lu-177", 4.8)
    tia = np.random.default_rng(1).uniform(0, 1e8, (10, 10, 10))
    water = dvk_dose(tia, k)
    rho = np.full(tia.shape, 2.0)
    assert dvk_dose(tia, k, rho) == pytest.approx(water / 2.0)
    lung = dvk_dose(tia, k, 0.3)
    assert np.all(lung >= water)
    vol = 4.8**3 / 1000
    assert local_deposition_dose(tia, "Lu-177", vol, rho) == pytest.approx(
        local_deposition_dose(tia, "Lu-177", vol) / 2
    )


def test_local_deposition_matches_hand_calculation():
    # 1e9 decays of Lu-177 (0.14655 MeV electrons) in 1 mL of water: 1e9 x 0.14655 MeV / 1 g
    dose = local_deposition_dose(np.full((1, 1, 1), 1e9), "Lu-177", 1.0)
    assert float(dose[0, 0, 0]) == pytest.approx(1e9 * 0.14655 * 1.602176634e-13 / 1e-3, rel=1e-4)


def test_128_cube_convolves_in_under_two_seconds():
    k = voxel_kernel("Y-90", 4.8)
    tia = np.random.default_rng(0).uniform(0, 1e6, (128, 128, 128)).astype(np.float32)
    dvk_dose(tia[:16, :16, :16], k)  # warm the FFT plan cache
    t0 = time.perf_counter()
    dose = dvk_dose(tia, k)
    assert time.perf_counter() - t0 < 2.0
    assert dose.shape == tia.shape


def test_kernel_is_cached():
    assert voxel_kernel("Lu-177", 4.8) is voxel_kernel("177Lu", (4.8, 4.8, 4.8))


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: voxel_kernel("Lu-177", -1.0), "voxel_mm"),
        (lambda: voxel_kernel("Lu-177", "abc"), "voxel_mm"),
        (lambda: voxel_kernel("Lu-177", (1.0, 2.0)), "voxel_mm"),
        (lambda: voxel_kernel("Lu-177", 4.8, radius_mm=-3), "radius_mm"),
        (lambda: voxel_kernel("Xx-1", 4.8), "nuclide"),
        (lambda: dvk_dose(np.zeros((4, 4)), voxel_kernel("Lu-177", 4.8)), "tia_decays"),
        (lambda: dvk_dose(np.zeros((4, 4, 4)), voxel_kernel("Lu-177", 4.8), np.zeros((4, 4, 4))), "density_g_cm3"),
        (lambda: local_deposition_dose(np.zeros((2, 2, 2)), "Lu-177", 0.0), "voxel_volume_mL"),
    ],
)
def test_bad_input_is_input_error(call, field):
    with pytest.raises(InputError) as exc:
        call()
    assert exc.value.field == field


def test_component_kernels_sum_to_the_whole_kernel():
    # the same seeded shell sampling is linear in the shell energies, so electron + photon = whole, to rounding
    from nmguard.dosimetry.kernels import component_voxel_kernel

    whole = voxel_kernel("I-131", 4.0, radius_mm=12.0).values_Gy_per_decay
    parts = sum(component_voxel_kernel("I-131", 4.0, 12.0, c).values_Gy_per_decay for c in ("electron", "photon"))
    assert np.allclose(parts, whole, rtol=1e-9, atol=0.0)
    with pytest.raises(InputError):
        component_voxel_kernel("I-131", 4.0, 12.0, "neutron")
