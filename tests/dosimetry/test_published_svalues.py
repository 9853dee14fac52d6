"""NMGuard's generated voxel kernels and sphere S-values against published Monte Carlo values.

Sources (numbers transcribed by hand into this file; no code was taken from either repository):

* Voxel S-values, soft tissue: N. Lanconelli et al., "A free database of radionuclide voxel S values for the
  dosimetry of nonuniform activity distributions", Phys. Med. Biol. 57 (2012) 517-533 (Monte Carlo, 11x11x11
  cubic voxels). Status SECONDARY: read in the repository MGHPhysicsResearch/MIRDCalculation (commit
  b6449c637f889a2f18a6808f701a86d73daae472), files MIRD/VoxelSValues/<mass><symbol><side>mmsoft.txt, rows
  "0 0 0", "0 0 1", "0 1 1", "1 1 1" (centre, face, edge and corner neighbours), unit mGy/(MBq s); the
  repository README states these files are the Lanconelli et al. database.
  The medium is soft tissue of density 1.04 g/cm3: the whole published Y-90 kernel (all 1331 voxels) times
  the voxel mass at 1.04 g/cm3 gives back the Y-90 mean beta energy to 0.4 %, at 1.00 g/cm3 it falls 3.7 %
  short (checked below), so NMGuard's water kernel is compared after density scaling (see ``_near_kernel``).

What the database's source is (issue 11, item 4: "Sm-153 17-22 % above Lanconelli at 2.21 and 4.8 mm, Lu-177
6-8 % high, Re-188 +10 % at 2.21 mm, while the mean electron energy agrees"): the database's emission
spectra carry the beta particles and photons but NOT the conversion and Auger electrons. Status DERIVED from
the published numbers themselves (the paper's text was not available to read): the 27 voxels around the
source (9.28 mm, which hold every beta particle's range) hold, less the photon energy NMGuard's photon kernel
puts there, 0.2308 MeV per decay for Sm-153 against ENSDF's beta energy of 0.2244 and all-electron energy of
0.2627 MeV; Lu-177 0.1378 against 0.1336 and 0.1466; Re-188 0.7642 against 0.7641 and 0.7796
(``test_lanconelli_source_holds_the_beta_energy_not_the_conversion_electrons``). NMGuard's kernels include
the conversion and Auger electrons (deposited at the decay point, so all in the centre voxel: 0.0383 MeV for
Sm-153, 0.0129 MeV for Lu-177, 0.0154 MeV for Re-188), and that is the whole excess: the same energy over a
smaller voxel mass gives the larger excess at 2.21 mm. NMGuard's kernels are therefore not changed; they are
compared with the database as the database defined its source, i.e. with the conversion/Auger energy taken
out of NMGuard's centre voxel (``_near_kernel``). Before (whole kernel) / after (database's source), centre
voxel: Sm-153 +22.5 / -0.6 % (2.21 mm), +17.1 / -2.1 % (4.8 mm); Lu-177 +8.2 / -2.9 %, +6.6 / -3.5 %;
Re-188 +10.5 / +3.3 %, +6.2 / +2.3 %. A user who compares NMGuard's dose maps with MIRDCalculation or another
tool built on this database should expect NMGuard higher by that share (docs/reference-data.md says so).

Tolerances (set from the model's known limits, not widened to make any case pass):

* Centre voxel (self-dose), 5 %, six nuclides x 2.21 / 3 / 4.8 / 6 mm: NMGuard's electron kernels come from
  its own condensed-history Monte Carlo with multiple scattering (no energy-loss straggling, a Wentzel angular
  shape), its photon kernels from its photon Monte Carlo; Monte Carlo codes agree on the self-dose voxel to a
  few per cent, beta-branch data differ by a few per cent (the database's near-source beta energy is 3 % above
  ENSDF's for Sm-153 and Lu-177), and the database's soft tissue has about 1 % fewer electrons per gram than
  water. Measured -3.7 % .. +3.3 % over the 24 cases.
* Face neighbour, 8 %, 2.21-6 mm: this voxel sees only the electrons that cross a face, so it tests the
  spatial spread of the electron kernel directly (the straight-path model was 26-40 % high for Lu-177);
  measured -6.8 % (Sm-153, 3 mm) .. +5.5 % (Lu-177, 6 mm). At 9.28 mm the Lu-177 face neighbour is mostly
  photon dose and is not compared.
* Centre share of the 27 near-source voxels, 3 %: the ratio removes the emission data; measured -0.6 % ..
  +2.5 %.
* Source energy, 4 %: the database's near-source electron energy against ENSDF's beta energy (measured
  +2.9 % Sm-153, +3.1 % Lu-177, 0.0 % Re-188); the conversion/Auger share it lacks is 2-15 %, so the test
  also asks that it lie nearer the beta energy than the all-electron energy.
* Spheres >= 0.5 g, 5 %: the Lu-177 beta range (< 2 mm) is small against a >= 9.8 mm diameter, so only a
  thin surface shell depends on the electron model; the OLINDA values are printed to 3 figures. Measured
  -3.2 % .. +3.0 %.

Conversion electrons deposited at the decay point (NMGuard's model, point_kernels module note): bounded by
``test_conversion_electrons_at_the_decay_point_move_the_centre_voxel_little``, which transports all the
conversion/Auger energy as electrons of the strongest gamma line's energy (more than any conversion electron
of that transition carries) with NMGuard's own electron kernel: at 2.21 mm they would leave the centre voxel
with 4 % (Sm-153), 9 % (Re-188) and 14 % (Lu-177) of their energy, i.e. move the centre value by 0.8 %, 0.6 %
and 1.4 % at most, inside the 5 %.

* Sphere S-values, 177Lu, unit-density spheres, OLINDA/EXM sphere model: A. Golzaryan et al., Sci. Rep. 15
  (2025), doi:10.1038/s41598-025-86159-9, Supplementary Table S4 (Gy/(min MBq) by sphere volume in mL).
  Status SECONDARY (a transcription of a transcription): read in the repository nlmixr2/nlmixr2lib,
  vignettes/articles/Golzaryan_2025_lu177psmaIT_pbpk.Rmd, section "Absorbed dose and delivery payload",
  vector ``s_sphere``; the vignette states they are the paper's Table S4 OLINDA/EXM sphere S-values. The
  OLINDA version is not stated there.

Not found in the stored sources (searched): MIRD Pamphlet 17 (Bolch 1999) voxel tables, the full texts of
Pistone 2022 / Amato 2012 / Fernandez 2013, Stabin & Konijnenberg 2000 sphere absorbed fractions, and
sphere S-values for I-131 or Y-90.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest

from nmguard.dosimetry.dvk import _shell_energy
from nmguard.dosimetry.kernels import sphere_s_value, voxel_kernel
from nmguard.dosimetry.point_kernels import monoenergetic_cumulative, nuclide_kernels
from nmguard.reference.kernel_data import beta_branches
from nmguard.reference.nuclides import get_nuclide

GY_PER_DECAY_TO_MGY_PER_MBQ_S = 1e9  # 1 MBq s = 1e6 decays, 1 Gy = 1e3 mGy
J_PER_MEV = 1.602176634e-13
RHO_SOFT_TISSUE = 1.04  # g/cm3, density of the Lanconelli 2012 soft-tissue medium (confirmed by the energy check)
CENTRE_TOLERANCE = 0.05
FACE_TOLERANCE = 0.08
CENTRE_SHARE_TOLERANCE = 0.03
SOURCE_ENERGY_TOLERANCE = 0.04
SPHERE_TOLERANCE = 0.05
SIDES_MM = (2.21, 3.0, 4.8, 6.0)

# Lanconelli 2012, soft tissue, mGy/(MBq s): (centre, face, edge, corner) = rows "0 0 0", "0 0 1", "0 1 1",
# "1 1 1", read as described in the module docstring.
LANCONELLI_NEAR = {
    ("Lu-177", 2.21): (1.66e00, 4.83e-02, 2.52e-03, 2.50e-04),
    ("Lu-177", 3.0): (6.93e-01, 1.51e-02, 6.17e-04, 7.98e-05),
    ("Lu-177", 4.8): (1.78e-01, 2.46e-03, 8.65e-05, 2.35e-05),
    ("Lu-177", 6.0): (9.25e-02, 1.04e-03, 3.94e-05, 1.46e-05),
    ("Lu-177", 9.28): (2.56e-02, 1.98e-04, 1.14e-05, 6.19e-06),
    ("I-131", 2.21): (2.10e00, 9.25e-02, 8.04e-03, 1.70e-03),
    ("I-131", 3.0): (8.99e-01, 3.02e-02, 2.41e-03, 7.26e-04),
    ("I-131", 4.8): (2.37e-01, 5.44e-03, 5.33e-04, 2.56e-04),
    ("I-131", 6.0): (1.25e-01, 2.47e-03, 2.98e-04, 1.63e-04),
    ("Y-90", 2.21): (3.00e00, 5.70e-01, 2.26e-01, 1.20e-01),
    ("Y-90", 3.0): (1.59e00, 2.75e-01, 9.50e-02, 4.29e-02),
    ("Y-90", 4.8): (5.73e-01, 7.63e-02, 1.78e-02, 5.07e-03),
    ("Y-90", 6.0): (3.42e-01, 3.80e-02, 6.86e-03, 1.45e-03),
    ("Sm-153", 2.21): (2.36e00, 1.32e-01, 1.26e-02, 1.65e-03),
    ("Sm-153", 3.0): (1.03e00, 4.30e-02, 3.03e-03, 3.63e-04),
    ("Sm-153", 4.8): (2.77e-01, 7.34e-03, 3.71e-04, 7.04e-05),
    ("Sm-153", 6.0): (1.46e-01, 3.14e-03, 1.52e-04, 4.10e-05),
    ("Sm-153", 9.28): (4.14e-02, 6.03e-04, 3.62e-05, 1.69e-05),
    ("Re-188", 2.21): (3.04e00, 5.31e-01, 1.91e-01, 9.12e-02),
    ("Re-188", 3.0): (1.58e00, 2.42e-01, 7.22e-02, 2.79e-02),
    ("Re-188", 4.8): (5.46e-01, 6.05e-02, 1.14e-02, 2.61e-03),
    ("Re-188", 6.0): (3.19e-01, 2.89e-02, 4.18e-03, 7.26e-04),
    ("Re-188", 9.28): (1.04e-01, 6.16e-03, 5.42e-04, 6.19e-05),
    ("Sr-89", 2.21): (3.06e00, 4.61e-01, 1.36e-01, 5.17e-02),
    ("Sr-89", 3.0): (1.54e00, 1.91e-01, 4.22e-02, 1.14e-02),
    ("Sr-89", 4.8): (4.99e-01, 4.07e-02, 5.15e-03, 7.51e-04),
    ("Sr-89", 6.0): (2.82e-01, 1.84e-02, 1.79e-03, 1.98e-04),
}
NUCLIDES = ("Lu-177", "I-131", "Y-90", "Sm-153", "Re-188", "Sr-89")
COMPARED = [(n, s) for n in NUCLIDES for s in SIDES_MM]
# 9.28 mm: 27 voxels 27.8 mm wide hold the whole beta range of these (Re-188 endpoint 2.12 MeV, CSDA 1.0 cm).
SOURCE_ENERGY_CASES = [("Sm-153", 9.28), ("Lu-177", 9.28), ("Re-188", 9.28)]

# Sum of all 1331 voxels of the Lanconelli 2012 Y-90 soft-tissue kernels, mGy/(MBq s). Status DERIVED: summed by
# us over the 216 octant entries (expanded by symmetry to 11x11x11) of the files named in the module docstring.
LANCONELLI_Y90_KERNEL_SUM = {3.0: 5.32997, 4.8: 1.30298, 6.0: 0.665866}

# Golzaryan 2025 Table S4 (OLINDA/EXM unit-density spheres, 177Lu): sphere volume mL (= g) -> Gy/(min MBq).
OLINDA_LU177_SPHERES = {
    0.5: 2.77e-3,
    1.0: 1.40e-3,
    1.5: 9.00e-4,
    2.0: 7.02e-4,
    3.0: 4.50e-4,
    4.0: 3.52e-4,
    13.0: 1.10e-4,
    17.0: 8.30e-5,
    21.0: 6.90e-5,
    29.0: 4.80e-5,
    34.0: 4.30e-5,
    52.0: 2.67e-5,
    54.0: 2.65e-5,
}
GY_PER_MIN_MBQ_TO_MGY_PER_MBQ_S = 1e3 / 60.0


def _conversion_auger_MeV(nuclide: str) -> float:
    """Conversion and Auger electron energy per decay that NMGuard deposits at the decay point."""
    electron = nuclide_kernels(nuclide).electron
    return electron.local_fraction * electron.energy_MeV


def _near_kernel(nuclide: str, side_mm: float, rho: float = RHO_SOFT_TISSUE, as_lanconelli: bool = True) -> np.ndarray:
    """NMGuard's 3x3x3 kernel around the source in the 1.04 g/cm3 medium, mGy/(MBq s).

    NMGuard's kernels are for water. By the density-scaling theorem (same composition, distances scaling
    as 1/rho) a voxel of side l at density rho receives the energy a water voxel of side rho*l receives,
    in a mass rho*l^3 instead of (rho*l)^3: S_rho(l) = rho^2 * S_water(rho*l). The 27 central values do not
    depend on the kernel extent, so the kernel is cut at one voxel to keep the test fast.
    ``as_lanconelli``: with the source the database simulated (no conversion/Auger electrons, module note);
    NMGuard puts that energy at the decay point, so it is all in the centre voxel and is taken out there.
    """
    k = voxel_kernel(nuclide, rho * side_mm, radius_mm=rho * side_mm)
    values = np.array(k.values_Gy_per_decay, dtype=float)
    if as_lanconelli:
        values[1, 1, 1] -= _conversion_auger_MeV(nuclide) * J_PER_MEV / (k.mass_g / 1000.0)
    return values * rho**2 * GY_PER_DECAY_TO_MGY_PER_MBQ_S


def _near_sum(values: tuple[float, float, float, float]) -> float:
    centre, face, edge, corner = values
    return centre + 6 * face + 12 * edge + 8 * corner


def _deviation(ours: float, published: float) -> float:
    return ours / published - 1.0


@pytest.mark.parametrize(("nuclide", "side_mm"), COMPARED, ids=lambda v: str(v))
def test_centre_voxel_matches_lanconelli(nuclide, side_mm):
    published = LANCONELLI_NEAR[(nuclide, side_mm)][0]
    ours = float(_near_kernel(nuclide, side_mm)[1, 1, 1])
    deviation = _deviation(ours, published)
    assert abs(deviation) <= CENTRE_TOLERANCE, (
        f"{nuclide} {side_mm:g} mm centre voxel (database's source): NMGuard {ours:.4g}, Lanconelli 2012 "
        f"{published:.4g} mGy/(MBq s), deviation {deviation:+.1%} (tolerance {CENTRE_TOLERANCE:.0%})"
    )


@pytest.mark.parametrize(("nuclide", "side_mm"), [("Sm-153", 2.21), ("Sm-153", 4.8), ("Lu-177", 4.8), ("Re-188", 2.21)])
def test_whole_kernel_exceeds_lanconelli_by_the_conversion_and_auger_energy(nuclide, side_mm):
    # The issue's finding, kept as a check that the cause is the one stated: the whole NMGuard centre voxel is
    # higher than the database by more than the centre tolerance, and taking out the conversion/Auger energy
    # (nothing else) brings it within it.
    published = LANCONELLI_NEAR[(nuclide, side_mm)][0]
    whole = float(_near_kernel(nuclide, side_mm, as_lanconelli=False)[1, 1, 1])
    assert _deviation(whole, published) > CENTRE_TOLERANCE
    assert abs(_deviation(float(_near_kernel(nuclide, side_mm)[1, 1, 1]), published)) <= CENTRE_TOLERANCE


@pytest.mark.parametrize(("nuclide", "side_mm"), COMPARED, ids=lambda v: str(v))
def test_face_neighbour_matches_lanconelli(nuclide, side_mm):
    published = LANCONELLI_NEAR[(nuclide, side_mm)][1]
    # the six face neighbours are equal after symmetrisation; take one of them
    deviation = _deviation(float(_near_kernel(nuclide, side_mm)[1, 1, 2]), published)
    assert abs(deviation) <= FACE_TOLERANCE, f"{nuclide} {side_mm:g} mm face neighbour deviation {deviation:+.1%}"


@pytest.mark.parametrize(("nuclide", "side_mm"), COMPARED, ids=lambda v: str(v))
def test_centre_share_of_the_near_source_energy(nuclide, side_mm):
    published = LANCONELLI_NEAR[(nuclide, side_mm)]
    ours = _near_kernel(nuclide, side_mm)
    ratio = (ours[1, 1, 1] / ours.sum()) / (published[0] / _near_sum(published))
    assert ratio == pytest.approx(1.0, abs=CENTRE_SHARE_TOLERANCE)


@pytest.mark.parametrize(("nuclide", "side_mm"), SOURCE_ENERGY_CASES, ids=lambda v: str(v))
def test_lanconelli_source_holds_the_beta_energy_not_the_conversion_electrons(nuclide, side_mm):
    # Energy per decay in the database's 27 near-source voxels, less the photon energy NMGuard's own kernel puts
    # there (photons only: the conversion/Auger part is excluded by as_lanconelli, and beta energy is all inside).
    mass_kg = RHO_SOFT_TISSUE * (side_mm / 10.0) ** 3 / 1000.0
    published_MeV = _near_sum(LANCONELLI_NEAR[(nuclide, side_mm)]) / GY_PER_DECAY_TO_MGY_PER_MBQ_S * mass_kg / J_PER_MEV
    ours = _near_kernel(nuclide, side_mm)
    ours_MeV = float(ours.sum()) / GY_PER_DECAY_TO_MGY_PER_MBQ_S * mass_kg / J_PER_MEV
    beta_MeV = sum(b.intensity_per_decay * b.mean_MeV for b in beta_branches(nuclide))
    photon_in_27_MeV = ours_MeV - beta_MeV
    electrons_MeV = get_nuclide(nuclide).mean_electron_energy.value
    published_electrons_MeV = published_MeV - photon_in_27_MeV
    assert 0.0 <= photon_in_27_MeV < 0.05 * beta_MeV  # the beta energy is all inside; photons are a small part
    assert published_electrons_MeV == pytest.approx(beta_MeV, rel=SOURCE_ENERGY_TOLERANCE)
    assert abs(published_electrons_MeV - beta_MeV) < abs(published_electrons_MeV - electrons_MeV)
    assert electrons_MeV - beta_MeV == pytest.approx(_conversion_auger_MeV(nuclide), rel=1e-6)


@pytest.mark.parametrize("nuclide", ["Sm-153", "Lu-177", "Re-188"])
def test_conversion_electrons_at_the_decay_point_move_the_centre_voxel_little(nuclide):
    # Upper bound of what depositing the conversion/Auger electrons at the point does to the 2.21 mm centre voxel:
    # send all that energy out as electrons of the strongest gamma's energy (the transition energy bounds the
    # conversion electron's) with NMGuard's monoenergetic kernel, sampled over the voxel as the kernels are.
    side_mm = 2.21
    strongest = max(
        (p for p in get_nuclide(nuclide).photon_lines if p.kind == "gamma"), key=lambda p: p.yield_per_decay
    )
    energy = np.array([strongest.energy_keV / 1000.0])

    def cumulative(r_cm):
        r = np.asarray(r_cm, dtype=float)
        return monoenergetic_cumulative(energy, np.atleast_1d(r))[0].reshape(r.shape)

    d = np.full(3, RHO_SOFT_TISSUE * side_mm)
    stays = float(_shell_energy(cumulative, 0.0, d, np.ones(3, dtype=int))[1, 1, 1])
    mass_kg = RHO_SOFT_TISSUE * (side_mm / 10.0) ** 3 / 1000.0
    centre = float(_near_kernel(nuclide, side_mm, as_lanconelli=False)[1, 1, 1])
    centre_MeV = centre / GY_PER_DECAY_TO_MGY_PER_MBQ_S * mass_kg / J_PER_MEV
    shift = (1.0 - stays) * _conversion_auger_MeV(nuclide) / centre_MeV
    assert 0.8 < stays < 1.0
    assert shift < 0.02  # well inside the 5 % centre tolerance


@pytest.mark.parametrize("side_mm", sorted(LANCONELLI_Y90_KERNEL_SUM))
def test_lanconelli_y90_kernel_holds_the_beta_energy_at_soft_tissue_density(side_mm):
    # Checks the transcription and the 1.04 g/cm3 medium behind the density scaling: an 11-voxel-wide Y-90
    # kernel (>= 33 mm) holds the whole beta range (11 mm), so sum(S) * voxel mass must be the mean beta energy.
    e_beta = nuclide_kernels("Y-90").electron.energy_MeV

    def energy_MeV(rho: float) -> float:
        mass_kg = rho * (side_mm / 10.0) ** 3 / 1000.0
        return LANCONELLI_Y90_KERNEL_SUM[side_mm] / GY_PER_DECAY_TO_MGY_PER_MBQ_S * mass_kg / J_PER_MEV

    assert energy_MeV(RHO_SOFT_TISSUE) == pytest.approx(e_beta, rel=0.01)
    assert energy_MeV(1.0) < 0.97 * e_beta  # unit density would lose 3.7 %: the medium is not water


@pytest.mark.parametrize("mass_g", sorted(OLINDA_LU177_SPHERES))
def test_lu177_sphere_matches_olinda(mass_g):
    published = OLINDA_LU177_SPHERES[mass_g] * GY_PER_MIN_MBQ_TO_MGY_PER_MBQ_S
    ours = sphere_s_value("Lu-177", mass_g).s_value_mGy_per_MBq_s
    deviation = ours / published - 1.0
    # measured -3.2 % .. +3.0 % over 0.5-54 g
    assert abs(deviation) <= SPHERE_TOLERANCE, (
        f"Lu-177 {mass_g:g} g sphere: NMGuard {ours:.4g}, OLINDA/EXM {published:.4g} mGy/(MBq s), "
        f"deviation {deviation:+.1%} (tolerance {SPHERE_TOLERANCE:.0%})"
    )


def test_published_tables_are_complete():
    # Guards the transcription itself: every nuclide at every side, ordered as a self-dose must be, and each
    # row falling from centre to face to edge to corner.
    assert set(product(NUCLIDES, SIDES_MM)) <= set(LANCONELLI_NEAR)
    for n in NUCLIDES:
        sides = sorted(s for m, s in LANCONELLI_NEAR if m == n)
        centres = [LANCONELLI_NEAR[(n, s)][0] for s in sides]
        assert centres == sorted(centres, reverse=True)
    for row in LANCONELLI_NEAR.values():
        assert list(row) == sorted(row, reverse=True)
    masses = sorted(OLINDA_LU177_SPHERES)
    s_values = [OLINDA_LU177_SPHERES[m] for m in masses]
    assert s_values == sorted(s_values, reverse=True)
