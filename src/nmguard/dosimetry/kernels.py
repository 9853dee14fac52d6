"""Public entry points for kernel dosimetry: voxel kernels, voxel doses and sphere S-values.

The physics lives in :mod:`~nmguard.dosimetry.point_kernels` (point kernels in water),
:mod:`~nmguard.dosimetry.dvk` (voxel kernels, FFT dose, local deposition) and
:mod:`~nmguard.dosimetry.sphere` (uniform-sphere absorbed fractions); import from here.
"""

from __future__ import annotations

from nmguard.dosimetry.dvk import VoxelKernel, component_voxel_kernel, dvk_dose, local_deposition_dose, voxel_kernel
from nmguard.dosimetry.point_kernels import NuclideKernels, nuclide_kernels
from nmguard.dosimetry.sphere import SphereSValue, sphere_s_value

__all__ = [
    "NuclideKernels",
    "SphereSValue",
    "VoxelKernel",
    "component_voxel_kernel",
    "dvk_dose",
    "local_deposition_dose",
    "nuclide_kernels",
    "sphere_s_value",
    "voxel_kernel",
]
