"""Volumes of interest on a reference grid: from DICOM SEG, from RTSTRUCT contours, and by threshold.

All masks are boolean ``[z, y, x]`` arrays on the ``reference`` volume's grid.

* SEG (PS3.3 C.8.20): each segment's frames are placed at their PlanePositionSequence positions on the SEG's
  own axis-aligned grid, then brought onto the reference grid by linear interpolation of the 0/1 mask and a
  0.5 cut. Where the SEG grid is the reference grid this reproduces the stored mask exactly. FRACTIONAL
  segmentations are cut at half of MaximumFractionalValue.
* RTSTRUCT (PS3.3 C.8.8.6): CLOSED_PLANAR contours are rasterised per reference slice: a voxel is inside
  when its centre is inside the polygon (even-odd rule, so a contour inside another is a hole). Each
  reference slice uses the contour plane nearest to it, if that plane lies within half a slice (of the
  reference or of the contour spacing, whichever is larger).
* A ``transform`` (SimpleITK, ITK convention: maps reference points to the points of the ROI's own frame,
  as :func:`nmguard.imaging.registration.register_time_points` gives) maps ROIs drawn on a later time point:
  contour points go through its inverse; SEG masks are resampled through it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import SimpleITK as sitk
from matplotlib.path import Path as PolygonPath
from pydicom.dataset import Dataset
from scipy import ndimage

from nmguard.errors import InputError
from nmguard.imaging.dicom_files import read_dicom
from nmguard.imaging.nm_geometry import Volume, check_axial, floats, to_sitk

SEG_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4"
RTSTRUCT_STORAGE = "1.2.840.10008.5.1.4.1.1.481.3"

TransformArg = sitk.Transform | Mapping[str, sitk.Transform] | None


def _dataset(source: str | os.PathLike | Dataset, what: str) -> Dataset:
    if isinstance(source, Dataset):
        return source
    return read_dicom(source, field="voi", what=f"{what} file")


def _pick_transform(transform: TransformArg, frame_uid: str, reference: Volume, what: str) -> sitk.Transform | None:
    """None when the ROI is on the reference frame; else the transform that applies; InputError if none does."""
    if not frame_uid or frame_uid == reference.frame_of_reference_uid:
        return None
    if isinstance(transform, sitk.Transform):
        return transform
    if isinstance(transform, Mapping) and frame_uid in transform:
        return transform[frame_uid]
    raise InputError(
        f"{what} is drawn on frame of reference {frame_uid}, which is not the reference frame "
        f"{reference.frame_of_reference_uid} and no registration transform was given for it",
        field="voi",
    )


def resample_mask(mask: Volume, reference: Volume, transform: sitk.Transform | None = None) -> np.ndarray:
    """A 0/1 mask on another grid brought onto ``reference``'s grid (linear interpolation, cut at 0.5)."""
    moved = sitk.Resample(
        to_sitk(mask), to_sitk(reference), transform or sitk.Transform(), sitk.sitkLinear, 0.0, sitk.sitkFloat64
    )
    return sitk.GetArrayFromImage(moved) >= 0.5


# --------------------------------------------------------------------------------------------- SEG


@dataclass(frozen=True)
class Segment:
    number: int
    label: str
    mask: Volume  # 0/1 on the SEG's own grid


def seg_segments(source: str | os.PathLike | Dataset) -> tuple[str, list[Segment]]:
    """(frame of reference UID, segments) of a DICOM SEG, each on the SEG's own grid."""
    ds = _dataset(source, "SEG")
    where = f"SEG {getattr(source, 'filename', None) or source}"
    if ds.get("SOPClassUID") != SEG_STORAGE:
        raise InputError(f"{where} is not a Segmentation Storage object", field="voi")
    shared = ds.SharedFunctionalGroupsSequence[0] if ds.get("SharedFunctionalGroupsSequence") else Dataset()
    per_frame = ds.get("PerFrameFunctionalGroupsSequence") or []
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if len(per_frame) != frames:
        raise InputError(f"{where}: {len(per_frame)} per-frame groups for {frames} frames", field="voi")
    try:
        pixels = np.asarray(ds.pixel_array).reshape(frames, int(ds.Rows), int(ds.Columns))
    except (AttributeError, KeyError, ValueError, TypeError, RuntimeError, NotImplementedError) as exc:
        raise InputError(f"{where}: the pixel data cannot be read ({exc})", field="voi") from None
    if str(ds.get("SegmentationType", "BINARY")).upper() == "FRACTIONAL":
        pixels = pixels >= 0.5 * float(ds.get("MaximumFractionalValue", 255))
    else:
        pixels = pixels > 0

    def group(item: Dataset, keyword: str) -> Dataset:
        seq = item.get(keyword) or shared.get(keyword)
        if not seq:
            raise InputError(f"{where}: {keyword} is missing", field="voi")
        return seq[0]

    positions, numbers = [], []
    for item in per_frame:
        check_axial(floats(group(item, "PlaneOrientationSequence"), "ImageOrientationPatient"), where)
        ipp = floats(group(item, "PlanePositionSequence"), "ImagePositionPatient")
        if ipp is None or len(ipp) != 3:
            raise InputError(f"{where}: a frame has no ImagePositionPatient", field="voi")
        positions.append(ipp)
        numbers.append(int(group(item, "SegmentIdentificationSequence").ReferencedSegmentNumber))
    measures = group(per_frame[0], "PixelMeasuresSequence")
    dy, dx = floats(measures, "PixelSpacing") or [0.0, 0.0]
    z_all = np.unique(np.round([p[2] for p in positions], 3))
    dz = float(np.min(np.diff(z_all))) if len(z_all) > 1 else 0.0
    dz = (floats(measures, "SpacingBetweenSlices") or floats(measures, "SliceThickness") or [dz])[0] or 1.0
    x0, y0 = positions[0][0], positions[0][1]
    nz = int(round((z_all[-1] - z_all[0]) / dz)) + 1
    labels = {
        int(s.SegmentNumber): str(s.get("SegmentLabel", f"segment {s.SegmentNumber}"))
        for s in ds.get("SegmentSequence") or []
    }
    arrays = {n: np.zeros((nz, int(ds.Rows), int(ds.Columns))) for n in labels}
    for frame, (ipp, number) in enumerate(zip(positions, numbers, strict=True)):
        if number not in arrays:
            raise InputError(
                f"{where}: frame {frame + 1} refers to segment {number}, not in SegmentSequence", field="voi"
            )
        if abs(ipp[0] - x0) > 1e-3 * dx or abs(ipp[1] - y0) > 1e-3 * dy:
            raise InputError(f"{where}: frames are not stacked on one axis", field="voi")
        k = int(round((ipp[2] - z_all[0]) / dz))
        arrays[number][k] = np.maximum(arrays[number][k], pixels[frame])
    frame_uid = str(ds.get("FrameOfReferenceUID", ""))
    segments = [
        Segment(n, labels[n], Volume(a, (dz, dy, dx), (x0, y0, float(z_all[0])), frame_uid))
        for n, a in sorted(arrays.items())
    ]
    return frame_uid, segments


def read_seg(
    path: str | os.PathLike | Dataset, reference: Volume, transform: TransformArg = None
) -> dict[str, np.ndarray]:
    """Segment label -> boolean mask on ``reference``'s grid (see the module notes)."""
    frame_uid, segments = seg_segments(path)
    chosen = _pick_transform(transform, frame_uid, reference, f"SEG {path}")
    return {s.label: resample_mask(s.mask, reference, chosen) for s in segments}


# --------------------------------------------------------------------------------------------- RTSTRUCT


@dataclass(frozen=True)
class RoiContours:
    number: int
    name: str
    frame_of_reference_uid: str
    contours: tuple[np.ndarray, ...]  # each (n, 3) patient x, y, z in mm


def rtstruct_rois(source: str | os.PathLike | Dataset) -> list[RoiContours]:
    """The closed planar contours of every ROI in an RT Structure Set."""
    ds = _dataset(source, "RTSTRUCT")
    where = f"RTSTRUCT {getattr(source, 'filename', None) or source}"
    if ds.get("SOPClassUID") != RTSTRUCT_STORAGE:
        raise InputError(f"{where} is not an RT Structure Set", field="voi")
    info = {
        int(r.ROINumber): (str(r.get("ROIName", f"ROI {r.ROINumber}")), str(r.get("ReferencedFrameOfReferenceUID", "")))
        for r in ds.get("StructureSetROISequence") or []
    }
    rois = []
    for item in ds.get("ROIContourSequence") or []:
        number = int(item.ReferencedROINumber)
        if number not in info:
            raise InputError(f"{where}: contour for ROI {number}, which StructureSetROISequence lacks", field="voi")
        contours = []
        for contour in item.get("ContourSequence") or []:
            if str(contour.get("ContourGeometricType", "CLOSED_PLANAR")).upper() != "CLOSED_PLANAR":
                continue
            points = np.asarray(floats(contour, "ContourData") or [], dtype=np.float64)
            if points.size < 9 or points.size % 3:
                raise InputError(f"{where}: ROI {number} has a contour with {points.size} coordinates", field="voi")
            contours.append(points.reshape(-1, 3))
        name, frame_uid = info[number]
        rois.append(RoiContours(number, name, frame_uid, tuple(contours)))
    return rois


def rasterise_contours(
    contours: tuple[np.ndarray, ...], reference: Volume, transform: sitk.Transform | None = None
) -> np.ndarray:
    """Boolean mask of the voxels whose centres lie inside the closed planar contours (see the module notes)."""
    mask = np.zeros(reference.shape, dtype=bool)
    if not contours:
        return mask
    inverse = transform.GetInverse() if transform is not None else None
    dz, dy, dx = reference.spacing_mm
    x0, y0, z0 = reference.origin_mm
    mapped = [np.array([inverse.TransformPoint(tuple(p)) for p in c]) if inverse else c for c in contours]
    plane_z = np.array([float(np.mean(c[:, 2])) for c in mapped])
    levels = np.unique(np.round(plane_z, 2))
    level_step = float(np.median(np.diff(levels))) if len(levels) > 1 else dz
    tolerance = max(dz, level_step) / 2 + 1e-3
    yy, xx = np.mgrid[0 : reference.shape[1], 0 : reference.shape[2]]
    for k in range(reference.shape[0]):
        z = z0 + k * dz
        nearest = levels[np.argmin(np.abs(levels - z))]
        if abs(nearest - z) > tolerance:
            continue
        for c, cz in zip(mapped, plane_z, strict=True):
            if abs(round(cz, 2) - nearest) > 1e-6:
                continue
            cols, rows = (c[:, 0] - x0) / dx, (c[:, 1] - y0) / dy
            r0, r1 = max(int(np.floor(rows.min())), 0), min(int(np.ceil(rows.max())) + 1, reference.shape[1])
            c0, c1 = max(int(np.floor(cols.min())), 0), min(int(np.ceil(cols.max())) + 1, reference.shape[2])
            if r0 >= r1 or c0 >= c1:
                continue
            centres = np.column_stack([xx[r0:r1, c0:c1].ravel(), yy[r0:r1, c0:c1].ravel()])
            inside = PolygonPath(np.column_stack([cols, rows])).contains_points(centres).reshape(r1 - r0, c1 - c0)
            mask[k, r0:r1, c0:c1] ^= inside
    return mask


def read_rtstruct(
    path: str | os.PathLike | Dataset, reference: Volume, transform: TransformArg = None
) -> dict[str, np.ndarray]:
    """ROI name -> boolean mask on ``reference``'s grid. ``transform``: one SimpleITK transform for the ROIs
    not on the reference frame, or a mapping frame-of-reference UID -> transform (one per time point)."""
    out: dict[str, np.ndarray] = {}
    for roi in rtstruct_rois(path):
        chosen = _pick_transform(transform, roi.frame_of_reference_uid, reference, f"ROI '{roi.name}' in {path}")
        out[roi.name] = rasterise_contours(roi.contours, reference, chosen)
    return out


# --------------------------------------------------------------------------------------------- threshold


def threshold_voi(
    volume: Volume | np.ndarray, fraction_of_max: float, seed_mask: np.ndarray | None = None
) -> np.ndarray:
    """Voxels at or above ``fraction_of_max`` of the maximum.

    Without a seed: every such voxel. With a seed mask: the maximum is taken inside the seed, and only the
    connected regions (26-connectivity) of above-threshold voxels that touch the seed are kept, so that a
    hotter neighbour does not set the level or join the VOI unless it is connected.
    """
    values = volume.array if isinstance(volume, Volume) else np.asarray(volume, dtype=np.float64)
    if values.ndim != 3:
        raise InputError(f"threshold_voi needs a 3-D volume, not shape {values.shape}", field="volume")
    try:
        fraction = float(fraction_of_max)
    except (TypeError, ValueError):
        message = f"fraction_of_max must be a number, not {fraction_of_max!r}"
        raise InputError(message, field="fraction_of_max") from None
    if not 0 < fraction <= 1:
        raise InputError(f"fraction_of_max must be in (0, 1], not {fraction_of_max!r}", field="fraction_of_max")
    if seed_mask is None:
        peak = float(values.max())
        if peak <= 0:
            raise InputError("the volume has no positive value to threshold", field="volume")
        return values >= fraction * peak
    seed = np.asarray(seed_mask, dtype=bool)
    if seed.shape != values.shape:
        raise InputError(f"seed_mask shape {seed.shape} differs from the volume {values.shape}", field="seed_mask")
    if not seed.any():
        raise InputError("seed_mask is empty", field="seed_mask")
    peak = float(values[seed].max())
    if peak <= 0:
        raise InputError("the volume has no positive value inside the seed mask", field="seed_mask")
    labels, _ = ndimage.label(values >= fraction * peak, structure=np.ones((3, 3, 3), dtype=bool))
    keep = np.unique(labels[seed & (labels > 0)])
    return np.isin(labels, keep)
