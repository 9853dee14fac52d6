"""One VOI's results in a run: dose statistics, DVH, uncertainty, the organ-level (sphere) check and BED."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from nmguard.dosimetry.voi_curves import VoiCurve

LN2 = math.log(2.0)

# VOI names that get a BED, and the radiobiology tissue whose parameters apply.
BED_TISSUES = {"kidney": "kidney", "marrow": "red_marrow"}


@dataclass
class VoiResult:
    name: str
    source: str
    volume_mL: float
    mass_g: float
    times_h: list[float]
    activities_MBq: list[float]
    tia_MBq_h: float
    tia_uncertainty_percent: float | None
    tia_model: str
    tia_model_reason: str
    tia_warnings: list[str]
    voxel_scale_factor: float | None
    mean_Gy: float
    max_Gy: float
    D2_Gy: float
    D50_Gy: float
    D98_Gy: float
    mean_uncertainty_percent: float | None
    mc_relative_uncertainty_percent: float | None
    sphere_model_Gy: float | None = None
    bed_Gy: float | None = None
    bed_parameters: dict[str, Any] | None = None
    dvh: tuple[list[float], list[float]] = field(default_factory=lambda: ([], []))


def sphere_model_Gy(nuclide: str, tia_MBq_h: float, mass_g: float, volume_mL: float) -> float | None:
    """Organ-level (MIRD schema) self-dose: TIA × S(sphere of the VOI's CT mass and mean density).

    The mass scaling to the patient is the sphere's own (the S-value of the patient's organ mass); cross
    doses from other organs are not included, so it is a check on the voxel result for compact VOIs.
    """
    from nmguard.dosimetry.kernels import sphere_s_value

    if mass_g <= 0 or volume_mL <= 0:
        return None
    s = sphere_s_value(nuclide, mass_g, density_g_cm3=mass_g / volume_mL)
    return tia_MBq_h * 3600.0 * s.s_value_mGy_per_MBq_s / 1000.0


def bed_for(name: str, mean_Gy: float, curve: VoiCurve) -> tuple[float | None, dict[str, Any] | None]:
    from nmguard.dosimetry.bed import bed_mono_exponential

    tissue = next((t for key, t in BED_TISSUES.items() if key in name.lower()), None)
    if tissue is None or mean_Gy <= 0:
        return None, None
    if not curve.clearance_per_h:
        return None, {"reason": "no fitted clearance for the effective half-life"}
    half_life = LN2 / curve.clearance_per_h
    data = bed_mono_exponential(mean_Gy, half_life, tissue=tissue).to_dict()
    return float(data["values"]["bed_Gy"]["value"]), {
        "tissue": tissue,
        "effective_half_life_h": half_life,
        "parameters": data["parameters"],
    }
