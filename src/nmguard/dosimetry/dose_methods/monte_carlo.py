"""``mc``: electrons deposited locally (as ``ld``) plus photons transported by Monte Carlo in the CT's maps."""

from __future__ import annotations

from nmguard.dosimetry.dose_methods import DoseInputs, DoseOutput, Progress
from nmguard.dosimetry.kernels import local_deposition_dose
from nmguard.dosimetry.montecarlo import simulate_photons
from nmguard.errors import InputError


def compute(inputs: DoseInputs, progress: Progress) -> DoseOutput:
    if inputs.material is None:
        raise InputError("the Monte Carlo method needs a CT at the reference time point", "method")
    electrons = local_deposition_dose(inputs.decays, inputs.nuclide, inputs.voxel_volume_mL, inputs.floored_density)

    def mc_progress(fraction: float) -> None:
        progress("dose: Monte Carlo photon transport", 0.6 + 0.3 * fraction)

    options = inputs.options
    mc = simulate_photons(
        inputs.decays,
        inputs.density_g_cm3,
        inputs.material,
        inputs.spacing_mm,
        inputs.nuclide,
        options.mc_histories,
        seed=options.seed,
        device=options.device,
        progress=mc_progress,
        regions=inputs.vois,
    )
    energy = {
        "photon_emitted_J": float(mc.energy_emitted_J),
        "photon_deposited_J": float(mc.energy_deposited_J),
        "photon_escaped_J": float(mc.energy_escaped_J),
        "mc_histories": float(mc.histories),
        "mc_histories_per_second": float(mc.histories_per_second),
    }
    sigma_Gy = {name: mc.region_relative_uncertainty[name] * mean for name, mean in mc.region_mean_dose_Gy.items()}
    return DoseOutput(electrons + mc.dose_Gy, sigma_Gy, energy)
