"""NMGuard's generated voxel kernels and sphere S-values against published Monte Carlo values.

Sources (numbers transcribed by hand into this file; no code was taken from either repository):

* Voxel S-values, soft tissue: N. Lanconelli et al., "A free database of radionuclide voxel S values for the
  dosimetry of nonuniform activity distributions", Phys. Med. Biol. 57 (2012) 517-533 (Monte Carlo, 11x11x11
  cubic voxels). Status SECONDARY: read in the repository MGHPhysicsResearch/MIRDCalculation (commit
  b6449c637f889a2f18a6808f701a86d73daae472), files MIRD/VoxelSValues/<nuclide><side>mmsoft.txt, row "0 0 0",
  unit mGy/(MBq s); the repository README states these files are the Lanconelli et al. database.
  The medium is soft tissue of density 1.04 g/cm3: the whole published Y-90 kernel (all 1331 voxels) times
  the voxel mass at 1.04 g/cm3 gives back the Y-90 mean beta energy to 0.4 %, at 1.00 g/cm3 it falls 3.7 %
  short (checked below), so NMGuard's water kernel is compared after density scaling (see ``_centre``).
* Sphere S-values, 177Lu, unit-density spheres, OLINDA/EXM sphere model: A. Golzaryan et al., Sci. Rep. 15
  (2025), doi:10.1038/s41598-025-86159-9, Supplementary Table S4 (Gy/(min MBq) by sphere volume in mL).
  Status SECONDARY (a transcription of a transcription): read in the repository nlmixr2/nlmixr2lib,
  vignettes/articles/Golzaryan_2025_lu177psmaIT_pbpk.Rmd, section "Absorbed dose and delivery payload",
  vector ``s_sphere``; the vignette states they are the paper's Table S4 OLINDA/EXM sphere S-values. The
  OLINDA version is not stated there.

Not found in the stored sources (searched): MIRD Pamphlet 17 (Bolch 1999) voxel tables, the full texts of
Pistone 2022 / Amato 2012 / Fernandez 2013, Stabin & Konijnenberg 2000 sphere absorbed fractions, and
sphere S-values for I-131 or Y-90.

Tolerances (set from the model's known limits, the lower end of the 10-15 % band considered defensible for
the straight-path model; not widened to make any case pass):

* Centre voxel (self-dose), 10 %: Monte Carlo codes agree well on the self-dose voxel (Amato et al. 2012,
  abstract read at search.isc.ac/inventory/10/2193827.htm: "very good" self-dose agreement with the
  literature for 32P, I-131 voxel values within 16 %); emission data differ by a few per cent (ENSDF here,
  with conversion and Auger electrons; the database's spectra may differ); NMGuard's straight-path CSDA
  electrons carry energy too far, lowering the self-dose a little when the beta range is much shorter
  than the voxel (Lu-177, I-131) and more when it is comparable (Y-90). Measured: I-131 within 1.1 %,
  Lu-177 +4.5 to +4.8 % (high, against the straight-path trend; the cause is not established, an
  emission-data difference is a guess), Y-90 -9.6 to -10.6 %. Cases outside 10 % are xfail(strict).
* Spheres >= 0.5 g, 5 %: the Lu-177 beta range (< 2 mm) is small against a >= 9.8 mm diameter, so the
  straight-path bias only touches a thin surface shell; the OLINDA values are printed to 3 figures.
"""

from __future__ import annotations

from itertools import product

import pytest

from nmguard.dosimetry.kernels import sphere_s_value, voxel_kernel
from nmguard.dosimetry.point_kernels import nuclide_kernels

GY_PER_DECAY_TO_MGY_PER_MBQ_S = 1e9  # 1 MBq s = 1e6 decays, 1 Gy = 1e3 mGy
J_PER_MEV = 1.602176634e-13
RHO_SOFT_TISSUE = 1.04  # g/cm3, density of the Lanconelli 2012 soft-tissue medium (confirmed by the energy check)
CENTRE_TOLERANCE = 0.10
SPHERE_TOLERANCE = 0.05

# Lanconelli 2012 centre-voxel S-values, soft tissue, mGy/(MBq s); read as described in the module docstring.
LANCONELLI_CENTRE = {
    ("Lu-177", 3.0): 6.93e-01,
    ("Lu-177", 4.8): 1.78e-01,
    ("Lu-177", 6.0): 9.25e-02,
    ("I-131", 3.0): 8.99e-01,
    ("I-131", 4.8): 2.37e-01,
    ("I-131", 6.0): 1.25e-01,
    ("Y-90", 3.0): 1.59e00,
    ("Y-90", 4.8): 5.73e-01,
    ("Y-90", 6.0): 3.42e-01,
}

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


def _centre(nuclide: str, side_mm: float, rho: float = RHO_SOFT_TISSUE) -> float:
    """NMGuard's centre-voxel S-value in a medium of density ``rho``, mGy/(MBq s).

    NMGuard's kernels are for water. By the density-scaling theorem (same composition, distances scaling
    as 1/rho) a voxel of side l at density rho receives the energy a water voxel of side rho*l receives,
    in a mass rho*l^3 instead of (rho*l)^3: S_rho(l) = rho^2 * S_water(rho*l). The centre value does not
    depend on the kernel extent, so the kernel is cut at one voxel to keep the test fast.
    """
    k = voxel_kernel(nuclide, rho * side_mm, radius_mm=rho * side_mm)
    return k.centre_Gy_per_decay * rho**2 * GY_PER_DECAY_TO_MGY_PER_MBQ_S


def _centre_case(nuclide: str, side_mm: float, xfail_reason: str | None = None):
    marks = [pytest.mark.xfail(strict=True, reason=xfail_reason)] if xfail_reason else []
    return pytest.param(nuclide, side_mm, marks=marks, id=f"{nuclide}-{side_mm:g}mm")


_Y90_REASON = (
    "measured {dev} vs Lanconelli 2012 (density-scaled): NMGuard's straight-path CSDA electrons carry Y-90 energy "
    "out of a voxel comparable to the beta range, so the self-dose runs low beyond the 10 % tolerance"
)


@pytest.mark.parametrize(
    ("nuclide", "side_mm"),
    [
        _centre_case("Lu-177", 3.0),  # measured +4.5 %
        _centre_case("Lu-177", 4.8),  # measured +4.6 %
        _centre_case("Lu-177", 6.0),  # measured +4.8 %
        _centre_case("I-131", 3.0),  # measured -1.1 %
        _centre_case("I-131", 4.8),  # measured -0.4 %
        _centre_case("I-131", 6.0),  # measured -0.4 %
        _centre_case("Y-90", 3.0, _Y90_REASON.format(dev="-10.4 %")),
        _centre_case("Y-90", 4.8, _Y90_REASON.format(dev="-10.6 %")),
        _centre_case("Y-90", 6.0),  # measured -9.6 %, just inside
    ],
)
def test_centre_voxel_matches_lanconelli(nuclide, side_mm):
    published = LANCONELLI_CENTRE[(nuclide, side_mm)]
    ours = _centre(nuclide, side_mm)
    deviation = ours / published - 1.0
    assert abs(deviation) <= CENTRE_TOLERANCE, (
        f"{nuclide} {side_mm:g} mm centre voxel: NMGuard {ours:.4g}, Lanconelli 2012 {published:.4g} "
        f"mGy/(MBq s), deviation {deviation:+.1%} (tolerance {CENTRE_TOLERANCE:.0%})"
    )


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
    # measured -3.2 % .. +2.5 % over 0.5-54 g
    assert abs(deviation) <= SPHERE_TOLERANCE, (
        f"Lu-177 {mass_g:g} g sphere: NMGuard {ours:.4g}, OLINDA/EXM {published:.4g} mGy/(MBq s), "
        f"deviation {deviation:+.1%} (tolerance {SPHERE_TOLERANCE:.0%})"
    )


def test_published_tables_are_complete():
    # Guards the transcription itself: every nuclide at every side, ordered as a self-dose must be.
    nuclides = {n for n, _ in LANCONELLI_CENTRE}
    sides = sorted({s for _, s in LANCONELLI_CENTRE})
    assert set(product(nuclides, sides)) == set(LANCONELLI_CENTRE)
    for n in nuclides:
        values = [LANCONELLI_CENTRE[(n, s)] for s in sides]
        assert values == sorted(values, reverse=True)
    masses = sorted(OLINDA_LU177_SPHERES)
    s_values = [OLINDA_LU177_SPHERES[m] for m in masses]
    assert s_values == sorted(s_values, reverse=True)
