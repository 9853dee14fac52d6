"""Where a received DICOM object goes, decided from its header alone (no I/O, no Django).

The destinations are the places where NMGuard's readers already look:

* an RRDSR is a dose report: it is imported against its patient (``apps.patients.exchange``);
* an NM acquisition that is not a reconstruction (a flood, a bar phantom, a line source, SPECT
  projections) is raw material for a QC analysis, which reads files by path: it waits in a QC
  folder per device until someone runs a QC test on it;
* a reconstruction (SPECT ``RECON TOMO``, every PET image), a CT, an RTSTRUCT or a SEG belongs to a
  study that the dosimetry pipeline reads: it goes to the dosimetry inbox, one folder per study;
* anything else (other SR, secondary captures, private classes, objects without the identifiers a
  destination needs) is kept in an "unknown" folder and listed, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydicom.dataset import Dataset
from pydicom.uid import UID

from nmguard.imaging.study import _is_reconstruction

RRDSR = UID("1.2.840.10008.5.1.4.1.1.88.68")
NM_IMAGE = UID("1.2.840.10008.5.1.4.1.1.20")
PET_IMAGE = UID("1.2.840.10008.5.1.4.1.1.128")
CT_IMAGE = UID("1.2.840.10008.5.1.4.1.1.2")
RT_STRUCTURE_SET = UID("1.2.840.10008.5.1.4.1.1.481.3")
SEGMENTATION = UID("1.2.840.10008.5.1.4.1.1.66.4")

# Structured reports other than the RRDSR that a department's modalities send (PS3.4 Annex B):
# they are accepted and kept with the unknown objects (NMGuard has no reader for them).
OTHER_SR = tuple(
    UID(uid)
    for uid in (
        "1.2.840.10008.5.1.4.1.1.88.11",  # Basic Text SR
        "1.2.840.10008.5.1.4.1.1.88.22",  # Enhanced SR
        "1.2.840.10008.5.1.4.1.1.88.33",  # Comprehensive SR
        "1.2.840.10008.5.1.4.1.1.88.34",  # Comprehensive 3D SR
        "1.2.840.10008.5.1.4.1.1.88.35",  # Extensible SR
        "1.2.840.10008.5.1.4.1.1.88.59",  # Key Object Selection Document
        "1.2.840.10008.5.1.4.1.1.88.67",  # X-Ray Radiation Dose SR
        "1.2.840.10008.5.1.4.1.1.88.73",  # Patient Radiation Dose SR
        "1.2.840.10008.5.1.4.1.1.88.75",  # Acquisition Context SR
    )
)

# The storage classes NMGuard reads or routes by name (the listener also keeps every other class).
STORAGE_CLASSES: tuple[UID, ...] = (NM_IMAGE, PET_IMAGE, CT_IMAGE, RT_STRUCTURE_SET, SEGMENTATION, RRDSR, *OTHER_SR)

DOSE_REPORT, QC, DOSIMETRY, UNKNOWN = "dose_report", "qc", "dosimetry", "unknown"
KINDS = (DOSE_REPORT, QC, DOSIMETRY, UNKNOWN)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Route:
    """The destination of one object: its kind, the folder under that kind's root, and why."""

    kind: str
    folder: tuple[str, ...]
    reason: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown route kind {self.kind!r}")
        for part in self.folder:
            if not part or part in (".", "..") or _UNSAFE.search(part):
                raise ValueError(f"folder part {part!r} is not a safe file name")


def safe_name(text: str, fallback: str) -> str:
    """``text`` as one file-name component (letters, digits, ``._-``), or ``fallback`` when empty."""
    name = _UNSAFE.sub("_", text.strip()).strip("._")[:64]
    return name or fallback


def _uid(ds: Dataset, keyword: str) -> str | None:
    value = str(ds.get(keyword, "") or "").strip()
    return value if re.fullmatch(r"[0-9]+(\.[0-9]+)*", value) and len(value) <= 64 else None


def qc_device_folder(ds: Dataset) -> str:
    """The QC folder of the acquiring device: station name and device serial number, as the camera wrote them."""
    station = safe_name(str(ds.get("StationName", "") or ""), "")
    serial = safe_name(str(ds.get("DeviceSerialNumber", "") or ""), "")
    parts = [p for p in (station, serial) if p]
    return "_".join(parts) if parts else "unknown-device"


def route(ds: Dataset, sop_class_uid: str | None = None) -> Route:
    """Decide where ``ds`` goes. ``sop_class_uid`` is the class the sender used (default: the dataset's own)."""
    sop_class = UID(str(sop_class_uid or ds.get("SOPClassUID", "") or ""))
    name = sop_class.name if sop_class else "no SOP class"
    if sop_class == RRDSR:
        return Route(DOSE_REPORT, (), "Radiopharmaceutical Radiation Dose SR: imported as a dose report")
    study = _uid(ds, "StudyInstanceUID")
    series = _uid(ds, "SeriesInstanceUID")
    if sop_class == NM_IMAGE and not _is_reconstruction(ds):
        if series is None:
            return Route(UNKNOWN, (), "NM acquisition without a valid Series Instance UID")
        return Route(QC, (qc_device_folder(ds), series), "NM acquisition (not a reconstruction): waiting for a QC test")
    if sop_class in (NM_IMAGE, PET_IMAGE, CT_IMAGE, RT_STRUCTURE_SET, SEGMENTATION):
        if study is None or series is None:
            return Route(UNKNOWN, (), f"{name} without a valid Study/Series Instance UID")
        kind = "reconstruction" if sop_class in (NM_IMAGE, PET_IMAGE) else "series"
        return Route(DOSIMETRY, (study, series), f"{name} {kind}: dosimetry inbox, study {study}")
    if sop_class in OTHER_SR:
        return Route(UNKNOWN, (), f"{name}: a structured report NMGuard does not read; kept")
    return Route(UNKNOWN, (), f"{name}: a class NMGuard does not read; kept")
