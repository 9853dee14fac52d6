"""Photon Monte Carlo: energy balance, determinism, physics against analytic values, media, bad input, GPU.

Tolerances are a few standard deviations of the Monte Carlo estimate (stated per test), so a wrong
cross section, a wrong sampling law or a geometry error of a few per cent fails.
"""

import json
import math
import os
import subprocess
import sys
import textwrap

import numba
import numpy as np
import pytest
from numba import njit
from scipy.integrate import quad

from nmguard.dosimetry.montecarlo import physics as ph
from nmguard.dosimetry.montecarlo import simulate_photons
from nmguard.dosimetry.montecarlo.tables import transport_tables
from nmguard.errors import InputError
from nmguard.reference.nuclides import get_nuclide
from nmguard.reference.photon_cross_sections import photon_cross_sections

WATER, LUNG, BONE, AIR = 5, 1, 4, 0
MEC2 = 510.99895


def cube(n, material=WATER, density=1.0):
    return np.full((n, n, n), density), np.full((n, n, n), material, np.int8)


def centre_source(n, half=1):
    src = np.zeros((n, n, n))
    c = n // 2
    src[c - half : c + half, c - half : c + half, c - half : c + half] = 1e6
    return src


# --------------------------------------------------------------------------- harnesses around the shared physics


@njit
def _kn_mean_transfer(k, n, seed):
    np.random.seed(seed)
    states = np.zeros(1)
    total = 0.0
    for _ in range(n):
        total += 1.0 - 1.0 / ph.klein_nishina_ratio(k, states, 0)
    return total / n


@njit
def _thomson_mean_cos2(n, seed):
    np.random.seed(seed)
    states = np.zeros(1)
    total = 0.0
    for _ in range(n):
        c = ph.thomson_cosine(states, 0)
        total += c * c
    return total / n


@njit
def _beam(n, seed, x0, y0, z0, u, v, w, e, density, material, nx, ny, nz, dx, dy, dz, xs, maj, log_e0, inv_dlog):
    """First-interaction codes of ``n`` photons started at (x0, y0, z0) along (u, v, w)."""
    np.random.seed(seed)
    states = np.zeros(1)
    tally = np.zeros((1, density.size), dtype=np.int64)
    counts = np.zeros(5, dtype=np.int64)
    for _ in range(n):
        _, first = ph.track_photon(x0, y0, z0, u, v, w, e, density, material, nx, ny, nz, dx, dy, dz,
                                   xs, maj, log_e0, inv_dlog, 10.0, 1e-5, tally, 0, states, 0)  # fmt: skip
        counts[first + 1] += 1
    return counts


def _run_beam(density, material, spacing_cm, start, direction, energy, n, seed=3):
    t = transport_tables()
    nz, ny, nx = density.shape
    d, m = density.ravel().copy(), material.astype(np.int8).ravel().copy()
    return _beam(n, seed, *start, *direction, energy, d, m, nx, ny, nz, *spacing_cm[::-1], t.xs,
                 t.majorant(d, m), t.log_e0, t.inv_dlog)  # fmt: skip


# --------------------------------------------------------------------------- physics


def test_klein_nishina_mean_energy_transfer_matches_analytic():
    # sigma_tr / sigma from the Klein-Nishina differential cross section, integrated with scipy (independent).
    def analytic(k):
        def dsig(c):
            r = 1.0 / (1.0 + k * (1.0 - c))
            return r * r * (r + 1.0 / r - (1.0 - c * c))

        num = quad(lambda c: dsig(c) * (1.0 - 1.0 / (1.0 + k * (1.0 - c))), -1, 1)[0]
        return num / quad(dsig, -1, 1)[0]

    n = 200_000
    for e_keV in (30.0, 140.5, 364.5, 1332.0):
        k = e_keV / MEC2
        got = _kn_mean_transfer(k, n, 7)
        # the transfer fraction lies in [0, 1) with sd < 0.3, so the sd of the mean is < 7e-4: 5 sd = 3.5e-3
        assert got == pytest.approx(analytic(k), abs=3.5e-3), e_keV
    # Thomson: <cos^2> = 2/5 exactly; sd of cos^2 is about 0.33, so 5 sd of the mean of 2e5 is 3.7e-3
    assert _thomson_mean_cos2(n, 11) == pytest.approx(0.4, abs=3.7e-3)


def test_narrow_beam_uncollided_fraction_is_exp_minus_mu_x():
    # a pencil beam along +x through 4 cm water, 6 cm lung (0.3 g/cm3) and 2 cm bone (1.85 g/cm3): the
    # Woodcock majorant is the bone's, so most collisions in water and lung are virtual and must be rejected.
    n_x = 12
    density = np.ones((3, 3, n_x))
    material = np.full((3, 3, n_x), WATER, np.int8)
    density[:, :, 4:10], material[:, :, 4:10] = 0.3, LUNG
    density[:, :, 10:], material[:, :, 10:] = 1.85, BONE
    t = photon_cross_sections()
    n = 200_000
    for e in (60.0, 140.5, 364.5):
        mu_x = (4 * 1.0 * t.mass_coefficient("water", e) + 6 * 0.3 * t.mass_coefficient("lung", e)
                + 2 * 1.85 * t.mass_coefficient("cortical_bone", e))  # fmt: skip
        counts = _run_beam(density, material, (1.0, 1.0, 1.0), (0.0, 1.5, 1.5), (1.0, 0.0, 0.0), e, n)
        expected = math.exp(-mu_x)
        sd = math.sqrt(expected * (1 - expected) / n)
        assert counts[0] / n == pytest.approx(expected, abs=5 * sd), e


def test_photoelectric_fraction_of_first_interactions():
    # uniform bone with voxel densities between 1.2 and 1.92 g/cm3 (virtual collisions again); the first
    # interaction is photoelectric with probability sigma_pe / sigma_tot of the table at that energy.
    rng = np.random.default_rng(1)
    density = rng.uniform(1.2, 1.92, (15, 15, 15))
    material = np.full(density.shape, BONE, np.int8)
    t = photon_cross_sections()
    n = 100_000
    for e in (30.0, 60.0):
        expected = float(
            t.mass_coefficient("cortical_bone", e, "photoelectric") / t.mass_coefficient("cortical_bone", e)
        )
        counts = _run_beam(density, material, (2.0, 2.0, 2.0), (15.0, 15.0, 15.0), (0.0, 0.6, 0.8), e, n)
        interacted = counts[1:4].sum()
        assert counts[0] < 1e-3 * n  # 15 cm of bone: nothing at 30-60 keV leaves uncollided
        sd = math.sqrt(expected * (1 - expected) / interacted)
        assert counts[1] / interacted == pytest.approx(expected, abs=5 * sd), e


def test_uncollided_escape_from_a_cube_matches_independent_geometry():
    # point-like source (one 1 cm voxel) at the centre of an 11 cm water cube, Tc-99m: the fraction leaving
    # uncollided equals the average over lines, positions in the voxel and isotropic directions of
    # exp(-mu d), with d the distance to the surface; computed here with NumPy, independently of the kernel.
    n = 11
    density, material = cube(n)
    src = np.zeros((n, n, n))
    src[5, 5, 5] = 1.0
    histories = 60_000
    r = simulate_photons(src, density, material, (10.0, 10.0, 10.0), "Tc-99m", histories, seed=5)
    lines = get_nuclide("Tc-99m").photon_lines
    yields = np.array([p.yield_per_decay for p in lines])
    rng = np.random.default_rng(0)
    m = 400_000
    pos = 5.0 + rng.random((m, 3))
    w = 2 * rng.random(m) - 1
    phi = 2 * np.pi * rng.random(m)
    s = np.sqrt(1 - w * w)
    dirs = np.stack([s * np.cos(phi), s * np.sin(phi), w], axis=1)
    with np.errstate(divide="ignore"):
        dist = np.where(dirs > 0, (11.0 - pos) / dirs, np.where(dirs < 0, -pos / dirs, np.inf)).min(axis=1)
    table = photon_cross_sections()
    expected = 0.0
    for p, y in zip(lines, yields / yields.sum(), strict=True):
        if p.energy_keV >= 10.0:  # below the cut-off the photon deposits at birth
            expected += y * np.exp(-float(table.mass_coefficient("water", p.energy_keV)) * dist).mean()
    got = r.first_interactions["escaped_uncollided"] / histories
    sd = math.sqrt(expected * (1 - expected) / histories)
    assert got == pytest.approx(expected, abs=5 * sd + 2e-3)  # 2e-3: sd of the NumPy average itself


# --------------------------------------------------------------------------- whole runs


def test_energy_balance_is_exact_and_emission_matches_the_line_list():
    n = 12
    density, material = cube(n)
    material[:, :, :3], density[:, :, :3] = LUNG, 0.3
    material[:, :, 9:], density[:, :, 9:] = BONE, 1.8
    material[:2], density[:2] = AIR, 1.205e-3
    src = centre_source(n, 2)
    r = simulate_photons(src, density, material, (8.0, 8.0, 8.0), "I-131", 40_000, seed=2)
    assert r.energy_emitted_J == pytest.approx(r.energy_deposited_J + r.energy_escaped_J, rel=1e-12)
    vol_kg = density * 0.8**3 / 1000.0
    assert float((r.dose_Gy * vol_kg).sum()) == pytest.approx(r.energy_deposited_J, rel=1e-9)
    # emitted energy = decays x sum(yield x E); the sampled mean line energy has a relative sd of about
    # 0.3 / sqrt(4e4) = 1.5e-3 for I-131, so 1 % is > 5 sd
    lines = get_nuclide("I-131").photon_lines
    per_decay_J = sum(p.yield_per_decay * p.energy_keV for p in lines) * 1.602176634e-16
    assert r.energy_emitted_J == pytest.approx(src.sum() * per_decay_J, rel=0.01)
    assert 0 < r.energy_deposited_J < r.energy_emitted_J and r.histories == 40_000 and r.device == "cpu"
    assert r.histories_per_second > 0 and r.notes


def test_same_seed_same_numbers_whatever_the_threads():
    n = 10
    density, material = cube(n)
    src = centre_source(n)
    args = (src, density, material, (10.0, 10.0, 10.0), "Lu-177", 5_000)
    a = simulate_photons(*args, seed=4)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        b = simulate_photons(*args, seed=4)
    finally:
        numba.set_num_threads(threads)
    c = simulate_photons(*args, seed=5)
    assert np.array_equal(a.dose_Gy, b.dose_Gy) and np.array_equal(a.relative_uncertainty, b.relative_uncertainty)
    assert a.energy_escaped_J == b.energy_escaped_J
    assert not np.array_equal(a.dose_Gy, c.dose_Gy)


def test_absorbed_fraction_reciprocity_and_large_medium_limit():
    # Reciprocity: with a uniform source, the dose at the centre over the emitted energy per unit mass equals
    # the fraction of a centre point source's energy absorbed in the body (1 - escaped / emitted).
    n, spacing = 8, (25.0, 25.0, 25.0)  # 20 cm water cube, 2.5 cm voxels
    density, material = cube(n)
    uniform = simulate_photons(np.ones((n, n, n)), density, material, spacing, "Tc-99m", 150_000, seed=8)
    centre = uniform.dose_Gy[3:5, 3:5, 3:5]
    emitted_per_kg = uniform.energy_emitted_J / (density.sum() * 2.5**3 / 1000.0)
    ratio = float(centre.mean()) / emitted_per_kg
    rel_sd = float(np.sqrt(((uniform.relative_uncertainty * uniform.dose_Gy)[3:5, 3:5, 3:5] ** 2).sum())) / float(
        centre.sum()
    )
    point = simulate_photons(centre_source(n), density, material, spacing, "Tc-99m", 40_000, seed=9)
    af_point = point.energy_deposited_J / point.energy_emitted_J
    assert ratio == pytest.approx(af_point, rel=5 * rel_sd + 0.01)  # 0.01: the point run's own noise
    assert 0.25 < af_point < 0.6  # 140 keV in ~8 kg of water: most energy escapes
    # in a 1.2 m water cube nearly all of a centre source's photon energy is absorbed (KERMA approximation)
    big = simulate_photons(centre_source(8), *cube(8), (150.0, 150.0, 150.0), "Tc-99m", 20_000, seed=10)
    assert big.energy_deposited_J / big.energy_emitted_J > 0.99


def test_media_change_the_absorbed_energy_in_the_expected_direction():
    # same Lu-177 source in a 12 cm cube of lung, water or bone: less matter or lower Z absorbs less.
    n = 12
    src = centre_source(n)
    fractions = {}
    for name, mat, rho in (("lung", LUNG, 0.3), ("water", WATER, 1.0), ("bone", BONE, 1.85)):
        r = simulate_photons(src, *cube(n, mat, rho), (10.0, 10.0, 10.0), "Lu-177", 20_000, seed=12)
        fractions[name] = r.energy_deposited_J / r.energy_emitted_J
    assert fractions["lung"] + 0.1 < fractions["water"] < fractions["bone"] - 0.1


def test_progress_reports_rise_to_one():
    seen = []
    simulate_photons(centre_source(6), *cube(6), (10.0, 10.0, 10.0), "Lu-177", 6_000, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 1


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda a: a.update(density_g_cm3=np.ones((4, 4, 5))), "density_g_cm3"),
        (lambda a: a["density_g_cm3"].__setitem__((0, 0, 0), -1.0), "density_g_cm3"),
        (lambda a: a.update(nuclide="Xx-999"), "nuclide"),
        (lambda a: a.update(source_decays=np.zeros((4, 4, 4))), "source_decays"),
        (lambda a: a.update(material_index=np.full((4, 4, 4), 9, np.int8)), "material_index"),
        (lambda a: a.update(spacing_mm=(1.0, 0.0, 1.0)), "spacing_mm"),
        (lambda a: a.update(n_histories=0), "n_histories"),
        (lambda a: a.update(device="tpu"), "device"),
        (lambda a: a.update(source_decays=np.full((4, 4, 4), np.nan)), "source_decays"),
    ],
)
def test_bad_input_raises_input_error(change, field):
    args = dict(
        source_decays=np.ones((4, 4, 4)),
        density_g_cm3=np.ones((4, 4, 4)),
        material_index=np.full((4, 4, 4), WATER, np.int8),
        spacing_mm=(4.0, 4.0, 4.0),
        nuclide="Lu-177",
        n_histories=100,
    )
    change(args)
    with pytest.raises(InputError) as err:
        simulate_photons(**args)
    assert err.value.field == field


def test_gpu_without_cuda_is_an_input_error():
    from numba import cuda

    if cuda.is_available():
        pytest.skip("a CUDA device is present")
    with pytest.raises(InputError, match="CUDA"):
        simulate_photons(np.ones((4, 4, 4)), *cube(4), (4.0, 4.0, 4.0), "Lu-177", 100, device="gpu")


SIMULATOR_SCRIPT = textwrap.dedent(
    """
    import json, warnings
    import numpy as np
    warnings.simplefilter("ignore")
    from nmguard.dosimetry.montecarlo import simulate_photons
    n = 3
    src = np.zeros((n, n, n)); src[1, 1, 1] = 1e6
    density = np.ones((n, n, n)); material = np.full((n, n, n), 5, np.int8)
    out = {}
    for device, histories in (("gpu", 2500), ("cpu", 20000)):
        r = simulate_photons(src, density, material, (40.0, 40.0, 40.0), "Tc-99m", histories, seed=3, device=device)
        out[device] = dict(dose=float(r.dose_Gy[1, 1, 1]), rel=float(r.relative_uncertainty[1, 1, 1]),
                           emitted=r.energy_emitted_J, deposited=r.energy_deposited_J, escaped=r.energy_escaped_J,
                           device=r.device)
    print(json.dumps(out))
    """
)


def test_cuda_backend_in_the_simulator_agrees_with_cpu():
    # the CUDA kernel (the same physics recompiled as device functions, xoroshiro128+ RNG, atomics) runs in
    # numba's CUDA simulator in a subprocess; the centre-voxel dose must agree with the CPU within 4
    # combined standard uncertainties (batch estimates), and the energy balance must close exactly.
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    proc = subprocess.run([sys.executable, "-c", SIMULATOR_SCRIPT], capture_output=True, text=True, env=env,
                          timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    gpu, cpu = out["gpu"], out["cpu"]
    assert gpu["device"] == "gpu"
    assert gpu["emitted"] == pytest.approx(gpu["deposited"] + gpu["escaped"], rel=1e-12)
    combined = math.hypot(gpu["rel"] * gpu["dose"], cpu["rel"] * cpu["dose"])
    assert abs(gpu["dose"] - cpu["dose"]) < 4 * combined
    assert 0 < gpu["rel"] < 0.1
