"""Imaging: DICOM dose reports (RRDSR build and import). Pure layer, no Django."""

from nmguard.imaging.administration_report import RadiopharmaceuticalAdministration
from nmguard.imaging.rrdsr import (
    RRDSR_SOP_CLASS_UID,
    RadiopharmaceuticalRadiationDoseSR,
    build_rrdsr,
    parse_rrdsr,
    read_rrdsr,
)

__all__ = [
    "RRDSR_SOP_CLASS_UID",
    "RadiopharmaceuticalAdministration",
    "RadiopharmaceuticalRadiationDoseSR",
    "build_rrdsr",
    "parse_rrdsr",
    "read_rrdsr",
]
