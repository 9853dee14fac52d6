"""DICOM RT Dose (SOP class 1.2.840.10008.5.1.4.1.1.481.2) for absorbed-dose maps: writer and reader.

Array convention: ``dose_Gy[z, y, x]`` (frames, rows, columns); ``spacing_mm = (dz, dy, dx)``;
``origin_mm = (x, y, z)`` of the centre of voxel [0, 0, 0] in the patient coordinate system.
The grid is axis-aligned (ImageOrientationPatient 1\\0\\0\\0\\1\\0); frame k lies at z0 + k·dz.

Encoding: unsigned 32-bit pixel data with DoseGridScaling s (DS, at most 16 characters) chosen from the
map's maximum; the pixel value is round(D / s), so a decoded voxel differs from the input by at most s/2,
about max(D) / (2 · (2^32 − 1)) ≈ 1.2e-10 · max(D). GridFrameOffsetVector is written relative (first 0).

The reader does not reuse the writer's code; it reads the attributes with pydicom and checks the geometry
(:func:`rt_dose_geometry_problems`), accepting relative or absolute frame offsets, increasing or decreasing.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from nmguard.errors import InputError
from nmguard.imaging.dicom_files import read_dicom, save_atomically

RT_DOSE_STORAGE = "1.2.840.10008.5.1.4.1.1.481.2"
RT_PLAN_STORAGE = "1.2.840.10008.5.1.4.1.1.481.5"
GRID_FRAME_OFFSET_VECTOR_TAG = 0x3004000C
DOSE_SUMMATION_TYPES = (
    "PLAN",
    "MULTI_PLAN",
    "PLAN_OVERVIEW",
    "FRACTION",
    "BEAM",
    "BRACHY",
    "FRACTION_SESSION",
    "BEAM_SESSION",
    "BRACHY_SESSION",
    "CONTROL_POINT",
    "RECORD",
)
_UINT32_MAX = 2**32 - 1
_AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)


def _three(values, field: str, positive: bool) -> tuple[float, float, float]:
    try:
        out = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise InputError(f"{field} must be three numbers", field=field) from None
    if len(out) != 3 or not all(math.isfinite(v) for v in out):
        raise InputError(f"{field} must be three finite numbers, not {values!r}", field=field)
    if positive and any(v <= 0 for v in out):
        raise InputError(f"{field} must be three positive spacings in mm, not {values!r}", field=field)
    return out  # type: ignore[return-value]


def _ds(value: float) -> str:
    """A decimal string of at most 16 characters."""
    for digits in range(10, 0, -1):
        text = f"{value:.{digits}g}"
        if len(text) <= 16:
            return text
    raise ValueError(value)


def _scaling(max_dose: float) -> tuple[str, float]:
    if max_dose <= 0:
        return "1", 1.0
    s = max_dose / _UINT32_MAX * (1 + 1e-8)
    text = f"{s:.9e}"
    value = float(text)
    while round(max_dose / value) > _UINT32_MAX:  # pragma: no cover - the 1e-8 margin already covers rounding
        value *= 1 + 1e-8
        text = f"{value:.9e}"
        value = float(text)
    return text, value


def _uid(value: str | None, field: str) -> str:
    if value is None:
        return generate_uid()
    text = str(value).strip()
    if not text or len(text) > 64 or not all(c.isdigit() or c == "." for c in text) or ".." in text:
        raise InputError(f"{field} {value!r} is not a valid DICOM UID", field=field)
    return text


def write_rt_dose(
    dose_Gy,
    spacing_mm: Sequence[float],
    origin_mm: Sequence[float],
    path: str | os.PathLike,
    *,
    frame_of_reference_uid: str,
    study_instance_uid: str,
    patient_id: str,
    patient_name: str = "",
    series_description: str = "Absorbed dose",
    dose_summation_type: str = "PLAN",
    comment: str = "",
    series_instance_uid: str | None = None,
    sop_instance_uid: str | None = None,
    referenced_rt_plan_uid: str | None = None,
    manufacturer: str = "NMGuard",
    when: dt.datetime | None = None,
) -> Path:
    """Write ``dose_Gy[z, y, x]`` as an RT Dose file at ``path`` (atomically: a temporary file, then rename)."""
    dose = np.asarray(dose_Gy, dtype=np.float64)
    if dose.ndim != 3 or min(dose.shape) < 1:
        raise InputError(f"the dose map must be a 3-D array [z, y, x], not shape {dose.shape}", field="dose_Gy")
    if not np.all(np.isfinite(dose)):
        raise InputError("the dose map holds NaN or infinite values", field="dose_Gy")
    if np.any(dose < 0):
        raise InputError("the dose map holds negative doses", field="dose_Gy")
    dz, dy, dx = _three(spacing_mm, "spacing_mm", positive=True)
    x0, y0, z0 = _three(origin_mm, "origin_mm", positive=False)
    summation = str(dose_summation_type).strip().upper()
    if summation not in DOSE_SUMMATION_TYPES:
        raise InputError(
            f"dose summation type {dose_summation_type!r} is not one of {', '.join(DOSE_SUMMATION_TYPES)}",
            field="dose_summation_type",
        )
    if not str(patient_id).strip():
        raise InputError("a patient ID is needed", field="patient_id")
    for_uid = _uid(frame_of_reference_uid, "frame_of_reference_uid")
    study_uid = _uid(study_instance_uid, "study_instance_uid")
    series_uid = _uid(series_instance_uid, "series_instance_uid")
    sop_uid = _uid(sop_instance_uid, "sop_instance_uid")
    nz, ny, nx = dose.shape
    scaling_text, scaling = _scaling(float(dose.max()))
    pixels = np.rint(dose / scaling).astype(np.uint32)
    now = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    date, time = now.strftime("%Y%m%d"), now.strftime("%H%M%S")

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = RT_DOSE_STORAGE
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = RT_DOSE_STORAGE
    ds.SOPInstanceUID = sop_uid
    ds.InstanceCreationDate, ds.InstanceCreationTime = date, time
    ds.TimezoneOffsetFromUTC = "+0000"
    # Patient, General Study
    ds.PatientName = str(patient_name)
    ds.PatientID = str(patient_id).strip()
    ds.PatientBirthDate = ""
    ds.PatientSex = ""
    ds.StudyInstanceUID = study_uid
    ds.StudyDate, ds.StudyTime = date, time
    ds.ReferringPhysicianName = ""
    ds.StudyID = ""
    ds.AccessionNumber = ""
    # RT Series, General Equipment, Frame of Reference
    ds.Modality = "RTDOSE"
    ds.SeriesInstanceUID = series_uid
    ds.SeriesNumber = 1
    ds.SeriesDescription = str(series_description)[:64]
    ds.OperatorsName = ""
    ds.Manufacturer = manufacturer
    ds.FrameOfReferenceUID = for_uid
    ds.PositionReferenceIndicator = ""
    # General Image, Image Plane
    ds.InstanceNumber = 1
    ds.ContentDate, ds.ContentTime = date, time
    ds.ImagePositionPatient = [_ds(x0), _ds(y0), _ds(z0)]
    ds.ImageOrientationPatient = [_ds(v) for v in _AXIAL]
    ds.PixelSpacing = [_ds(dy), _ds(dx)]  # row spacing (between rows, along y), column spacing (along x)
    ds.SliceThickness = _ds(dz)
    # Image Pixel, Multi-frame
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = ny, nx
    ds.BitsAllocated = ds.BitsStored = 32
    ds.HighBit = 31
    ds.PixelRepresentation = 0
    ds.NumberOfFrames = nz
    ds.FrameIncrementPointer = GRID_FRAME_OFFSET_VECTOR_TAG
    # RT Dose
    ds.DoseUnits = "GY"
    ds.DoseType = "PHYSICAL"
    ds.DoseSummationType = summation
    ds.GridFrameOffsetVector = [_ds(k * dz) for k in range(nz)]
    ds.DoseGridScaling = scaling_text
    ds.TissueHeterogeneityCorrection = ["IMAGE"]
    if comment:
        ds.DoseComment = str(comment)[:10240]
    if referenced_rt_plan_uid:
        ref = Dataset()
        ref.ReferencedSOPClassUID = RT_PLAN_STORAGE
        ref.ReferencedSOPInstanceUID = _uid(referenced_rt_plan_uid, "referenced_rt_plan_uid")
        ds.ReferencedRTPlanSequence = [ref]
    ds.PixelData = np.ascontiguousarray(pixels).astype("<u4").tobytes()

    return save_atomically(ds, path, prefix=".rtdose-")


# --------------------------------------------------------------------------------------------- reader


def _floats(ds: Dataset, keyword: str) -> list[float] | None:
    value = ds.get(keyword)
    if value is None or value == "":
        return None
    seq = value if isinstance(value, list | tuple | pydicom.multival.MultiValue) else [value]
    try:
        return [float(v) for v in seq]
    except (TypeError, ValueError):
        return None


def rt_dose_geometry_problems(ds: Dataset) -> list[str]:
    """What is missing or inconsistent in an RT Dose header's geometry; empty when the grid is usable."""
    problems: list[str] = []
    if ds.get("SOPClassUID") != RT_DOSE_STORAGE:
        problems.append(f"SOP class {ds.get('SOPClassUID')!r} is not RT Dose Storage")
    if str(ds.get("DoseUnits", "")).upper() != "GY":
        problems.append(f"DoseUnits {ds.get('DoseUnits')!r} is not GY")
    ipp, iop = _floats(ds, "ImagePositionPatient"), _floats(ds, "ImageOrientationPatient")
    ps, offsets = _floats(ds, "PixelSpacing"), _floats(ds, "GridFrameOffsetVector")
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if ipp is None or len(ipp) != 3:
        problems.append("ImagePositionPatient is missing or not 3 values")
    if iop is None or len(iop) != 6:
        problems.append("ImageOrientationPatient is missing or not 6 values")
    else:
        row, col = np.array(iop[:3]), np.array(iop[3:])
        if abs(np.linalg.norm(row) - 1) > 1e-4 or abs(np.linalg.norm(col) - 1) > 1e-4 or abs(row @ col) > 1e-4:
            problems.append("ImageOrientationPatient is not two orthonormal vectors")
        elif not np.allclose(iop, _AXIAL, atol=1e-4):
            problems.append(f"ImageOrientationPatient {iop} is not axial 1\\0\\0\\0\\1\\0 (not supported)")
    if ps is None or len(ps) != 2 or min(ps) <= 0:
        problems.append("PixelSpacing is missing or not two positive values")
    if offsets is None or len(offsets) != frames:
        count = 0 if offsets is None else len(offsets)
        problems.append(f"GridFrameOffsetVector has {count} values for {frames} frames")
    elif offsets[0] != 0 and ipp is not None and len(ipp) == 3 and abs(offsets[0] - ipp[2]) > 1e-3:
        problems.append("GridFrameOffsetVector is neither relative (first 0) nor absolute (first = IPP z)")
    if offsets is not None and len(offsets) == frames and frames > 1:
        steps = np.diff(offsets)
        if np.any(steps == 0) or not (np.all(steps > 0) or np.all(steps < 0)):
            problems.append("GridFrameOffsetVector is not strictly monotonic")
        elif np.ptp(steps) > 1e-3 * max(abs(steps[0]), 1e-9) + 1e-4:
            problems.append("GridFrameOffsetVector spacing is not uniform")
        thickness = _floats(ds, "SliceThickness")
        if thickness and abs(abs(steps[0]) - thickness[0]) > 1e-3 * abs(steps[0]) + 1e-4:
            problems.append(f"SliceThickness {thickness[0]} differs from the frame spacing {abs(steps[0])}")
    if frames > 1 and ds.get("FrameIncrementPointer") != GRID_FRAME_OFFSET_VECTOR_TAG:
        problems.append("FrameIncrementPointer does not point to GridFrameOffsetVector (3004,000C)")
    if ds.get("BitsAllocated") not in (16, 32) or ds.get("PixelRepresentation") not in (0, 1):
        problems.append("pixel encoding is not 16/32-bit integer")
    scaling = _floats(ds, "DoseGridScaling")
    if not scaling or not math.isfinite(scaling[0]) or scaling[0] <= 0:
        problems.append("DoseGridScaling is missing or not positive")
    return problems


def read_rt_dose(path: str | os.PathLike) -> tuple[np.ndarray, tuple[float, float, float], tuple[float, float, float]]:
    """(dose_Gy[z, y, x], (dz, dy, dx) mm, (x, y, z) mm of voxel [0, 0, 0]); InputError if the grid is unusable."""
    ds = read_dicom(path, field="path", what="RT Dose")
    problems = rt_dose_geometry_problems(ds)
    if problems:
        raise InputError(f"{path}: " + "; ".join(problems), field="path")
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    pixels = np.asarray(ds.pixel_array).reshape(frames, int(ds.Rows), int(ds.Columns))
    dose = pixels.astype(np.float64) * float(ds.DoseGridScaling)
    ipp = _floats(ds, "ImagePositionPatient") or []
    row_spacing, col_spacing = _floats(ds, "PixelSpacing") or []
    offsets = np.array(_floats(ds, "GridFrameOffsetVector") or [])
    # PS3.3 C.8.8.3.2: offsets are relative to IPP when the first is 0, otherwise absolute z positions
    z_first = ipp[2]
    if frames > 1:
        dz = float(offsets[1] - offsets[0])
        if dz < 0:  # frames stacked towards -z: reverse so that index 0 is the lowest z
            dose = dose[::-1]
            z_first = z_first + dz * (frames - 1)
            dz = -dz
    else:
        thickness = _floats(ds, "SliceThickness")
        dz = thickness[0] if thickness else 0.0
    return np.ascontiguousarray(dose), (dz, row_spacing, col_spacing), (ipp[0], ipp[1], z_first)
