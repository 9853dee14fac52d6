"""Monte Carlo region tallies: the mean dose of a region and its uncertainty from the batches."""

from __future__ import annotations

import numpy as np
import pytest

from nmguard.dosimetry.ct_density import MATERIALS
from nmguard.dosimetry.montecarlo import simulate_photons
from nmguard.errors import InputError

N = 24


def _problem():
    source = np.zeros((N, N, N))
    source[10:14, 10:14, 10:14] = 1.0
    density = np.ones((N, N, N))
    material = np.full((N, N, N), MATERIALS.index("water"), dtype=np.int8)
    region = np.zeros((N, N, N), dtype=bool)
    region[8:16, 8:16, 8:16] = True
    return source, density, material, region


def test_region_mean_is_the_mean_of_the_voxel_doses():
    source, density, material, region = _problem()
    r = simulate_photons(source, density, material, (5.0,) * 3, "I-131", 20_000, seed=1, regions={"cube": region})
    assert r.region_mean_dose_Gy["cube"] == pytest.approx(r.dose_Gy[region].mean(), rel=1e-9)


def test_region_uncertainty_matches_the_spread_over_independent_seeds():
    """The batch estimate (10 batches) against the standard deviation of 12 independent runs. The ratio of
    two standard-deviation estimates from 9 and 11 degrees of freedom lies within 0.45-2.2 with ~99 %
    probability (F distribution); the tolerance is that band."""
    source, density, material, region = _problem()
    runs = [
        simulate_photons(source, density, material, (5.0,) * 3, "I-131", 20_000, seed=s, regions={"cube": region})
        for s in range(12)
    ]
    means = np.array([r.region_mean_dose_Gy["cube"] for r in runs])
    reported = np.mean([r.region_relative_uncertainty["cube"] for r in runs])
    observed = means.std(ddof=1) / means.mean()
    assert 0.45 < reported / observed < 2.2


def test_a_region_on_another_grid_is_refused():
    source, density, material, _ = _problem()
    with pytest.raises(InputError) as err:
        simulate_photons(source, density, material, (5.0,) * 3, "I-131", 1000, regions={"x": np.ones((2, 2, 2), bool)})
    assert err.value.field == "regions"
