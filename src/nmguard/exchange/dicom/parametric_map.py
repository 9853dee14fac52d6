"""DICOM Parametric Map (SOP class 1.2.840.10008.5.1.4.1.1.30) for absorbed-dose maps: writer and reader.

Why a second format next to RT Dose (:mod:`nmguard.exchange.dicom.rtdose`): viewers and research tools that
read Parametric Maps (with their coded quantity and unit) often do not read RT Dose, and a Parametric Map
keeps the doses as 32-bit floats (FloatPixelData) with no integer quantisation.

Array convention: ``dose_Gy[z, y, x]``; ``spacing_mm = (dz, dy, dx)``; ``origin_mm = (x, y, z)`` of the
centre of voxel [0, 0, 0]; axis-aligned grid (1\\0\\0\\0\\1\\0), frames in increasing z at z0 + k·dz.

Encoding: FloatPixelData (float32), one Real World Value Mapping (slope 1, intercept 0) whose unit is UCUM
``Gy`` and whose quantity is DCM 128513 "Absorbed Dose" (CID 7180); both codes come from
``reference/data/dicom_codes.csv``. Decoded values equal ``float32(dose_Gy)``: relative error ≤ 2^-24.

Source images (what highdicom needs): highdicom builds the Parametric Map *from* its source images — it
copies patient, study and frame of reference from the first one and records each as a source/derivation
image — and refuses to build one without them. So the writer needs the reference-time-point SPECT/PET
datasets (header only is enough) the dose grid was computed on, and checks that the dose grid is that
grid. highdicom reads multi-frame geometry only from the functional groups of enhanced multi-frame images,
which a multi-frame NM image lacks (its position is in DetectorInformationSequence); for an NM source the
writer hands highdicom a header-only copy with that same geometry written as functional groups. The copy
keeps the NM file's SOP Class/Instance UIDs, so the references in the map point to the real NM instance
and its frames; the copy itself is never written.

The reader does not reuse the writer's code; it reads the attributes with pydicom.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset

from nmguard.errors import InputError
from nmguard.exchange.dicom.rtdose import _three, _uid
from nmguard.imaging.dicom_files import read_dicom, save_atomically
from nmguard.imaging.nm_geometry import check_axial, floats, multiframe_nm_geometry, slice_series_geometry
from nmguard.reference.dicom_codes import DicomCode, concept

PARAMETRIC_MAP_STORAGE = "1.2.840.10008.5.1.4.1.1.30"
NM_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.20"
_FLOAT32_MAX = float(np.finfo(np.float32).max)
#: a dose grid matches its source grid when positions and spacings agree within this fraction of a voxel
#: (source headers carry decimal strings of ~6 significant digits, so exact equality cannot be asked for)
GRID_MATCH_TOL = 1e-3
# Type 2 attributes that highdicom reads from the first source image with plain attribute access
_COPIED_TYPE2 = (
    "PatientName",
    "PatientBirthDate",
    "PatientSex",
    "AccessionNumber",
    "StudyID",
    "StudyDate",
    "StudyTime",
    "ReferringPhysicianName",
)


def _code(row: DicomCode):
    from pydicom.sr.coding import Code

    return Code(row.code, row.scheme, row.meaning)


def _check_dose(dose_Gy) -> np.ndarray:
    try:
        dose = np.asarray(dose_Gy, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("the dose map must be a numeric 3-D array [z, y, x]", field="dose_Gy") from None
    if dose.ndim != 3 or min(dose.shape) < 1:
        raise InputError(f"the dose map must be a 3-D array [z, y, x], not shape {dose.shape}", field="dose_Gy")
    if not np.all(np.isfinite(dose)):
        raise InputError("the dose map holds NaN or infinite values", field="dose_Gy")
    if np.any(dose < 0):
        raise InputError("the dose map holds negative doses", field="dose_Gy")
    if float(dose.max()) > _FLOAT32_MAX:
        raise InputError("the dose map holds values too large for 32-bit floats", field="dose_Gy")
    return dose


def _content_label(value: str) -> str:
    text = str(value).strip()
    if not text or len(text) > 16 or not all(c.isupper() or c.isdigit() or c in " _" for c in text):
        raise InputError(
            f"content label {value!r} must be 1-16 upper-case letters, digits, spaces or underscores",
            field="content_label",
        )
    return text


def _header(ds: Dataset) -> Dataset:
    """A header-only copy of ``ds`` with the type-2 attributes highdicom reads present (empty if absent)."""
    out = Dataset()
    for element in ds:
        if element.tag.group != 0x7FE0:  # no pixel data
            out.add(element)
    if hasattr(ds, "file_meta"):
        out.file_meta = ds.file_meta
    for keyword in _COPIED_TYPE2:
        if keyword not in out:
            setattr(out, keyword, "")
    return out


def _nm_descriptor(ds: Dataset, frames: int, spacing, origin) -> Dataset:
    """Header-only copy of a multi-frame NM image with its geometry as enhanced functional groups."""
    import highdicom as hd

    (dz, dy, dx), (x0, y0, z0) = spacing, origin
    out = _header(ds)
    shared = Dataset()
    shared.PixelMeasuresSequence = hd.PixelMeasuresSequence(
        pixel_spacing=(dy, dx), slice_thickness=abs(dz), spacing_between_slices=abs(dz)
    )
    shared.PlaneOrientationSequence = hd.PlaneOrientationSequence(
        coordinate_system="PATIENT", image_orientation=(1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    )
    out.SharedFunctionalGroupsSequence = [shared]
    per_frame = []
    for k in range(frames):
        item = Dataset()
        item.PlanePositionSequence = hd.PlanePositionSequence(
            coordinate_system="PATIENT", image_position=(x0, y0, z0 + k * dz)
        )
        per_frame.append(item)
    out.PerFrameFunctionalGroupsSequence = per_frame
    return out


def _source_grid(sources: Sequence[Dataset]) -> tuple[list[Dataset], tuple[int, int, int], tuple, tuple]:
    """highdicom-ready source headers, and the grid (shape, spacing, origin; dz > 0) they define."""
    where = "source_images"
    first = sources[0]
    frames = int(first.get("NumberOfFrames", 1) or 1)
    if first.get("SOPClassUID") == NM_IMAGE_STORAGE or frames > 1:
        if len(sources) != 1:
            raise InputError("give one multi-frame NM image as the source, not several", field="source_images")
        (dz, dy, dx), (x0, y0, z0) = multiframe_nm_geometry(first, where, accept_small_tilt=True)
        descriptor = _nm_descriptor(first, frames, (dz, dy, dx), (x0, y0, z0))
        if dz < 0:  # frames stacked towards -z: the grid starts at the last frame
            z0, dz = z0 + (frames - 1) * dz, -dz
        return [descriptor], (frames, int(first.Rows), int(first.Columns)), (dz, dy, dx), (x0, y0, z0)
    ordered, (spacing, origin) = slice_series_geometry(list(sources), where, accept_small_tilt=True)
    return [_header(ds) for ds in ordered], (len(ordered), int(first.Rows), int(first.Columns)), spacing, origin


def _check_sources(
    source_images, frame_of_reference_uid: str, study_instance_uid: str, patient_id: str, patient_name: str
) -> list[Dataset]:
    if source_images is None or len(source_images) == 0:
        raise InputError(
            "a parametric map must reference the images the dose was computed on: pass the reference "
            "time point's SPECT/PET datasets as source_images",
            field="source_images",
        )
    sources = list(source_images)
    if not all(isinstance(ds, Dataset) for ds in sources):
        raise InputError("source_images must be pydicom datasets", field="source_images")
    for keyword in ("SOPClassUID", "SOPInstanceUID", "SeriesInstanceUID", "Rows", "Columns"):
        if any(not ds.get(keyword) for ds in sources):
            raise InputError(f"a source image has no {keyword}", field="source_images")
    if len({ds.SeriesInstanceUID for ds in sources}) > 1:
        raise InputError("the source images come from more than one series", field="source_images")
    expected = {
        "FrameOfReferenceUID": (frame_of_reference_uid, "frame_of_reference_uid"),
        "StudyInstanceUID": (study_instance_uid, "study_instance_uid"),
        "PatientID": (str(patient_id).strip(), "patient_id"),
    }
    for keyword, (value, field) in expected.items():
        found = {str(ds.get(keyword, "")).strip() for ds in sources}
        if found != {value}:
            raise InputError(
                f"{field} {value!r} differs from the source images' {keyword} {sorted(found)}", field=field
            )
    name = str(patient_name).strip()
    source_name = str(sources[0].get("PatientName", "")).strip()
    if name and source_name and name.rstrip("^") != source_name.rstrip("^"):
        raise InputError(f"patient name {name!r} differs from the source images' {source_name!r}", field="patient_name")
    return sources


def _check_same_grid(shape, spacing, origin, src_shape, src_spacing, src_origin) -> None:
    if tuple(shape) != tuple(src_shape):
        raise InputError(
            f"the dose map's shape {tuple(shape)} is not the source images' grid {tuple(src_shape)}", field="dose_Gy"
        )
    tol = [GRID_MATCH_TOL * s for s in src_spacing]  # (dz, dy, dx)
    if any(abs(a - b) > t for a, b, t in zip(spacing, src_spacing, tol, strict=True)):
        raise InputError(
            f"spacing_mm {tuple(spacing)} is not the source images' spacing {tuple(src_spacing)}", field="spacing_mm"
        )
    tol_xyz = (tol[2], tol[1], tol[0])
    if any(abs(a - b) > t for a, b, t in zip(origin, src_origin, tol_xyz, strict=True)):
        raise InputError(
            f"origin_mm {tuple(origin)} is not the source images' origin {tuple(src_origin)}", field="origin_mm"
        )


def _frames_in_increasing_z(ds: Dataset) -> None:
    """Reorder frames (pixels with their per-frame groups) by increasing z; highdicom stores them decreasing.

    Each frame keeps its functional groups (position, dimension index, source frame reference), so the
    content is unchanged; only the order in which the frames are stored becomes that of ``dose_Gy``.
    """
    groups = list(ds.PerFrameFunctionalGroupsSequence)
    z = [float(g.PlanePositionSequence[0].ImagePositionPatient[2]) for g in groups]
    order = np.argsort(z, kind="stable")
    if np.array_equal(order, np.arange(len(z))):
        return
    frames = np.frombuffer(ds.FloatPixelData, dtype="<f4").reshape(len(z), -1)
    ds.FloatPixelData = np.ascontiguousarray(frames[order]).tobytes()
    ds.PerFrameFunctionalGroupsSequence = [groups[i] for i in order]


def write_dose_parametric_map(
    dose_Gy,
    spacing_mm: Sequence[float],
    origin_mm: Sequence[float],
    path: str | os.PathLike,
    *,
    source_images: Sequence[Dataset] | None = None,
    frame_of_reference_uid: str,
    study_instance_uid: str,
    patient_id: str,
    patient_name: str = "",
    series_description: str = "Absorbed dose",
    manufacturer: str = "NMGuard",
    content_label: str = "DOSE",
    series_instance_uid: str | None = None,
    sop_instance_uid: str | None = None,
    series_number: int = 1,
) -> Path:
    """Write ``dose_Gy[z, y, x]`` as a Parametric Map at ``path`` (atomically: temporary file, then rename).

    ``source_images`` (required in practice, see the module notes) are the datasets of the grid the dose
    was computed on: one multi-frame NM image or the PET slices of one series; patient, study and frame of
    reference must equal the given ones, and the dose grid must be their grid.
    """
    import highdicom as hd

    from nmguard import __version__

    dose = _check_dose(dose_Gy)
    spacing = _three(spacing_mm, "spacing_mm", positive=True)
    origin = _three(origin_mm, "origin_mm", positive=False)
    if not str(patient_id).strip():
        raise InputError("a patient ID is needed", field="patient_id")
    for_uid = _uid(frame_of_reference_uid, "frame_of_reference_uid")
    study_uid = _uid(study_instance_uid, "study_instance_uid")
    series_uid = _uid(series_instance_uid, "series_instance_uid")
    sop_uid = _uid(sop_instance_uid, "sop_instance_uid")
    label = _content_label(content_label)
    if not isinstance(series_number, int) or series_number < 1:
        raise InputError(f"series number must be a positive integer, not {series_number!r}", field="series_number")
    sources = _check_sources(source_images, for_uid, study_uid, patient_id, patient_name)
    headers, src_shape, src_spacing, src_origin = _source_grid(sources)
    _check_same_grid(dose.shape, spacing, origin, src_shape, src_spacing, src_origin)

    pixels = dose.astype(np.float32)
    top = float(pixels.max())
    dz, dy, dx = spacing
    x0, y0, z0 = origin
    unit, quantity = concept("unit_gy"), concept("absorbed_dose")
    mapping = hd.pm.RealWorldValueMapping(
        lut_label=label,
        lut_explanation="Absorbed dose (Gy)",
        unit=_code(unit),
        value_range=(0.0, top),
        slope=1,
        intercept=0,
        quantity_definition=_code(quantity),
    )
    window = hd.VOILUTTransformation(window_center=top / 2 if top > 0 else 0.5, window_width=top if top > 0 else 1.0)
    try:
        pm = hd.pm.ParametricMap(
            source_images=headers,
            pixel_array=pixels,
            series_instance_uid=series_uid,
            series_number=series_number,
            sop_instance_uid=sop_uid,
            instance_number=1,
            manufacturer=str(manufacturer)[:64],
            manufacturer_model_name="NMGuard",
            software_versions=str(__version__)[:64],
            device_serial_number="none",
            contains_recognizable_visual_features=False,
            real_world_value_mappings=[mapping],
            voi_lut_transformations=[window],
            pixel_measures=hd.PixelMeasuresSequence(
                pixel_spacing=(dy, dx), slice_thickness=dz, spacing_between_slices=dz
            ),
            plane_orientation=hd.PlaneOrientationSequence(
                coordinate_system="PATIENT", image_orientation=(1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
            ),
            plane_positions=[
                hd.PlanePositionSequence(coordinate_system="PATIENT", image_position=(x0, y0, z0 + k * dz))
                for k in range(dose.shape[0])
            ],
            content_label=label,
            content_description="Absorbed dose in Gy",
            series_description=str(series_description)[:64],
        )
    except (ValueError, TypeError) as exc:  # highdicom refusing the sources or the values
        raise InputError(f"the parametric map could not be built: {exc}", field="source_images") from exc
    _frames_in_increasing_z(pm)

    return save_atomically(pm, path, prefix=".pmap-")


# --------------------------------------------------------------------------------------------- reader


def _bad(path: Path, what: str) -> InputError:
    return InputError(f"{path.name}: {what}", field="path")


def _mapping(ds: Dataset, path: Path) -> tuple[float, float]:
    """Slope and intercept of the shared real-world value mapping, which must be in Gy (UCUM)."""
    groups = ds.get("SharedFunctionalGroupsSequence")
    items = groups[0].get("RealWorldValueMappingSequence") if groups else None
    if not items:
        raise _bad(path, "no shared RealWorldValueMappingSequence")
    item = items[0]
    units = item.get("MeasurementUnitsCodeSequence")
    if not units or (units[0].get("CodingSchemeDesignator"), units[0].get("CodeValue")) != ("UCUM", "Gy"):
        raise _bad(path, "the real-world value unit is not Gy (UCUM)")
    if "RealWorldValueLUTData" in item:
        raise _bad(path, "a look-up-table real-world value mapping is not supported")
    return float(item.get("RealWorldValueSlope", 1.0)), float(item.get("RealWorldValueIntercept", 0.0))


def read_dose_parametric_map(path: str | os.PathLike) -> tuple[np.ndarray, tuple[float, float, float], tuple]:
    """``(dose_Gy[z, y, x], spacing_mm (dz, dy, dx), origin_mm (x, y, z))`` of a dose Parametric Map.

    Frames are sorted by increasing z; the grid must be axial with evenly spaced frames.
    """
    p = Path(path)
    ds = read_dicom(p, field="path", what="Parametric Map")
    if ds.get("SOPClassUID") != PARAMETRIC_MAP_STORAGE:
        raise _bad(p, f"SOP class {ds.get('SOPClassUID')!r} is not Parametric Map Storage")
    frames, rows, cols = int(ds.get("NumberOfFrames", 1) or 1), int(ds.Rows), int(ds.Columns)
    if "FloatPixelData" in ds:
        raw = np.frombuffer(ds.FloatPixelData, dtype="<f4")
    elif "DoubleFloatPixelData" in ds:
        raw = np.frombuffer(ds.DoubleFloatPixelData, dtype="<f8")
    else:
        raise _bad(p, "no float pixel data (integer parametric maps are not read)")
    if raw.size != frames * rows * cols:
        raise _bad(p, f"pixel data holds {raw.size} values for {frames}×{rows}×{cols}")
    slope, intercept = _mapping(ds, p)
    values = raw.reshape(frames, rows, cols).astype(np.float64) * slope + intercept

    shared = ds.SharedFunctionalGroupsSequence[0]
    per_frame = ds.get("PerFrameFunctionalGroupsSequence") or []
    orientation = shared.get("PlaneOrientationSequence")
    check_axial(floats(orientation[0], "ImageOrientationPatient") if orientation else None, p.name)
    measures = shared.get("PixelMeasuresSequence")
    ps = floats(measures[0], "PixelSpacing") if measures else None
    if ps is None or len(ps) != 2 or min(ps) <= 0:
        raise _bad(p, "PixelSpacing is missing or not two positive values")
    if len(per_frame) != frames:
        raise _bad(p, f"{len(per_frame)} per-frame functional groups for {frames} frames")
    positions = []
    for item in per_frame:
        seq = item.get("PlanePositionSequence")
        ipp = floats(seq[0], "ImagePositionPatient") if seq else None
        if ipp is None or len(ipp) != 3:
            raise _bad(p, "a frame has no ImagePositionPatient")
        positions.append(ipp)
    xyz = np.array(positions)
    order = np.argsort(xyz[:, 2], kind="stable")
    xyz, values = xyz[order], values[order]
    if np.ptp(xyz[:, 0]) > 1e-3 * ps[1] or np.ptp(xyz[:, 1]) > 1e-3 * ps[0]:
        raise _bad(p, "frames are not stacked along z (x/y positions differ)")
    if frames > 1:
        steps = np.diff(xyz[:, 2])
        dz = float((xyz[-1, 2] - xyz[0, 2]) / (frames - 1))
        if np.any(steps <= 0) or np.max(np.abs(steps - dz)) > 1e-3 * dz:
            raise _bad(p, "frame positions are not evenly spaced along z")
    else:
        thickness = floats(measures[0], "SpacingBetweenSlices") or floats(measures[0], "SliceThickness")
        if not thickness or not math.isfinite(thickness[0]) or thickness[0] <= 0:
            raise _bad(p, "one frame and no slice spacing")
        dz = float(thickness[0])
    return values, (dz, ps[0], ps[1]), (float(xyz[0, 0]), float(xyz[0, 1]), float(xyz[0, 2]))
