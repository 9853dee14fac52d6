"""PET quality control from DICOM: series reading, SUV calibration, NEMA/IEC image quality, EARL compliance."""

from nmguard.qc.pet.earl import earl_compliance, earl_qc
from nmguard.qc.pet.nema_iq import locate_spheres, nema_image_quality
from nmguard.qc.pet.series import PetSeries, describe_pet_series, read_pet_series
from nmguard.qc.pet.suv_calibration import suv_calibration

__all__ = [
    "PetSeries",
    "describe_pet_series",
    "earl_compliance",
    "earl_qc",
    "locate_spheres",
    "nema_image_quality",
    "read_pet_series",
    "suv_calibration",
]
