"""DICOM objects NMGuard writes and reads for exchange: RRDSR, the administration report, RT Dose, Parametric Map."""

from nmguard.exchange.dicom.administration_report import RadiopharmaceuticalAdministration
from nmguard.exchange.dicom.rrdsr import (
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
