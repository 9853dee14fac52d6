"""NMGuard's sphere absorbed fractions, Y-90 local-absorption dose and kernel-vs-Monte-Carlo density effects
against published numbers (issue 6 acceptance: I-131 / Y-90 spheres; DVK vs Monte Carlo in lung and bone).

Numbers were transcribed by hand from the pages named below; no code or prose was taken from them. None of
these pages is the full primary paper unless said so; the status of each value follows the project's words
(secondary = read in a secondary source).

Sources and where each number was read
--------------------------------------

* Y-90 sphere electron (beta) absorbed fractions, full beta spectrum, by sphere radius: M. Hashempour, M.
  Ghorbani, E. Amato, C. Knaup, "Effect of beta particles spectrum on absorbed fraction in internal
  radiotherapy", Asia Ocean J Nucl Med Biol 7 (2019), doi:10.22038/AOJNMB.2018.11610 (PMC6352054), table
  "Absorbed fractions for 90Y radionuclide in this study and from previous studies", rows "By spectral beta
  energy". Read in the rendering of that paper at https://www.ai-bt.com/si.php?db=pubmed&id=30705913, where
  the table header is lost; the columns are inferred as: (a number whose meaning is unclear, not used) |
  previous study's value with its first author ("0.17 (Akabani", ..., "0.85 (Amato", ...) | this study's
  MCNPX value | radius (cm) | mass (g). The masses (0.004, 0.065, 4, 10, 20, 100 g) are those of
  unit-density spheres of the listed radii, so the previous studies' values are compared at 1.0 g/cm3.
  - "Akabani" and "Amato" values: status SECONDARY (read in Hashempour's table; their reference list was
    not read, so the cited papers are not identified beyond the first authors' names).
  - Hashempour's own MCNPX values: the paper's table of materials gives soft tissue of 1.04 g/cm3, so they
    are compared at 1.04 g/cm3. Status: read in the primary paper's table (via the rendering above).
* I-131 sphere beta absorbed fractions: "Geometric models in dosimetry of thyroid remnant mass" (abstract;
  authors, journal and year are not shown on the page read), read at
  https://discovery.researcher.life/article/geometric-models-in-dosimetry-of-thyroid-remnant-mass/ followed
  by the page id 8cc096b2c2d736b8a5df6f79f359e7cd:
  Monte Carlo, unit-density water, full 131I beta spectrum; "For spheres having diameters 2-6 mm and
  assumption phi_beta = 1, S_beta is over-estimated by 11-37%". Read as: a 2 mm sphere gives 37 %, a 6 mm
  sphere 11 % (the smaller sphere loses more), "over-estimated by X" = S(phi=1)/S(phi_beta) - 1, so
  phi_beta = 1/(1 + X). (The other reading, phi_beta = 1 - X, would give 0.63 and 0.89; NMGuard would then
  be 16 % high for the 2 mm sphere.) Status SECONDARY (abstract only).
* Y-90 complete local absorption: Sirtex Medical, "Dosimetry" web page
  (https://www.sirtex.com/us/clinicians/about-sirt/dosimetry/): "1 GBq (27 mCi) of yttrium-90/kg of tissue
  provides the equivalent of 50 Gy". TheraSphere package insert (USA, v12; read in the copy at
  https://ja.scribd.com/document/317860231/TS-PackageInsert-USA-v12): half-life 64.1 h, "average energy of
  the beta emissions from yttrium-90 is 0.9367 MeV". Status: read in the vendors' own documents. The widely
  quoted 49.67 Gy kg/GBq (D = 49.67 A[GBq]/M[kg]) was seen only in an unnamed calculator's source code (which
  attributes it to Ho et al. 1996) and was not read in a citable source, so it is not tested; NMGuard's own
  value is 49.68 J/GBq (mean electron energy 0.932314 MeV from ENSDF x mean life at T1/2 = 64.04 h, LNHB).
* Kernel convolution vs direct Monte Carlo against density: A. Dieudonné et al., "Study of the impact of
  tissue density heterogeneities on 3-dimensional abdominal dosimetry: comparison between dose kernel
  convolution and direct Monte Carlo methods", J Nucl Med 54 (2013) 236. Abstract read at
  https://profiles.wustl.edu/en/publications/study-of-the-impact-of-tissue-density-heterogeneities-on-3-dimens
  (it breaks off after the third fit): VoxelDose (kernel, uniform density) against 3D-RD (Monte Carlo with
  the CT densities), voxel-level relative difference binned by density rho and fitted linearly:
  131I-tositumomab (case 1) Delta = -0.56 rho + 0.62, 177Lu-peptide (case 2) -0.91 rho + 0.96, 90Y
  microspheres (case 3) -0.69 rho + 0.72. Status SECONDARY (abstract). The sign convention is not in the
  abstract; it is fixed by physics: a kernel that assumes water density gives a low-density voxel the water
  mass, so it can only under-estimate there (Delta > 0 at rho < 1 means Delta = (D_MC - D_kernel) / D_MC).
  Near rho = 1 the slope is the same whether the difference is divided by D_MC or by D_kernel.
* Y-90 lung dose in radioembolization: E. d'Andrea, N. Lanconelli, M. Cremonesi, V. Patera, M. Pacilio, "The
  Essential Role of Monte Carlo Simulations for Lung Dosimetry in Liver Radioembolization with 90Y
  Microspheres", Appl. Sci. 14 (2024) 7684, doi:10.3390/app14177684. Abstract read at
  https://cris.unibo.it/handle/11585/986774 : mean lung absorbed dose against patient-CT Monte Carlo,
  "approximately -27% for LED [local energy deposition], -28% for SVOX_L [soft-tissue voxel S-values with
  local density correction], and -88% for SVOX_ST [without density correction]"; the phantom's average lung
  density is 0.221 g/cm3. Status SECONDARY (abstract).

What NMGuard can and cannot reproduce, and the tolerances (none widened to make a case pass)
---------------------------------------------------------------------------------------------

* Spheres: NMGuard's electron kernels come from its own condensed-history Monte Carlo, so the sphere
  absorbed fraction is an independent calculation. Tolerance = 5 % (the standard of
  test_published_svalues.py; for sub-gram spheres it is kept because the same kernels already match the
  Lanconelli Y-90 and I-131 3-mm centre voxels, 27 mm3 cubes of the same size as the 4-65 mg spheres, within
  5 %) + half a unit of the last printed digit relative to the published value (the fractions are printed to
  two decimals, the I-131 percentages to whole per cent).
  Measured, Y-90 against Akabani/Amato (unit density): +0.7, +1.8, +1.1, +0.6, +0.6, +0.3 % (radius 0.10,
  0.25, 1.00, 1.33, 1.68, 2.87 cm) - all pass. Against Hashempour's MCNPX values (1.04 g/cm3): +11.1,
  +13.9, +8.8, +7.6, -1.2, -0.5 %: the four smaller spheres fail and are marked xfail(strict): Hashempour's
  values lie 6-8 % below the Akabani/Amato values that the same table quotes, which NMGuard matches, so the
  published sets disagree with each other by more than the tolerance. I-131 beta-only fraction (NMGuard's
  conversion/Auger electrons, deposited at the decay point, removed): 0.7335 and 0.9075 for 2 and 6 mm
  against 0.730 and 0.901, i.e. over-estimates of 36.3 % and 10.2 % against 37 % and 11 % (+0.5 %, +0.7 %).
* Y-90 local absorption: tolerance 1 % (the "50 Gy" is a two-figure rule, half a unit = 1 %; the 0.9367 MeV
  of the package insert and ENSDF's 0.9323 MeV differ by 0.5 %). Measured 49.68 Gy (-0.6 %), energy -0.5 %.
  Half-life: tolerance = half a unit of the printed 64.1 h plus twice LNHB's stated uncertainty (0.03 h).
* Dieudonné 2013: NMGuard's "direct Monte Carlo" is its photon Monte Carlo plus local deposition of the
  electron energy; it has no electron transport across voxels of different density. So the set-up that can
  be built is a uniform activity in a uniform medium of density rho (here soft tissue, 4 mm voxels, a 9.6 cm
  cube, the mean over the central 3.2 cm), with rho = 0.9 and 1.1 (soft-tissue and fat densities of the
  abdomen, inside the range the fits describe; that range is not in the abstract). The slope d Delta/d rho
  then measures how much of the dose scales with 1/rho.
  - 177Lu: electrons carry 4/5 of the energy and their range (< 2 mm) is below a voxel, so this is the case
    the set-up reproduces: compared in size, tolerance 0.10 on the slope. Why 0.10: in the patient, a voxel
    also receives the electrons crossing from neighbours of other densities (at 4.8 mm, Lanconelli's Lu-177
    centre voxel holds 92 % of the energy that the 27 voxels around the source get, so up to ~8 % of a
    voxel's dose comes from its neighbours) and the photon share depends on the anatomy. Measured -0.96
    against -0.91.
  - 131I: the slope depends on the photon share of the dose, set by the patient's whole-body distribution
    (case 1 is a lymphoma treated with a radiolabelled antibody), which a cube cannot reproduce. Y-90: in the
    patient the 11 mm beta range spreads a voxel's energy over neighbours of other densities (towards Fano's
    regime, where dose does not depend on the voxel's density), which local deposition cannot. For these two
    only the direction (negative slope: the water kernel under-estimates where tissue is lighter than
    water, over-estimates where heavier) and the size within a factor of 2 are checked. Measured: I-131
    -0.73 (published -0.56), Y-90 -1.00 (published -0.69: NMGuard's reference has no cross-voxel electron
    transport, so the full 1/rho dependence remains).
* d'Andrea 2024: the patient-CT Monte Carlo cannot be rebuilt, but the abstract also fixes the ratios of the
  three classical methods, which NMGuard has: density-corrected kernel / local deposition = 0.72/0.73 =
  0.986 and uncorrected kernel / local deposition = 0.12/0.73 = 0.164. In a uniform lung of the phantom's
  mean density (0.221 g/cm3), far from its surface, NMGuard gives 1.000 and 0.221.
  - corrected kernel vs local deposition: tolerance 0.03 (the two percentages are "approximately" and
    rounded to 1 %, i.e. +-1 % on the ratio, plus up to 2 % for how a water-range kernel spreads energy among
    voxels of different densities in a real lung, which a uniform lung does not have).
  - uncorrected kernel vs local deposition: direction and factor 2 only; a uniform lung gives exactly the
    density, while in a heterogeneous lung the voxel-averaged local-deposition dose grows with the mean of
    1/rho, which is larger than 1/(mean rho), so the published ratio is expected below 0.221.

Searched and not found (no test written): OLINDA/EXM or IDAC-Dose 2.1 unit-density sphere S-values for
I-131 or Y-90 (Stabin & Konijnenberg 2000, Bardiès & Chatal 1994, Siegel & Stabin 1994, Olguin); sphere
photon absorbed fractions for I-131; the full text of Dieudonné 2013 (density-corrected results), Botta 2011,
Sanchez-Garcia 2014, Götz 2019, Lee 2018 "Deep-dose"; Khazaee Moghadam 2016 (abstract read: it compares
tissue-specific with water kernels, not kernel with Monte Carlo as a function of density, and gives no
sign). Searches: corpora pages/code/docs (sphere S-values I-131 Y-90 OLINDA; Stabin Konijnenberg; 49.67;
TheraSphere package insert; Dieudonné density heterogeneities; kernel convolution density correction lung
bone), find_string ("49.67", "Konijnenberg", "unit density spheres", "Dieudonn", "-0.91ρ"), repositories
qurit/PyTheranostics (doodle/data/s-values/spheres.json: unlabelled sphere S-values without nuclide or
source, not used).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nmguard.dosimetry.ct_density import MATERIALS
from nmguard.dosimetry.kernels import dvk_dose, local_deposition_dose, nuclide_kernels, sphere_s_value, voxel_kernel
from nmguard.dosimetry.montecarlo import simulate_photons
from nmguard.reference.nuclides import get_nuclide

MODEL_TOLERANCE = 0.05  # as in test_published_svalues.py
J_PER_MEV = 1.602176634e-13

# Hashempour 2019, table "Absorbed fractions for 90Y ...", rows "By spectral beta energy" (read as described in
# the module docstring): radius (cm) -> previous study's value (first author as printed).
Y90_AF_PREVIOUS = {
    0.10: (0.17, "Akabani"),
    0.25: (0.39, "Akabani"),
    1.00: (0.80, "Akabani"),
    1.33: (0.85, "Amato"),
    1.68: (0.88, "Amato"),
    2.87: (0.93, "Amato"),
}
# Same table, Hashempour's own MCNPX values (soft tissue, 1.04 g/cm3).
Y90_AF_HASHEMPOUR = {0.10: 0.16, 0.25: 0.36, 1.00: 0.75, 1.33: 0.80, 1.68: 0.90, 2.87: 0.94}
HASHEMPOUR_DENSITY = 1.04
AF_HALF_DIGIT = 0.005  # fractions printed to two decimals

# "Geometric models in dosimetry of thyroid remnant mass" (abstract): sphere diameter (mm) -> over-estimate of
# S_beta when phi_beta = 1 is assumed.
I131_REMNANT_OVERESTIMATE = {2.0: 0.37, 6.0: 0.11}
PERCENT_HALF_DIGIT = 0.005

SIRTEX_GY_PER_GBQ_PER_KG = 50.0
THERASPHERE_MEAN_BETA_MEV = 0.9367
THERASPHERE_HALF_LIFE_H = 64.1
Y90_CONSTANT_TOLERANCE = 0.01

# Dieudonné 2013 abstract: slope and intercept of Delta(rho) = (D_MC - D_kernel)/D_MC for each case.
DIEUDONNE_FITS = {"I-131": (-0.56, 0.62), "Lu-177": (-0.91, 0.96), "Y-90": (-0.69, 0.72)}
LU177_SLOPE_TOLERANCE = 0.10

# d'Andrea 2024 abstract: mean lung dose relative to Monte Carlo, and the phantom's mean lung density.
DANDREA_LUNG = {"LED": -0.27, "SVOX_L": -0.28, "SVOX_ST": -0.88}
DANDREA_LUNG_DENSITY = 0.221
LUNG_RATIO_TOLERANCE = 0.03


def _y90_electron_af(radius_cm: float, density: float) -> float:
    mass_g = 4.0 / 3.0 * math.pi * radius_cm**3 * density
    return sphere_s_value("Y-90", mass_g, density).electron_absorbed_fraction


def _tolerance(published: float, half_digit: float) -> float:
    return MODEL_TOLERANCE + half_digit / published


@pytest.mark.parametrize("radius_cm", sorted(Y90_AF_PREVIOUS))
def test_y90_sphere_beta_absorbed_fraction_matches_akabani_and_amato(radius_cm):
    published, who = Y90_AF_PREVIOUS[radius_cm]
    ours = _y90_electron_af(radius_cm, 1.0)
    deviation = ours / published - 1.0
    tol = _tolerance(published, AF_HALF_DIGIT)
    assert abs(deviation) <= tol, (
        f"Y-90 sphere r = {radius_cm} cm: NMGuard {ours:.4f}, {who} (via Hashempour 2019) {published}, "
        f"deviation {deviation:+.1%} (tolerance {tol:.1%})"
    )


_HASHEMPOUR_XFAIL = pytest.mark.xfail(
    strict=True,
    reason="Hashempour 2019's MCNPX fractions for r <= 1.33 cm lie 6-8 % below the Akabani/Amato values quoted "
    "in the same table, which NMGuard matches within 2 %; NMGuard is 7.6-13.9 % above Hashempour here",
)


@pytest.mark.parametrize(
    "radius_cm",
    [pytest.param(r, marks=_HASHEMPOUR_XFAIL) if r <= 1.33 else r for r in sorted(Y90_AF_HASHEMPOUR)],
)
def test_y90_sphere_beta_absorbed_fraction_against_hashempour_mcnpx(radius_cm):
    published = Y90_AF_HASHEMPOUR[radius_cm]
    ours = _y90_electron_af(radius_cm, HASHEMPOUR_DENSITY)
    deviation = ours / published - 1.0
    tol = _tolerance(published, AF_HALF_DIGIT)
    assert abs(deviation) <= tol, (
        f"Y-90 sphere r = {radius_cm} cm at {HASHEMPOUR_DENSITY} g/cm3: NMGuard {ours:.4f}, Hashempour 2019 "
        f"MCNPX {published}, deviation {deviation:+.1%} (tolerance {tol:.1%})"
    )


@pytest.mark.parametrize("diameter_mm", sorted(I131_REMNANT_OVERESTIMATE))
def test_i131_sphere_beta_absorbed_fraction_matches_thyroid_remnant_study(diameter_mm):
    overestimate = I131_REMNANT_OVERESTIMATE[diameter_mm]
    published = 1.0 / (1.0 + overestimate)
    radius_cm = diameter_mm / 20.0
    mass_g = 4.0 / 3.0 * math.pi * radius_cm**3
    phi_e = sphere_s_value("I-131", mass_g).electron_absorbed_fraction
    # the study is for the beta spectrum alone; NMGuard puts conversion/Auger electrons at the decay point
    local = nuclide_kernels("I-131").electron.local_fraction
    ours = (phi_e - local) / (1.0 - local)
    deviation = ours / published - 1.0
    # half a unit of the whole-per-cent figure, carried to phi = 1/(1+X)
    tol = MODEL_TOLERANCE + PERCENT_HALF_DIGIT / (1.0 + overestimate)
    assert abs(deviation) <= tol, (
        f"I-131 {diameter_mm:g} mm sphere: NMGuard phi_beta {ours:.4f} (over-estimate {1 / ours - 1:.1%}), "
        f"published {published:.4f} ({overestimate:.0%}), deviation {deviation:+.1%} (tolerance {tol:.1%})"
    )


def test_y90_complete_local_absorption_gives_50_gy_per_gbq_per_kg():
    nuclide = get_nuclide("Y-90")
    decays = np.array([[[1e9 * nuclide.half_life_s / math.log(2.0)]]])  # 1 GBq decaying completely
    dose = float(local_deposition_dose(decays, "Y-90", voxel_volume_mL=1000.0, density_g_cm3=1.0)[0, 0, 0])
    assert dose == pytest.approx(SIRTEX_GY_PER_GBQ_PER_KG, rel=Y90_CONSTANT_TOLERANCE)  # measured 49.68


def test_y90_decay_data_match_the_therasphere_package_insert():
    nuclide = get_nuclide("Y-90")
    assert nuclide.mean_electron_energy.value == pytest.approx(THERASPHERE_MEAN_BETA_MEV, rel=Y90_CONSTANT_TOLERANCE)
    half_life_h = nuclide.half_life_s / 3600.0
    tol_h = 0.05 + 2.0 * nuclide.half_life.uncertainty / 3600.0
    assert abs(half_life_h - THERASPHERE_HALF_LIFE_H) <= tol_h
    # the same data as J per GBq decayed: 0.9367 MeV at 64.1 h gives 49.96, NMGuard 49.68
    insert = THERASPHERE_MEAN_BETA_MEV * J_PER_MEV * 1e9 * THERASPHERE_HALF_LIFE_H * 3600.0 / math.log(2.0)
    ours = nuclide.mean_electron_energy.value * J_PER_MEV * 1e9 * nuclide.half_life_s / math.log(2.0)
    assert ours == pytest.approx(insert, rel=Y90_CONSTANT_TOLERANCE)


# --------------------------------------------------------------------------- kernel vs Monte Carlo, density

N, VOXEL_MM = 24, 4.0
CENTRE = (slice(8, 16),) * 3  # the central 3.2 cm, >= 3.2 cm from the faces
PHOTON_HISTORIES = 2_000_000
DENSITIES = (0.9, 1.1)


def _delta(nuclide: str, kernel_dose: float, rho: float) -> float:
    """(D_MC - D_kernel)/D_MC at the centre of a uniform activity in soft tissue of density ``rho``."""
    decays = np.full((N, N, N), 1e9)
    electrons = float(local_deposition_dose(decays, nuclide, VOXEL_MM**3 / 1000.0, rho)[CENTRE].mean())
    photons = 0.0
    if nuclide_kernels(nuclide).photon.energy_MeV / nuclide_kernels(nuclide).electron.energy_MeV > 1e-3:
        mat = np.full(decays.shape, MATERIALS.index("soft_tissue"), dtype=np.int8)
        mc = simulate_photons(
            decays, np.full(decays.shape, rho), mat, (VOXEL_MM,) * 3, nuclide, PHOTON_HISTORIES, seed=5
        )
        d, u = mc.dose_Gy[CENTRE], mc.relative_uncertainty[CENTRE]
        assert np.sqrt(np.sum((u * d) ** 2)) / d.sum() < 0.01  # statistical uncertainty of the region mean
        photons = float(d.mean())
    mc_dose = electrons + photons
    return (mc_dose - kernel_dose) / mc_dose


@pytest.fixture(scope="module")
def slopes() -> dict[str, float]:
    """NMGuard's d Delta / d rho between rho = 0.9 and 1.1 for each Dieudonné nuclide (Y-90 has no photons
    worth simulating: 3e-5 MeV per decay against 0.93 MeV of electrons)."""
    out = {}
    decays = np.full((N, N, N), 1e9)
    for nuclide in DIEUDONNE_FITS:
        kernel_dose = float(dvk_dose(decays, voxel_kernel(nuclide, VOXEL_MM, radius_mm=40.0))[CENTRE].mean())
        lo, hi = (_delta(nuclide, kernel_dose, rho) for rho in DENSITIES)
        out[nuclide] = (hi - lo) / (DENSITIES[1] - DENSITIES[0])
    return out


@pytest.mark.parametrize("nuclide", sorted(DIEUDONNE_FITS))
def test_uncorrected_kernel_vs_monte_carlo_density_trend_has_the_published_direction(slopes, nuclide):
    published = DIEUDONNE_FITS[nuclide][0]
    ours = slopes[nuclide]
    assert published < 0 and ours < 0  # the water kernel under-estimates lighter, over-estimates heavier tissue
    assert 0.5 <= ours / published <= 2.0, f"{nuclide}: slope {ours:.3f} against Dieudonné 2013 {published}"


def test_uncorrected_kernel_vs_monte_carlo_density_trend_size_for_lu177(slopes):
    ours, published = slopes["Lu-177"], DIEUDONNE_FITS["Lu-177"][0]
    assert abs(ours - published) <= LU177_SLOPE_TOLERANCE, f"Lu-177 slope {ours:.3f} against {published}"


@pytest.fixture(scope="module")
def lung_ratios() -> tuple[float, float]:
    """(density-corrected kernel, uncorrected kernel) / local deposition for Y-90 in a uniform lung."""
    decays = np.full((N, N, N), 1e9)
    rho = DANDREA_LUNG_DENSITY
    kernel = voxel_kernel("Y-90", VOXEL_MM, radius_mm=40.0)
    led = float(local_deposition_dose(decays, "Y-90", VOXEL_MM**3 / 1000.0, rho)[CENTRE].mean())
    corrected = float(dvk_dose(decays, kernel, rho)[CENTRE].mean())
    uncorrected = float(dvk_dose(decays, kernel)[CENTRE].mean())
    return corrected / led, uncorrected / led


def _published_ratio(method: str) -> float:
    return (1.0 + DANDREA_LUNG[method]) / (1.0 + DANDREA_LUNG["LED"])


def test_density_corrected_kernel_equals_local_deposition_in_lung_as_published(lung_ratios):
    corrected, _ = lung_ratios
    assert corrected == pytest.approx(_published_ratio("SVOX_L"), abs=LUNG_RATIO_TOLERANCE)  # 1.000 vs 0.986


def test_uncorrected_kernel_under_estimates_lung_dose_severalfold_as_published(lung_ratios):
    _, uncorrected = lung_ratios
    published = _published_ratio("SVOX_ST")  # 0.164
    assert uncorrected == pytest.approx(DANDREA_LUNG_DENSITY, rel=0.01)  # uniform lung: exactly the density
    assert published <= uncorrected <= 2.0 * published
