"""Absorbed-dose methods of a run: each is a module with one function of one signature.

``compute(inputs: DoseInputs, progress: Progress) -> DoseOutput``

* :mod:`.local_deposition` (``ld``): the electron energy per decay deposited in the source voxel (photons ignored);
* :mod:`.voxel_kernel` (``dvk``): convolution with a dose voxel kernel for the nuclide and voxel size (electrons
  and photons in water), divided by the voxel's CT density;
* :mod:`.monte_carlo` (``mc``): electrons deposited locally plus photons transported by Monte Carlo in the CT's
  density and material map.

The pipeline chooses the method by name (:func:`dose_method`); a method imports its own heavy machinery
(FFT kernels, numba) only when it runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nmguard.dosimetry.run_options import AIR_BELOW_G_CM3, RunOptions

Progress = Callable[[str, float], None]

#: method name (as in :data:`nmguard.dosimetry.run_options.METHODS`) -> module holding its ``compute``
MODULES = {"ld": "local_deposition", "dvk": "voxel_kernel", "mc": "monte_carlo"}


@dataclass(frozen=True)
class DoseInputs:
    """What every method takes: the decays per voxel, the CT-derived maps and the run's options."""

    decays: np.ndarray  # number of decays per voxel (TIA map in Bq·s)
    density_g_cm3: np.ndarray
    material: np.ndarray | None  # material index per voxel; None without a CT
    spacing_mm: tuple[float, float, float]
    voxel_volume_mL: float
    nuclide: str
    vois: dict[str, np.ndarray]
    options: RunOptions

    @property
    def floored_density(self) -> np.ndarray:
        """Density with air raised to :data:`AIR_BELOW_G_CM3`: a water kernel's energy divided by an air voxel's
        mass is meaningless; the pipeline sets the dose there to zero and reports the energy dropped."""
        return np.maximum(self.density_g_cm3, AIR_BELOW_G_CM3)


@dataclass(frozen=True)
class DoseOutput:
    """Dose (Gy) per voxel; for Monte Carlo the standard uncertainty (Gy) of each VOI's mean dose from the
    batches; energy terms (J) and counts for the energy balance; warnings for the person reading the run."""

    dose_Gy: np.ndarray
    voi_sigma_Gy: dict[str, float] | None = None
    energy: dict[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


DoseMethod = Callable[[DoseInputs, Progress], DoseOutput]


def dose_method(name: str) -> DoseMethod:
    """The ``compute`` function of the named method (the name is checked by :class:`RunOptions`)."""
    module = importlib.import_module(f"{__name__}.{MODULES[name]}")
    return module.compute
