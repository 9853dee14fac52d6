import numpy as np
import pytest

from nmguard.qc.pet import nema_image_quality, read_pet_series
from nmguard.synthetic import pet_phantom as synthetic
from tests.qc.pet.conftest import write


@pytest.mark.parametrize(
    ("angle", "clockwise", "centre", "given"),
    [
        (117.0, False, (7.3, -21.9, 13.4), False),
        (-33.0, True, (-11.2, 5.6, -8.9), False),
        (200.0, False, (0.7, 3.1, 2.2), True),
    ],
)
def test_spheres_found_within_a_voxel(tmp_path, angle, clockwise, centre, given):
    voxel = 2.0
    ph = synthetic.iec_phantom(
        voxel_mm=voxel, fwhm_mm=7.0, angle_deg=angle, clockwise=clockwise, ring_centre_mm=centre, noise_cov=0.05, seed=3
    )
    write(tmp_path, ph)
    series = read_pet_series(tmp_path / "series")
    result = nema_image_quality(
        series, sphere_concentration_Bq_per_mL=20000.0, phantom_centre_mm=centre if given else None
    ).flat()
    for d, planted in ph.sphere_centres_mm.items():
        found = np.array([result[f"centre_{d}mm_{a}_mm"] for a in "xyz"])
        assert np.linalg.norm(found - np.array(planted)) < voxel, d
    found_centre = np.array([result[f"phantom_centre_{a}_mm"] for a in "xyz"])
    assert np.linalg.norm(found_centre - np.array(centre)) < voxel
