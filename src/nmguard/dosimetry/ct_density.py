"""CT numbers (HU) → mass density (g/cm³) and transport material per voxel.

Why: the photon Monte Carlo needs density and elemental composition per voxel; a CT gives only
HU. The density follows a piecewise-linear calibration and the material a set of HU bins, both
from reference data (``nmguard.reference.ct_calibration``). Densities are floored at the nominal
density of dry air so that no voxel is empty (the calibration crosses zero just above -1000 HU).
"""

from __future__ import annotations

import numpy as np

from nmguard.errors import InputError
from nmguard.reference.ct_calibration import CT_NUMBER_OFFSET, density_segments, material_bins
from nmguard.reference.photon_cross_sections import photon_materials

#: transport material names in material-index order (index i ↔ ``MATERIALS[i]``).
MATERIALS: tuple[str, ...] = tuple(m.name for m in photon_materials())


def air_density_g_cm3() -> float:
    """The floor of the calibration: nominal density of dry air (g/cm³)."""
    return next(m.nominal_density_g_cm3 for m in photon_materials() if m.name == "air")


def hu_to_density_material(hu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Density (g/cm³, float64) and material index (int8, see :data:`MATERIALS`) for every voxel of ``hu``."""
    values = np.asarray(hu)
    if values.size == 0:
        raise InputError("the CT image is empty", "ct")
    if not np.issubdtype(values.dtype, np.number) or np.iscomplexobj(values):
        raise InputError("CT values must be real numbers (HU)", "ct")
    values = values.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise InputError("the CT image holds NaN or infinite values", "ct")
    ct_number = values + CT_NUMBER_OFFSET
    density_kg_m3 = np.empty_like(values)
    for seg in density_segments():
        inside = (ct_number >= seg.ct_number_low) & (ct_number < seg.ct_number_high)
        density_kg_m3[inside] = seg.slope_kg_m3 * ct_number[inside] + seg.intercept_kg_m3
    density = np.maximum(density_kg_m3 / 1000.0, air_density_g_cm3())
    material = np.empty(values.shape, dtype=np.int8)
    for b in material_bins():
        material[(values >= b.hu_low) & (values < b.hu_high)] = b.index
    return density, material
