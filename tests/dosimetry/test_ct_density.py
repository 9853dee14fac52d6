"""HU → density and material: physical anchor points, continuity, bins, bad input."""

import numpy as np
import pytest

from nmguard.dosimetry.ct_density import MATERIALS, hu_to_density_material
from nmguard.errors import InputError
from nmguard.reference.ct_calibration import material_bins


def test_anchor_points():
    density, material = hu_to_density_material(np.array([-1000.0, 0.0, 1200.0]))
    # air: the calibration crosses zero, so the density is floored at dry air (NIST 1.205e-3 g/cm3)
    assert density[0] == pytest.approx(1.205e-3)
    # water is 0 HU by definition of the scale: 1.000 g/cm3; the Schneider fit gives 1.012 (within 2 %)
    assert density[1] == pytest.approx(1.0, rel=0.02)
    # dense cortical bone lies at about 1.8-1.9 g/cm3 (ICRU-44: 1.92); the fit gives about 1.80 at 1200 HU
    assert 1.7 < density[2] < 1.95
    assert [MATERIALS[i] for i in material] == ["air", "soft_tissue", "cortical_bone"]


def test_density_is_nondecreasing_and_nearly_continuous():
    hu = np.arange(-1024.0, 3001.0, 0.5)
    density, _ = hu_to_density_material(hu)
    steps = np.diff(density)
    # the four fitted segments meet without a jump: a 0.5 HU step moves the density by at most
    # 0.5 x 1.026e-3 g/cm3 (the steepest slope), so any jump at a segment edge would exceed 6e-4
    assert steps.min() > -1e-12 and steps.max() < 6e-4


def test_material_bins_tile_the_hu_axis_in_material_order():
    hu = np.array([-2000, -960, -950, -500, -120, -50, -20, 50, 119.9, 120, 5000])
    _, material = hu_to_density_material(hu.reshape(1, 1, -1))
    names = [MATERIALS[i] for i in material.ravel()]
    assert names == ["air", "air", "lung", "lung", "adipose", "adipose", "soft_tissue", "soft_tissue",
                     "soft_tissue", "cortical_bone", "cortical_bone"]  # fmt: skip
    assert material.dtype == np.int8 and material.shape == (1, 1, hu.size)
    assert {b.material for b in material_bins()} <= set(MATERIALS)


@pytest.mark.parametrize("bad", [np.array([]), np.array([0.0, np.nan]), np.array(["a"]), np.array([np.inf])])
def test_bad_input(bad):
    with pytest.raises(InputError):
        hu_to_density_material(bad)
