"""``dvk``: convolution of the decays with a dose voxel kernel made for the nuclide and the voxel size."""

from __future__ import annotations

from nmguard.dosimetry.dose_methods import DoseInputs, DoseOutput, Progress
from nmguard.dosimetry.dvk import dvk_dose_with_round_off
from nmguard.dosimetry.kernels import voxel_kernel


def compute(inputs: DoseInputs, progress: Progress) -> DoseOutput:
    progress("dose: generating the voxel kernel", 0.55)
    kernel = voxel_kernel(inputs.nuclide, inputs.spacing_mm, radius_mm=float(inputs.options.kernel_radius_mm))
    progress("dose: kernel convolution", 0.7)
    dose, round_off = dvk_dose_with_round_off(inputs.decays, kernel, inputs.floored_density)
    energy = {
        "kernel_energy_fraction": float(kernel.energy_fraction_within_kernel),
        "fft_round_off_clipped_voxels": float(round_off.clipped_voxels),
        "fft_round_off_largest_clipped_Gy": round_off.largest_clipped_Gy,
    }
    warning = round_off.warning()
    return DoseOutput(dose, None, energy, (warning,) if warning else ())
