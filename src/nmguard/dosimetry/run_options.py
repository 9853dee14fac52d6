"""Every choice of a dosimetry run that changes a number: checked once, stored with the results."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from nmguard.errors import InputError

METHODS = ("ld", "dvk", "mc")
DEVICES = ("cpu", "gpu")
SINGLE_POINT_MODELS = ("haenscheid", "physical")  # offered by dosimetry run for one time point
# Voxels of lower density are air outside the patient (or in the bowel): their dose is set to zero, since
# dividing a water kernel's energy by an air voxel's mass gives meaningless numbers; the energy dropped
# there is reported in the energy balance. Lung (about 0.26 g/cm3) stays well above it.
AIR_BELOW_G_CM3 = 0.05


@dataclass(frozen=True)
class RunOptions:
    """Every method choice of a run; stored with the results."""

    method: str = "dvk"
    device: str = "cpu"
    tia_model: str = "auto"
    scale_voxel_tia_to_voi: bool = True
    deformable_registration: bool = False
    calibration_cps_per_MBq: float | None = None
    mc_histories: int = 1_000_000
    seed: int = 0
    kernel_radius_mm: float = 100.0
    threshold_vois: tuple[str, ...] = ()  # "Name=0.4" or "Name=0.4@Seed VOI": drawn by NMGuard on time point 1
    activity_uncertainty_percent: float | None = None
    nuclide: str | None = None  # stands in for radionuclide codes the reader cannot read (--nuclide)
    injection_time: str | None = None  # stands in for an injection time the files do not give (--injection-time)

    def checked(self) -> RunOptions:
        method = str(self.method).strip().lower()
        if method not in METHODS:
            raise InputError(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)}", "method")
        device = str(self.device).strip().lower()
        if device not in DEVICES:
            raise InputError(f"unknown device {self.device!r}; choose cpu or gpu", "device")
        if device == "gpu" and method != "mc":
            raise InputError("the GPU is used only by the Monte Carlo method (--method mc)", "device")
        if not (isinstance(self.mc_histories, int) and self.mc_histories >= 1000):
            raise InputError("Monte Carlo histories must be a whole number of at least 1000", "mc_histories")
        cal = self.calibration_cps_per_MBq
        if cal is not None and not (math.isfinite(float(cal)) and float(cal) > 0):
            raise InputError("the calibration factor must be a positive number of cps/MBq", "calibration_cps_per_MBq")
        radius = float(self.kernel_radius_mm)
        if not (math.isfinite(radius) and 5.0 <= radius <= 300.0):
            raise InputError("the kernel radius must be between 5 and 300 mm", "kernel_radius_mm")
        for spec in self.threshold_vois:
            parse_threshold_voi(spec)
        from nmguard.dosimetry.tia import MODELS as TIA_MODELS

        tia_model = str(self.tia_model).strip().lower().replace("ä", "ae")
        if tia_model not in TIA_MODELS + SINGLE_POINT_MODELS:
            raise InputError(
                f"unknown TIA model {self.tia_model!r}; choose one of {', '.join(TIA_MODELS + SINGLE_POINT_MODELS)}",
                "tia_model",
            )
        pct = self.activity_uncertainty_percent
        if pct is not None and not (math.isfinite(float(pct)) and float(pct) > 0):
            raise InputError("the activity uncertainty must be a positive percentage", "activity_uncertainty_percent")
        return replace(
            self, method=method, device=device, tia_model=tia_model, threshold_vois=tuple(self.threshold_vois)
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_threshold_voi(spec: str) -> tuple[str, float, str | None]:
    """``"Tumour=0.4"`` or ``"Tumour=0.4@Liver"`` → (name, fraction of the maximum, seed VOI or None)."""
    name, sep, rest = str(spec).partition("=")
    level, _, seed = rest.partition("@")
    try:
        fraction = float(level)
    except ValueError:
        fraction = float("nan")
    if not sep or not name.strip() or not (0 < fraction <= 1):
        raise InputError(
            f"threshold VOI {spec!r}: write name=fraction (0 to 1] of the maximum, optionally @seed VOI",
            "threshold_vois",
        )
    return name.strip(), fraction, seed.strip() or None
