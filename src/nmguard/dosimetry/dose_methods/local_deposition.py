"""``ld``: the mean electron energy per decay deposited in the source voxel; photons are ignored."""

from __future__ import annotations

from nmguard.dosimetry.dose_methods import DoseInputs, DoseOutput, Progress
from nmguard.dosimetry.kernels import local_deposition_dose


def compute(inputs: DoseInputs, progress: Progress) -> DoseOutput:
    dose = local_deposition_dose(inputs.decays, inputs.nuclide, inputs.voxel_volume_mL, inputs.floored_density)
    return DoseOutput(dose)
