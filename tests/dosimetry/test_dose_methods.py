"""The dose methods of a run: one module each, one signature, chosen by name.

The pipeline's numbers are checked end to end elsewhere (tests/dosimetry/test_single_time_point_pipeline.py,
tests/therapy/test_dosimetry_jobs.py); these tests hold the shape that lets a new method be added as one module.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from nmguard.dosimetry.dose_methods import MODULES, DoseInputs, DoseOutput, dose_method
from nmguard.dosimetry.kernels import local_deposition_dose
from nmguard.dosimetry.run_options import AIR_BELOW_G_CM3, METHODS, RunOptions
from nmguard.errors import InputError


def _inputs(method: str, material=None) -> DoseInputs:
    decays = np.zeros((9, 9, 9))
    decays[4, 4, 4] = 1e9
    density = np.ones_like(decays)
    density[0] = 0.001  # a slab of air
    return DoseInputs(decays, density, material, (4.0, 4.0, 4.0), 0.064, "Lu-177", {}, RunOptions(method=method))


def test_every_method_of_the_options_has_a_module_with_the_one_signature():
    assert set(MODULES) == set(METHODS)
    for name in METHODS:
        compute = dose_method(name)
        assert list(inspect.signature(compute).parameters) == ["inputs", "progress"], name


def test_local_deposition_is_the_kernel_function_on_the_floored_density():
    inputs = _inputs("ld")
    out = dose_method("ld")(inputs, lambda step, fraction: None)
    assert isinstance(out, DoseOutput)
    expected = local_deposition_dose(inputs.decays, "Lu-177", 0.064, np.maximum(inputs.density_g_cm3, AIR_BELOW_G_CM3))
    np.testing.assert_array_equal(out.dose_Gy, expected)
    assert out.voi_sigma_Gy is None


def test_the_voxel_kernel_method_reports_progress_and_its_energy_terms():
    steps = []
    out = dose_method("dvk")(_inputs("dvk"), lambda step, fraction: steps.append((step, fraction)))
    assert [s for s, _ in steps] == ["dose: generating the voxel kernel", "dose: kernel convolution"]
    assert 0 < out.energy["kernel_energy_fraction"] <= 1
    assert out.dose_Gy[4, 4, 4] == out.dose_Gy.max() > 0


def test_monte_carlo_without_a_ct_is_refused_naming_the_method():
    with pytest.raises(InputError) as err:
        dose_method("mc")(_inputs("mc", material=None), lambda step, fraction: None)
    assert err.value.field == "method"
