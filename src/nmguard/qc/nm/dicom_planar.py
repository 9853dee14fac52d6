"""Reading gamma-camera and PET QC images from DICOM (pydicom 3): NM and PT, single or multi-frame.

Vendor variants handled:

- pixel spacing at top level (``PixelSpacing``), in the Shared Functional Groups (enhanced objects) or, for some
  NM exports, only in the first item of the Detector Information Sequence (0054,0022);
- multi-frame NM objects whose frames are indexed by the Frame Increment Pointer vectors (Energy Window Vector,
  Detector Vector, Angular View Vector, Slice Vector …): a frame is chosen by index, or by detector / energy
  window number, and the choice is recorded in the inputs;
- Rescale Slope / Intercept applied when present (PT);
- compressed transfer syntaxes (RLE, JPEG Lossless, JPEG-LS, JPEG 2000) through pydicom's decoders with the
  pylibjpeg plugins; files with or without a ``.dcm`` extension;
- NM Image Type (0008,0008) value 3 says what an object is (STATIC, TOMO, RECON TOMO …): a reconstructed
  volume is refused by the planar analyses, which would otherwise read its first slice as a planar image.

Every failure is an :class:`~nmguard.errors.InputError` that names what is missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset

from nmguard.errors import InputError
from nmguard.imaging.dicom_files import read_dicom

ALLOWED_MODALITIES = ("NM", "PT")

# Frame Increment Pointer targets in the NM Multi-frame module (PS3.3 C.8.4.8)
_VECTOR_NAMES = {
    0x00540010: "EnergyWindowVector",
    0x00540020: "DetectorVector",
    0x00540030: "PhaseVector",
    0x00540050: "RotationVector",
    0x00540060: "RRIntervalVector",
    0x00540070: "TimeSlotVector",
    0x00540080: "SliceVector",
    0x00540090: "AngularViewVector",
    0x00540100: "TimeSliceVector",
}


@dataclass(frozen=True)
class NMFrames:
    """All frames of one object as float64 ``(n_frames, rows, columns)`` plus what the analyses need."""

    frames: np.ndarray
    pixel_size_mm: tuple[float, float]  # (between rows, between columns)
    dataset: Dataset = field(repr=False)
    inputs: dict[str, Any]

    def vector(self, keyword: str) -> np.ndarray | None:
        """A frame index vector (e.g. ``DetectorVector``), or None when the object has none."""
        value = self.dataset.get(keyword)
        if value is None:
            return None
        arr = np.atleast_1d(np.asarray(value, dtype=int))
        return arr if arr.size == self.frames.shape[0] else None


@dataclass(frozen=True)
class PlanarImage:
    """One frame chosen from an object, with the metadata that goes into an analysis's inputs."""

    pixels: np.ndarray
    pixel_size_mm: tuple[float, float]
    inputs: dict[str, Any]
    dataset: Dataset = field(repr=False)


def _read_dataset(path: str | Path) -> Dataset:
    return read_dicom(path, field="file", what="QC image")


def pixel_spacing(ds: Dataset) -> tuple[tuple[float, float], str]:
    """(row spacing, column spacing) in mm and where it was found."""
    candidates: list[tuple[Any, str]] = [(ds.get("PixelSpacing"), "PixelSpacing (0028,0030)")]
    shared = ds.get("SharedFunctionalGroupsSequence")
    if shared:
        measures = shared[0].get("PixelMeasuresSequence")
        if measures:
            candidates.append((measures[0].get("PixelSpacing"), "SharedFunctionalGroups PixelMeasures PixelSpacing"))
    detectors = ds.get("DetectorInformationSequence")
    if detectors:
        candidates.append((detectors[0].get("PixelSpacing"), "DetectorInformationSequence[0] PixelSpacing"))
    for value, source in candidates:
        if value is None or len(value) < 2:
            continue
        try:
            spacing = (float(value[0]), float(value[1]))
        except (TypeError, ValueError):
            continue
        if all(np.isfinite(s) and s > 0 for s in spacing):
            return spacing, source
    raise InputError(
        "no PixelSpacing: neither PixelSpacing (0028,0030) nor the Detector Information Sequence "
        "(0054,0022) nor a Pixel Measures functional group holds a positive pixel spacing",
        "pixel_spacing",
    )


def read_frames(path: str | Path, allowed_modalities: tuple[str, ...] = ALLOWED_MODALITIES) -> NMFrames:
    """All frames of an NM or PT object, rescaled, with the pixel spacing and identifying inputs."""
    path = Path(path)
    ds = _read_dataset(path)
    modality = str(ds.get("Modality", "") or "")
    if not modality:
        raise InputError(f"no Modality (0008,0060) in {path.name}", "modality")
    if modality not in allowed_modalities:
        raise InputError(f"modality {modality} is not one of {', '.join(allowed_modalities)}: {path.name}", "modality")
    if "PixelData" not in ds:
        raise InputError(f"not an image: {path.name} has no Pixel Data (7FE0,0010)", "file")
    for keyword in ("Rows", "Columns"):
        if not ds.get(keyword):
            raise InputError(f"not an image: {path.name} has no {keyword}", "file")
    spacing, spacing_source = pixel_spacing(ds)
    try:
        arr = ds.pixel_array
    except Exception as exc:
        syntax = getattr(ds.get("file_meta", Dataset()).get("TransferSyntaxUID"), "name", "unknown transfer syntax")
        detail = " ".join(str(exc).split())  # pydicom lists every plugin's failure on its own line: one line here
        raise InputError(
            f"pixel data of {path.name} ({syntax}) cannot be decoded: {detail}; export the image uncompressed "
            "(Explicit VR Little Endian) or in a lossless syntax that pydicom with pylibjpeg decodes",
            "file",
        ) from exc
    arr = np.asarray(arr, dtype=np.float64)
    n_frames = int(ds.get("NumberOfFrames", 1) or 1)
    if arr.ndim == 2:
        arr = arr[np.newaxis]
    if arr.ndim != 3 or arr.shape[0] != n_frames:
        raise InputError(f"pixel data of {path.name} has shape {arr.shape}, expected {n_frames} frame(s)", "file")
    slope = float(ds.get("RescaleSlope", 1.0) or 1.0)
    intercept = float(ds.get("RescaleIntercept", 0.0) or 0.0)
    if slope != 1.0 or intercept != 0.0:
        arr = arr * slope + intercept
    pointers = ds.get("FrameIncrementPointer")
    if pointers is not None and not isinstance(pointers, list | tuple | pydicom.multival.MultiValue):
        pointers = [pointers]
    inputs = {
        "file": path.name,
        "sop_instance_uid": str(ds.get("SOPInstanceUID", "")),
        "modality": modality,
        "manufacturer": str(ds.get("Manufacturer", "")),
        "station_name": str(ds.get("StationName", "")),
        "matrix": [int(ds.Rows), int(ds.Columns)],
        "number_of_frames": n_frames,
        "pixel_spacing_mm": list(spacing),
        "pixel_spacing_source": spacing_source,
        "frame_increment_pointer": [_VECTOR_NAMES.get(int(p), str(p)) for p in (pointers or [])],
    }
    return NMFrames(frames=arr, pixel_size_mm=spacing, dataset=ds, inputs=inputs)


def select_frame(
    stack: NMFrames, frame: int | None = None, detector: int | None = None, energy_window: int | None = None
) -> PlanarImage:
    """One frame: by 0-based index, or the first frame of the given detector / energy window (1-based, as in DICOM).

    With none given, frame 0. The chosen frame and how it was chosen are written to the inputs.
    """
    n = stack.frames.shape[0]
    how = "default frame 0"
    if detector is not None or energy_window is not None:
        if frame is not None:
            raise InputError("give either a frame index or a detector/energy window, not both", "frame")
        candidates = np.ones(n, dtype=bool)
        for keyword, wanted in (("DetectorVector", detector), ("EnergyWindowVector", energy_window)):
            if wanted is None:
                continue
            vec = stack.vector(keyword)
            if vec is None:
                raise InputError(f"no {keyword} in {stack.inputs['file']}: cannot choose by {keyword[:-6]}", keyword)
            candidates &= vec == int(wanted)
        hits = np.flatnonzero(candidates)
        if hits.size == 0:
            raise InputError(
                f"no frame with detector={detector} energy window={energy_window} in {stack.inputs['file']}",
                "detector",
            )
        index = int(hits[0])
        how = f"first frame of detector={detector}, energy window={energy_window}"
    else:
        index = 0 if frame is None else int(frame)
        if frame is not None:
            how = "frame index given"
    if not 0 <= index < n:
        raise InputError(f"frame {index} does not exist: {stack.inputs['file']} has {n} frame(s)", "frame")
    pixels = stack.frames[index]
    if not np.any(pixels):
        raise InputError(f"empty frame: frame {index} of {stack.inputs['file']} holds no counts", "frame")
    inputs = dict(stack.inputs)
    inputs["frame_index"] = index
    inputs["frame_selection"] = how
    for keyword, name in (("DetectorVector", "detector"), ("EnergyWindowVector", "energy_window")):
        vec = stack.vector(keyword)
        if vec is not None:
            inputs[name] = int(vec[index])
    return PlanarImage(pixels=pixels, pixel_size_mm=stack.pixel_size_mm, inputs=inputs, dataset=stack.dataset)


def nm_image_type(ds: Dataset) -> str:
    """Value 3 of Image Type (0008,0008) upper-cased (NM: STATIC, DYNAMIC, GATED, WHOLE BODY, TOMO, GATED TOMO,
    RECON TOMO, RECON GATED TOMO; PS3.3 C.8.4.6.1.1), or "" when absent."""
    value = ds.get("ImageType")
    if value is None:
        return ""
    parts = [value] if isinstance(value, str) else list(value)
    return str(parts[2]).strip().upper() if len(parts) >= 3 else ""


def is_reconstruction(stack: NMFrames) -> bool:
    """True for a reconstructed volume: Image Type RECON …, or frames indexed by the Slice Vector."""
    return nm_image_type(stack.dataset).startswith("RECON") or "SliceVector" in stack.inputs["frame_increment_pointer"]


def refuse_reconstruction(stack: NMFrames, needs: str) -> None:
    """An :class:`InputError` naming what the analysis ``needs`` when ``stack`` is a reconstructed volume."""
    if is_reconstruction(stack):
        kind = nm_image_type(stack.dataset) or "slice-indexed"
        raise InputError(
            f"{stack.inputs['file']} is a reconstructed SPECT volume ({kind}, {stack.frames.shape[0]} slices): "
            f"this analysis needs {needs}",
            "file",
        )


def read_planar(
    path: str | Path, frame: int | None = None, detector: int | None = None, energy_window: int | None = None
) -> PlanarImage:
    """Read one planar frame (see :func:`select_frame`); a reconstructed volume is refused."""
    stack = read_frames(path)
    refuse_reconstruction(stack, "a planar acquisition (Image Type STATIC, DYNAMIC or WHOLE BODY)")
    return select_frame(stack, frame=frame, detector=detector, energy_window=energy_window)


def frame_duration_s(ds: Dataset) -> float | None:
    """Actual Frame Duration (0018,1242) in seconds, or None."""
    value = ds.get("ActualFrameDuration")
    if value in (None, ""):
        return None
    return float(value) / 1000.0


def acquisition_start(ds: Dataset, tz: dt.tzinfo | None = None) -> dt.datetime | None:
    """Acquisition date and time as an aware datetime (offset from Timezone Offset From UTC or ``tz``)."""
    date = ds.get("AcquisitionDate") or ds.get("SeriesDate") or ds.get("StudyDate")
    time = ds.get("AcquisitionTime") or ds.get("SeriesTime") or ds.get("StudyTime")
    if not date or not time:
        return None
    text = str(time)
    whole, _, frac = text.partition(".")
    whole = whole.ljust(6, "0")
    micro = int((frac + "000000")[:6]) if frac else 0
    naive = dt.datetime(
        int(str(date)[:4]), int(str(date)[4:6]), int(str(date)[6:8]),
        int(whole[:2]), int(whole[2:4]), int(whole[4:6]), micro,
    )  # fmt: skip
    offset = ds.get("TimezoneOffsetFromUTC")
    if offset:
        sign = -1 if str(offset).startswith("-") else 1
        digits = str(offset).lstrip("+-")
        zone: dt.tzinfo = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))
    elif tz is not None:
        zone = tz
    else:
        return None
    return naive.replace(tzinfo=zone)
