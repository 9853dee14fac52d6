"""Sphere S-values: limits, the geometric reduction factor, density scaling, photon small-sphere limit.

These are independent calculations (large-sphere limit E/m, moments of the kernel, a Monte Carlo of
the sphere geometry, the thin-sphere photon limit); the comparison with published OLINDA/EXM Lu-177
sphere S-values is in test_published_svalues.py (no I-131 or Y-90 sphere table was found).
"""

from __future__ import annotations

import numpy as np
import pytest

from nmguard.dosimetry.point_kernels import nuclide_kernels
from nmguard.dosimetry.sphere import absorbed_fraction, sphere_geometry_factor, sphere_s_value
from nmguard.errors import InputError

MEV_PER_G_TO_MGY_PER_MBQ_S = 1.602176634e-13 / 1e-3 * 1e6 * 1e3


def test_geometry_factor_matches_monte_carlo():
    # points uniform in a unit sphere, isotropic directions: fraction still inside at distance u
    rng = np.random.default_rng(5)
    n = 200_000
    p = rng.normal(size=(n, 3))
    p *= (rng.uniform(size=n) ** (1 / 3) / np.linalg.norm(p, axis=1))[:, None]
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    for u in (0.25, 0.75, 1.25, 1.9):
        mc = np.mean(np.linalg.norm(p + u * d, axis=1) < 1.0)
        assert float(sphere_geometry_factor(u)) == pytest.approx(mc, abs=0.004)  # 3 sigma of 200k samples
    assert float(sphere_geometry_factor(2.5)) == 0.0


@pytest.mark.parametrize("nuclide", ["Lu-177", "I-131", "Y-90"])
def test_electron_absorbed_fraction_equals_kernel_moments(nuclide):
    # for ranges below 2R the factor is a cubic, so φ = 1 - (3/4)<r>/R + <r³>/(16R³) exactly
    e = nuclide_kernels(nuclide).electron
    r = e.radius_cm
    d_phi = np.diff(e.cumulative_grid)
    mid = 0.5 * (r[1:] + r[:-1])
    radius = 2.0  # cm, > half the longest range
    m1, m3 = np.sum(d_phi * mid), np.sum(d_phi * mid**3)
    expected = 1 - 0.75 * m1 / radius + m3 / (16 * radius**3)
    assert absorbed_fraction(e.cumulative, radius) == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize(("nuclide", "energy_MeV"), [("Lu-177", 0.14655), ("I-131", 0.191294), ("Y-90", 0.932314)])
def test_large_sphere_electron_s_value_tends_to_energy_over_mass(nuclide, energy_MeV):
    s = sphere_s_value(nuclide, 6000.0)
    limit = energy_MeV / 6000.0 * MEV_PER_G_TO_MGY_PER_MBQ_S
    # at 6 kg (R = 11.3 cm) the escape is (3/4)<r>/R: 2.1 % for Y-90 (<r> ~ 3 mm), < 0.3 % for the others
    assert s.electron_s_value_mGy_per_MBq_s == pytest.approx(limit, rel=0.025)
    assert s.electron_absorbed_fraction > 0.975


def test_s_value_components_add_up_and_decrease_with_mass():
    values = [sphere_s_value("I-131", m) for m in (0.01, 1.0, 100.0, 6000.0)]
    for v in values:
        assert v.s_value_mGy_per_MBq_s == pytest.approx(
            v.electron_s_value_mGy_per_MBq_s + v.photon_s_value_mGy_per_MBq_s
        )
        assert 0 < v.photon_absorbed_fraction < v.electron_absorbed_fraction <= 1
    s = [v.s_value_mGy_per_MBq_s for v in values]
    assert s == sorted(s, reverse=True)
    af = [v.photon_absorbed_fraction for v in values]
    assert af == sorted(af)


def test_photon_absorbed_fraction_thin_sphere_limit():
    # R -> 0: φ ≈ μ_en ∫ g(r/R) dr = 0.75 μ_en R for a single line (NIST SRD 126 water, 1 MeV: μ_en/ρ 0.03103
    # cm²/g, an independent table: the kernel comes from the Elam cross sections by Monte Carlo). 3 %: the
    # kernel's Monte Carlo noise at 0.04 mean free paths (~1 %) and scatter build-up within 2R (< 1 %).
    pk = nuclide_kernels("Y-90")
    assert pk.photon.energy_MeV > 0
    from nmguard.dosimetry.point_kernels import photon_line_kernel

    k, _ = photon_line_kernel(np.array([1.0]), np.array([1.0]))
    radius = 0.3
    assert absorbed_fraction(k.cumulative, radius) == pytest.approx(0.75 * 0.03103 * radius, rel=0.03)


def test_density_scales_like_a_larger_unit_density_sphere():
    # φ depends on ρR only; mass m at ρ = 8 has ρR equal to a unit-density sphere of 64 m
    dense = sphere_s_value("Y-90", 0.5, density_g_cm3=8.0)
    big = sphere_s_value("Y-90", 32.0)
    assert dense.electron_absorbed_fraction == pytest.approx(big.electron_absorbed_fraction, rel=1e-6)
    assert dense.s_value_mGy_per_MBq_s > sphere_s_value("Y-90", 0.5).s_value_mGy_per_MBq_s


def test_result_names_its_sources():
    s = sphere_s_value("lu177", 10)
    d = s.to_dict()
    assert d["nuclide"] == "Lu-177" and "kern-nist-estar-water-transcribed" in d["sources"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("Lu-177", -1.0), "mass_g"),
        (("Lu-177", 0.0), "mass_g"),
        (("Lu-177", 1.0, 0.0), "density_g_cm3"),
        (("Xx-9", 1.0), "nuclide"),
    ],
)
def test_bad_input(args, field):
    with pytest.raises(InputError) as exc:
        sphere_s_value(*args)
    assert exc.value.field == field
