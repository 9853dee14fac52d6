"""RCmax of a noise-free, finely sampled synthetic IEC phantom against the analytic centre value.

Derivation. A uniform ball B_R (concentration 1) blurred by an isotropic 3-D Gaussian G_σ has at its centre
(B_R * G_σ)(0) = ∫_{|y|≤R} G_σ(y) dy = P(|X| ≤ R), X ~ N(0, σ²I₃). |X|/σ follows the chi distribution with 3 degrees
of freedom, density √(2/π) u² e^{−u²/2}; integrating by parts,
∫₀^a √(2/π) u² e^{−u²/2} du = √(2/π)[−u e^{−u²/2}]₀^a + √(2/π)∫₀^a e^{−u²/2} du = erf(a/√2) − √(2/π) a e^{−a²/2},
with a = R/σ. The centre is the maximum of the blurred ball, so RCmax = f(R, σ) in cold surroundings and
B/S + (1 − B/S)·f on a background B (linearity).

Tolerance. Spheres are centred on voxel centres (the maximum voxel is the centre); the blur kernel is the Gaussian
integrated over each voxel, exact for an object uniform within each voxel, so the only error is the boundary voxels'
partial volumes: spreading their activity over the voxel acts like an extra blur of variance ≈ h²/12 per axis
(1.3 % of σ² for h = 1 mm, FWHM 6 mm). Observed deviations are ≤ 0.012 in RC; the tolerance is 0.015, and the test
checks that it is tight enough to tell FWHMs 0.5 mm apart (on the most sensitive sphere).
"""

import math

import numpy as np
import pytest

from nmguard.qc.pet import nema_image_quality, read_pet_series
from nmguard.synthetic import pet_phantom as synthetic
from tests.qc.pet.conftest import write

TOL = 0.015
DIAMETERS = (10, 13, 17, 22, 28, 37)


def test_formula_matches_numerical_integration():
    for radius, fwhm in ((5.0, 6.0), (8.5, 9.0), (18.5, 4.0)):
        sigma = fwhm / synthetic.FWHM_PER_SIGMA
        u = np.linspace(0.0, radius / sigma, 200001)
        pdf = math.sqrt(2.0 / math.pi) * u * u * np.exp(-u * u / 2.0)
        numeric = float(np.sum((pdf[1:] + pdf[:-1]) * np.diff(u)) / 2.0)
        assert synthetic.sphere_centre_recovery(radius, fwhm) == pytest.approx(numeric, abs=1e-9)
    assert synthetic.sphere_centre_recovery(5.0, 1e-3) == pytest.approx(1.0)


@pytest.mark.parametrize("fwhm", [4.0, 6.0, 9.0])
def test_rc_max_follows_analytic_formula(fwhm):
    ph = synthetic.iec_phantom(
        voxel_mm=1.0,
        fwhm_mm=fwhm,
        background_concentration=0.0,
        snap_spheres_to_voxels=True,
        axial_extent_mm=60.0,
        angle_deg=20.0,
    )
    result = nema_image_quality(ph.as_series(), sphere_concentration_Bq_per_mL=ph.sphere_concentration).flat()
    for d in DIAMETERS:
        expected = synthetic.sphere_centre_recovery(d / 2.0, fwhm)
        assert result[f"rc_max_{d}mm"] == pytest.approx(expected, abs=TOL), d
    # the tolerance is tight enough to tell this FWHM from one 0.5 mm larger (on the most sensitive sphere)
    assert (
        max(
            abs(synthetic.sphere_centre_recovery(d / 2, fwhm + 0.5) - synthetic.sphere_centre_recovery(d / 2, fwhm))
            for d in DIAMETERS
        )
        > TOL
    )


def test_rc_max_on_warm_background_through_dicom(tmp_path):
    fwhm, s, b = 6.0, 20000.0, 2000.0
    ph = synthetic.iec_phantom(
        voxel_mm=1.5,
        fwhm_mm=fwhm,
        sphere_concentration=s,
        background_concentration=b,
        snap_spheres_to_voxels=True,
        axial_extent_mm=70.0,
        angle_deg=-40.0,
    )
    write(tmp_path, ph)
    result = nema_image_quality(
        read_pet_series(tmp_path / "series"), sphere_concentration_Bq_per_mL=s, background_concentration_Bq_per_mL=b
    ).flat()
    for d in DIAMETERS:
        expected = b / s + (1 - b / s) * synthetic.sphere_centre_recovery(d / 2.0, fwhm)
        assert result[f"rc_max_{d}mm"] == pytest.approx(expected, abs=0.025), d  # 1.5 mm voxels: (1.5/1)^2 x TOL
    assert result["background_Bq_per_mL"] == pytest.approx(b, rel=0.01)
    assert result["background_variability_37mm_percent"] < 0.5
    assert result["lung_residual_percent"] < 2.0
    for d in DIAMETERS:  # larger spheres recover more
        assert 0 < result[f"rc_mean_{d}mm"] < result[f"rc_max_{d}mm"] + 1e-9
