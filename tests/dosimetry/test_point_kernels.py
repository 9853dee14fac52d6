"""Point kernels in water: beta spectra, CSDA ranges, electron and photon cumulative kernels.

No published point-kernel table was found in the stored sources, so the checks are independent
calculations: spectrum means against the ENSDF branch means (computed by ENSDF's own LOGFT code),
the CSDA range against the integral of the ESTAR stopping powers shipped beside it, the photon kernels'
slope at the source against the NIST μ_en/ρ table (the kernels come from the Elam cross sections), the
shipped kernel tables against a re-run of the Monte Carlo that made them, and exact energy balances.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nmguard.dosimetry.electron_point_kernel_mc import electron_shell_tally
from nmguard.dosimetry.electron_spectra import branch_spectrum
from nmguard.dosimetry.photon_point_kernel_mc import photon_shell_tally
from nmguard.dosimetry.point_kernels import (
    _loglog,
    csda_range_cm,
    energy_for_range_MeV,
    monoenergetic_cumulative,
    nuclide_kernels,
    photon_line_kernel,
)
from nmguard.errors import InputError
from nmguard.reference.electron_energy import electron_energy_rows
from nmguard.reference.kernel_data import (
    beta_branches,
    electron_point_kernel_grid,
    estar_water,
    photon_point_kernel_grid,
    photon_water,
)


@pytest.mark.parametrize(
    ("nuclide", "mass", "tol"),
    [("Lu-177", 177, 0.005), ("I-131", 131, 0.005), ("P-32", 32, 0.005), ("F-18", 18, 0.005), ("Ga-68", 68, 0.01)],
)
def test_allowed_and_first_forbidden_spectrum_means_match_ensdf(nuclide, mass, tol):
    # ENSDF means come from the same allowed-shape theory; 0.5 % covers the binning and the simplified
    # nuclear radius (1 % for positrons: no screening correction, Ga-68 821 keV branch measured +0.57 %).
    # Unique-forbidden branches are tested separately.
    for b in beta_branches(nuclide):
        if b.forbiddenness.upper() == "1UF" or b.intensity_per_decay < 0.01:
            continue
        assert branch_spectrum(b, mass).mean_MeV == pytest.approx(b.mean_MeV, rel=tol)


def test_unique_forbidden_y90_mean_within_two_percent():
    (main, *_) = beta_branches("Y-90")
    assert main.forbiddenness == "1UF"
    # measured +1.5 %: the (p² + q²) shape factor without the λ2 correction; 2 % states that.
    assert branch_spectrum(main, 90).mean_MeV == pytest.approx(main.mean_MeV, rel=0.02)


def test_spectrum_is_a_probability_on_zero_to_endpoint():
    b = beta_branches("Y-90")[0]
    s = branch_spectrum(b, 90)
    assert s.probability.sum() == pytest.approx(1.0) and np.all(s.probability >= 0)
    assert s.energy_MeV.min() > 0 and s.energy_MeV.max() < b.endpoint_MeV


@pytest.mark.parametrize("nuclide", ["Lu-177", "I-131", "Y-90"])
def test_beta_branches_sum_to_the_shipped_beta_energy(nuclide):
    # kern_beta_branches.csv and electron_energy.csv come from the same ENSDF sets by two scripts.
    beta = sum(b.intensity_per_decay * b.mean_MeV for b in beta_branches(nuclide))
    assert beta == pytest.approx(electron_energy_rows()[nuclide].components_MeV["beta_minus_MeV"], rel=0.003)


def test_csda_range_agrees_with_integral_of_estar_stopping_power():
    # R(E) = R(10 keV) + ∫ dE / S_tot: an independent use of a different column of the same table.
    t = estar_water().columns
    e = np.geomspace(0.01, 3.0, 4000)
    s = np.exp(np.interp(np.log(e), np.log(t["energy_MeV"]), np.log(t["total_stopping_MeV_cm2_per_g"])))
    integral = 0.000252 + np.concatenate([[0.0], np.cumsum(np.diff(e) * 0.5 * (1 / s[1:] + 1 / s[:-1]))])
    for energy in (0.1, 0.5, 1.0, 2.28):
        # 2 %: three-digit ESTAR values and log interpolation of S
        assert csda_range_cm(energy) == pytest.approx(np.interp(energy, e, integral), rel=0.02)


def test_range_inverse_round_trip_and_zero():
    e = np.array([0.005, 0.05, 0.3, 1.7])
    assert energy_for_range_MeV(csda_range_cm(e)) == pytest.approx(e, rel=1e-9)
    assert csda_range_cm(0.0) == 0.0


def test_monoenergetic_kernel_runs_from_zero_to_one_at_the_csda_range():
    e = np.array([0.1, 1.0])
    r0 = csda_range_cm(e)
    radii = np.linspace(0, 1.2 * r0.max(), 500)
    phi = monoenergetic_cumulative(e, radii)
    assert phi[:, 0] == pytest.approx([0.0, 0.0]) and np.all(np.diff(phi, axis=1) >= -1e-12)
    assert monoenergetic_cumulative(e, r0 * 1.0000001).diagonal() == pytest.approx([1.0, 1.0])


def test_scattering_electrons_deposit_nearer_than_straight_paths():
    # A winding path of the same length ends nearer the source: Φ(r) must not fall below the straight-path
    # CSDA kernel (energy T - T_res(r0 - r) within r); 0.01 absorbs the table's Monte Carlo noise.
    e = np.array([0.05, 0.3, 1.0, 2.0])
    r0 = csda_range_cm(e)
    radii = np.linspace(0, r0.max(), 400)
    straight = np.clip((e[:, None] - energy_for_range_MeV(np.maximum(r0[:, None] - radii, 0.0))) / e[:, None], 0, 1)
    scattered = monoenergetic_cumulative(e, radii)
    assert np.all(scattered >= straight - 0.01)
    half = monoenergetic_cumulative(e, 0.5 * r0).diagonal()
    assert np.all(half > 0.4) and np.all(half < 0.7)  # a straight path holds < 15 % within r0/2


def test_shipped_electron_kernels_are_reproduced_by_their_monte_carlo():
    grid = electron_point_kernel_grid()
    k = int(np.argmin(abs(grid.energy_MeV - 1.0)))
    tally = electron_shell_tally(float(grid.energy_MeV[k]), 4000, seed=5)
    assert tally.deposited_MeV.sum() == pytest.approx(tally.emitted_MeV, rel=1e-12)  # energy conserved
    assert tally.csda_range_g_cm2 == pytest.approx(grid.scale[k], rel=1e-5)
    # 0.02: binomial noise of 4000 histories at the interior points (σ ≈ 0.008)
    for x in (0.2, 0.4, 0.6, 0.8):
        shipped = np.interp(x, grid.radius, grid.cumulative[k])
        assert np.interp(x, tally.edges_scaled, tally.cumulative) == pytest.approx(shipped, abs=0.02)


def test_shipped_photon_kernels_are_reproduced_by_their_monte_carlo():
    grid = photon_point_kernel_grid()
    k = int(np.argmin(abs(grid.energy_MeV - 0.364)))
    tally = photon_shell_tally(float(grid.energy_MeV[k] * 1000.0), 50_000, seed=5)
    assert int(tally.quanta.sum()) == tally.emitted_quanta  # unbounded water: every quantum is deposited
    assert tally.mu_cm2_g == pytest.approx(grid.scale[k], rel=1e-5)
    for x in (0.3, 1.0, 3.0):  # 0.015: noise of 5e4 photons at these radii (σ < 0.005)
        shipped = np.interp(x, grid.radius, grid.cumulative[k])
        assert np.interp(x, tally.edges_mfp, tally.cumulative) == pytest.approx(shipped, abs=0.015)


@pytest.mark.parametrize("energy_MeV", [0.03, 0.1, 0.364, 1.0, 2.0])
def test_photon_kernel_conserves_energy_and_starts_with_nist_mu_en(energy_MeV):
    k, notes = photon_line_kernel(np.array([energy_MeV]), np.array([1.0]))
    assert notes == []
    assert float(k.cumulative(1e5)) == 1.0
    # near the source only primaries interact: Φ(r) ≈ (μ_en/ρ) r. NIST SRD 126 μ_en/ρ is an independent table
    # (the kernels use the Elam cross sections); 3 %: the two tables, Monte Carlo noise at 0.03 mean free
    # paths (~1 %) and the first scatter's build-up (< 1 %). Measured -1.1 .. +2.1 %.
    t = photon_water().columns
    mu_en = float(_loglog(energy_MeV, t["energy_MeV"], t["mu_en_over_rho_cm2_per_g"]))
    r = 0.03 / k.mu[0]
    assert float(k.cumulative(r)) / r == pytest.approx(mu_en, rel=0.03)


def test_photon_lines_below_the_cut_off_are_local_and_above_the_grid_are_noted():
    k, notes = photon_line_kernel(np.array([0.005, 0.364, 4.0]), np.array([1.0, 1.0, 0.01]))
    assert float(k.cumulative(0.0)) == pytest.approx(0.005 / (0.005 + 0.364 + 0.04))
    assert float(k.cumulative(1e6)) == pytest.approx(1.0)
    assert any("below 10 keV" in n for n in notes) and any("above 3 MeV" in n for n in notes)


def test_nuclide_kernels_energy_split_lu177():
    k = nuclide_kernels("177Lu")
    assert k.nuclide == "Lu-177"
    assert k.electron.energy_MeV == pytest.approx(0.14655, rel=1e-4)
    assert 0.0 < k.electron.local_fraction < 0.15  # conversion electrons ~ 0.0129 of 0.1466 MeV
    assert float(k.electron.cumulative(k.electron.max_range_cm)) == pytest.approx(1.0)
    assert float(k.cumulative(1e4)) == pytest.approx(1.0, abs=1e-6)
    assert math.isclose(k.energy_MeV, k.electron.energy_MeV + k.photon.energy_MeV)


def test_unknown_nuclide_is_input_error():
    with pytest.raises(InputError):
        nuclide_kernels("Xx-999")
