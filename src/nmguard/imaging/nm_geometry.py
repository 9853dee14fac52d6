"""Geometry and times read from DICOM headers of reconstructed SPECT, PET and CT series.

Conventions (as in :mod:`nmguard.exchange.dicom.rtdose`): arrays are ``[z, y, x]``; ``spacing_mm = (dz, dy, dx)``;
``origin_mm = (x, y, z)`` is the patient (LPS) position of the centre of voxel [0, 0, 0]. Volumes are
axis-aligned (ImageOrientationPatient 1\\0\\0\\0\\1\\0). A multi-frame NM reconstruction tilted by less
than ``vendor_dicom.toml`` [tilt].max_deg (table sag, e.g. 0.4°) is resampled onto the axial grid by the study
reader, which reports the angle; more oblique grids are refused with an :class:`InputError` on field
``geometry``.

Times: a DICOM DT value may carry its own offset (``+0100``); otherwise the dataset's
TimezoneOffsetFromUTC (0008,0201) applies; without either the time is taken as UTC. All returned datetimes
are aware and in UTC.

Why one module of about 410 lines: one reader of the geometry every vendor layout needs (orientation, spacing, slice
order, tilt); split, the vendor cases would be read in several places.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import SimpleITK as sitk
from pydicom.dataset import Dataset

from nmguard.errors import InputError

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
_ORIENTATION_TOL = 1e-4
#: relative tolerance on slice positions: uneven spacing beyond this is refused (1 % of a slice)
SLICE_SPACING_TOL = 0.01

Geometry = tuple[tuple[float, float, float], tuple[float, float, float]]


def floats(ds: Dataset, keyword: str) -> list[float] | None:
    """The numeric values of ``keyword`` as floats; None when absent, empty or not numeric."""
    value = ds.get(keyword)
    if value is None or value == "":
        return None
    seq = [value] if isinstance(value, str) or not hasattr(value, "__iter__") else value
    try:
        out = [float(v) for v in seq]
    except (TypeError, ValueError):
        return None
    return out if all(math.isfinite(v) for v in out) else None


def check_axial(iop: Sequence[float] | None, where: str) -> None:
    """InputError unless the orientation is the axial 1\\0\\0\\0\\1\\0 (oblique grids are not supported)."""
    if iop is None or len(iop) != 6:
        raise InputError(f"{where}: ImageOrientationPatient is missing or not 6 values", field="geometry")
    if not np.allclose(iop, AXIAL, atol=_ORIENTATION_TOL):
        raise InputError(
            f"{where}: ImageOrientationPatient {list(iop)} is oblique or not axial; only 1\\0\\0\\0\\1\\0 is supported",
            field="geometry",
        )


def _pixel_spacing(ds: Dataset, where: str) -> tuple[float, float]:
    ps = floats(ds, "PixelSpacing")
    if ps is None or len(ps) != 2 or min(ps) <= 0:
        raise InputError(f"{where}: PixelSpacing is missing or not two positive values", field="geometry")
    return ps[0], ps[1]  # row spacing (along y), column spacing (along x)


def multiframe_nm_geometry(ds: Dataset, where: str, *, accept_small_tilt: bool = False) -> Geometry:
    """Geometry of a reconstructed multi-frame NM image (frames = slices along +z).

    Position and orientation come from DetectorInformationSequence item 1 (NM Image IOD, PS3.3 C.8.4.11),
    or from the top level where a vendor wrote them there; slice spacing from SpacingBetweenSlices, else
    SliceThickness. A negative SpacingBetweenSlices (slices stacked towards -z) is accepted and reversed by
    the caller through the sign of the returned dz: the caller flips the frames when dz < 0.

    With ``accept_small_tilt`` an orientation within ``vendor_dicom.toml`` [tilt].max_deg of axial is accepted;
    the geometry returned is then the axial grid through the first voxel onto which
    :func:`resample_tilted_to_axial` resamples the image.
    """
    spacing, origin, iop = multiframe_nm_grid(ds, where)
    if accept_small_tilt:
        check_small_tilt(iop, where)
    else:
        check_axial(iop, where)
    return spacing, origin


def multiframe_nm_grid(
    ds: Dataset, where: str
) -> tuple[tuple[float, float, float], tuple[float, float, float], list[float] | None]:
    """Like :func:`multiframe_nm_geometry` but without the axial check: (spacing, first voxel, orientation)."""
    source: Dataset = ds
    detector = ds.get("DetectorInformationSequence")
    if detector and "ImagePositionPatient" in detector[0]:
        source = detector[0]
    ipp = floats(source, "ImagePositionPatient")
    if ipp is None or len(ipp) != 3:
        raise InputError(f"{where}: ImagePositionPatient is missing (DetectorInformationSequence)", field="geometry")
    iop = floats(source, "ImageOrientationPatient")
    dy, dx = _pixel_spacing(ds, where)
    spacing = floats(ds, "SpacingBetweenSlices") or floats(ds, "SliceThickness")
    if not spacing or spacing[0] == 0:
        raise InputError(
            f"{where}: neither SpacingBetweenSlices nor SliceThickness gives the slice spacing", field="geometry"
        )
    return (spacing[0], dy, dx), (ipp[0], ipp[1], ipp[2]), iop


def slice_series_geometry(
    datasets: Sequence[Dataset], where: str, *, accept_small_tilt: bool = False
) -> tuple[list[Dataset], Geometry]:
    """Sort single-slice datasets (CT, PET) by z and return them with the grid; checks even spacing.

    With ``accept_small_tilt`` a series tilted within ``vendor_dicom.toml`` [tilt].max_deg is accepted and the
    grid returned is the axial one through its first voxel, onto which the study reader resamples it."""
    if accept_small_tilt:
        ordered, spacing, origin, _ = slice_series_grid(datasets, where)
        return ordered, (spacing, origin)
    if not datasets:
        raise InputError(f"{where}: no slices", field="geometry")
    first = datasets[0]
    dy, dx = _pixel_spacing(first, where)
    rows, cols = int(first.Rows), int(first.Columns)
    first_ipp = floats(first, "ImagePositionPatient") or [0.0, 0.0, 0.0]
    positions = []
    for ds in datasets:
        check_axial(floats(ds, "ImageOrientationPatient"), where)
        ipp = floats(ds, "ImagePositionPatient")
        if ipp is None or len(ipp) != 3:
            raise InputError(f"{where}: a slice has no ImagePositionPatient", field="geometry")
        if (int(ds.Rows), int(ds.Columns)) != (rows, cols) or _pixel_spacing(ds, where) != (dy, dx):
            raise InputError(f"{where}: slices differ in matrix size or pixel spacing", field="geometry")
        if abs(ipp[0] - first_ipp[0]) > 1e-3 * dx or abs(ipp[1] - first_ipp[1]) > 1e-3 * dy:
            raise InputError(f"{where}: slices are not stacked on one axis (x/y positions differ)", field="geometry")
        positions.append(ipp)
    order = np.argsort([p[2] for p in positions], kind="stable")
    z = np.array([positions[i][2] for i in order])
    dz = _slice_step(z, first, where)
    x0, y0 = positions[order[0]][0], positions[order[0]][1]
    return [datasets[i] for i in order], ((dz, dy, dx), (x0, y0, float(z[0])))


def slice_series_grid(
    datasets: Sequence[Dataset], where: str
) -> tuple[list[Dataset], tuple[float, float, float], tuple[float, float, float], list[float]]:
    """Like :func:`slice_series_geometry` for a series that may be tilted within ``vendor_dicom.toml``
    [tilt].max_deg: slices sorted along their normal, (dz, dy, dx), the first slice's position and the
    orientation. Resample with :func:`resample_tilted_to_axial` when the orientation is not axial."""
    if not datasets:
        raise InputError(f"{where}: no slices", field="geometry")
    first = datasets[0]
    dy, dx = _pixel_spacing(first, where)
    rows, cols = int(first.Rows), int(first.Columns)
    iop = floats(first, "ImageOrientationPatient")
    check_small_tilt(iop, where)
    assert iop is not None  # checked above
    normal = np.cross(np.asarray(iop[:3]), np.asarray(iop[3:]))
    first_ipp = np.asarray(floats(first, "ImagePositionPatient") or [0.0, 0.0, 0.0])
    depths = []
    for ds in datasets:
        other = floats(ds, "ImageOrientationPatient")
        if other is None or len(other) != 6 or not np.allclose(other, iop, atol=_ORIENTATION_TOL):
            raise InputError(f"{where}: slices differ in ImageOrientationPatient", field="geometry")
        ipp = floats(ds, "ImagePositionPatient")
        if ipp is None or len(ipp) != 3:
            raise InputError(f"{where}: a slice has no ImagePositionPatient", field="geometry")
        if (int(ds.Rows), int(ds.Columns)) != (rows, cols) or _pixel_spacing(ds, where) != (dy, dx):
            raise InputError(f"{where}: slices differ in matrix size or pixel spacing", field="geometry")
        offset = np.asarray(ipp) - first_ipp
        depth = float(offset @ normal)
        if np.linalg.norm(offset - depth * normal) > 1e-3 * min(dx, dy):
            raise InputError(
                f"{where}: slices are not stacked on one axis (positions leave the normal)", field="geometry"
            )
        depths.append(depth)
    order = np.argsort(depths, kind="stable")
    z = np.array([depths[i] for i in order])
    dz = _slice_step(z, first, where)
    start = first_ipp + z[0] * normal
    return [datasets[i] for i in order], (dz, dy, dx), (float(start[0]), float(start[1]), float(start[2])), iop


# --------------------------------------------------------------------------------------------- times

_OFFSET = re.compile(r"([+-])(\d{2})(\d{2})$")


def _zone(text: str | None) -> dt.tzinfo | None:
    if not text:
        return None
    m = _OFFSET.search(str(text).strip())
    if not m:
        return None
    sign = -1 if m.group(1) == "-" else 1
    return dt.timezone(sign * dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))


def parse_datetime(value: str, default_zone: dt.tzinfo | None = None) -> dt.datetime | None:
    """A DICOM DT (YYYYMMDDHHMMSS.FFFFFF&ZZXX) as an aware UTC datetime; None when unreadable."""
    text = str(value or "").strip()
    zone = _zone(text) if len(text) > 8 and text[-5] in "+-" else None
    if zone is not None:
        text = text[:-5]
    whole, _, frac = text.partition(".")
    if len(whole) < 8 or not whole.isdigit():
        return None
    whole = whole.ljust(14, "0")
    micro = int((frac + "000000")[:6]) if frac.isdigit() else 0
    try:
        naive = dt.datetime(
            int(whole[:4]),
            int(whole[4:6]),
            int(whole[6:8]),
            int(whole[8:10]),
            int(whole[10:12]),
            int(whole[12:14]),
            micro,
        )
    except ValueError:
        return None
    return naive.replace(tzinfo=zone or default_zone or dt.UTC).astimezone(dt.UTC)


def dataset_zone(ds: Dataset) -> dt.tzinfo:
    """TimezoneOffsetFromUTC of the dataset, UTC when absent."""
    return _zone(ds.get("TimezoneOffsetFromUTC")) or dt.UTC


def date_time(ds: Dataset, date_keyword: str, time_keyword: str, date: str | None = None) -> dt.datetime | None:
    """Combine a DA and a TM attribute (``date`` overrides the DA) in the dataset's zone."""
    day = date or ds.get(date_keyword)
    time = ds.get(time_keyword)
    if not day or not time:
        return None
    return parse_datetime(f"{str(day).strip()}{str(time).strip()}", dataset_zone(ds))


def acquisition_datetime(ds: Dataset) -> dt.datetime | None:
    """AcquisitionDateTime, else AcquisitionDate+Time, else SeriesDate+Time (aware, UTC)."""
    if ds.get("AcquisitionDateTime"):
        value = parse_datetime(ds.AcquisitionDateTime, dataset_zone(ds))
        if value is not None:
            return value
    return date_time(ds, "AcquisitionDate", "AcquisitionTime") or date_time(ds, "SeriesDate", "SeriesTime")


# --------------------------------------------------------------------------------------------- volumes


@dataclass(frozen=True, eq=False)
class Volume:
    """A 3-D image on an axis-aligned grid: ``array[z, y, x]`` (float64) with its place in the patient."""

    array: np.ndarray
    spacing_mm: tuple[float, float, float]
    origin_mm: tuple[float, float, float]
    frame_of_reference_uid: str = ""

    def __post_init__(self) -> None:
        array = np.ascontiguousarray(self.array, dtype=np.float64)
        if array.ndim != 3 or min(array.shape) < 1:
            raise InputError(f"a volume must be a 3-D array [z, y, x], not shape {array.shape}", field="array")
        spacing = tuple(float(v) for v in self.spacing_mm)
        origin = tuple(float(v) for v in self.origin_mm)
        if len(spacing) != 3 or not all(math.isfinite(v) and v > 0 for v in spacing):
            raise InputError(f"spacing_mm must be three positive numbers, not {self.spacing_mm!r}", field="spacing_mm")
        if len(origin) != 3 or not all(math.isfinite(v) for v in origin):
            raise InputError(f"origin_mm must be three finite numbers, not {self.origin_mm!r}", field="origin_mm")
        object.__setattr__(self, "array", array)
        object.__setattr__(self, "spacing_mm", spacing)
        object.__setattr__(self, "origin_mm", origin)

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.array.shape  # type: ignore[return-value]

    @property
    def voxel_volume_mL(self) -> float:
        dz, dy, dx = self.spacing_mm
        return dz * dy * dx / 1000.0

    def with_array(self, array: np.ndarray) -> Volume:
        """The same grid holding other values."""
        return Volume(array, self.spacing_mm, self.origin_mm, self.frame_of_reference_uid)

    def same_grid(self, other: Volume, tol_mm: float = 1e-3) -> bool:
        """True when both volumes have the same shape, spacing and origin (frame UID not compared)."""
        return (
            self.shape == other.shape
            and np.allclose(self.spacing_mm, other.spacing_mm, atol=tol_mm)
            and np.allclose(self.origin_mm, other.origin_mm, atol=tol_mm)
        )

    def axis_mm(self, axis: str) -> np.ndarray:
        """Patient coordinates (mm) of the voxel centres along ``"x"``, ``"y"`` or ``"z"``."""
        index = "xyz".index(axis)
        return self.origin_mm[index] + self.spacing_mm[2 - index] * np.arange(self.shape[2 - index])


def to_sitk(volume: Volume) -> sitk.Image:
    """SimpleITK image of the volume (sitk index order is x, y, z; direction identity)."""
    image = sitk.GetImageFromArray(volume.array)
    image.SetSpacing(tuple(reversed(volume.spacing_mm)))
    image.SetOrigin(volume.origin_mm)
    return image


def from_sitk(image: sitk.Image, frame_of_reference_uid: str = "") -> Volume:
    """Volume from an axis-aligned SimpleITK image."""
    if not np.allclose(image.GetDirection(), np.eye(3).ravel(), atol=_ORIENTATION_TOL):
        raise InputError("the image is not axis-aligned", field="geometry")
    return Volume(
        sitk.GetArrayFromImage(image).astype(np.float64),
        tuple(reversed(image.GetSpacing())),  # type: ignore[arg-type]
        image.GetOrigin(),  # type: ignore[arg-type]
        frame_of_reference_uid,
    )


# --------------------------------------------------------------------------------------------- tilted grids


def tilt_deg(iop: Sequence[float] | None, where: str) -> float:
    """The largest angle (degrees) between the image's row, column and slice-normal directions and the
    patient x, y and z axes; 0 for the axial 1\\0\\0\\0\\1\\0. InputError when the orientation is missing."""
    if iop is None or len(iop) != 6:
        raise InputError(f"{where}: ImageOrientationPatient is missing or not 6 values", field="geometry")
    row, col = np.asarray(iop[:3], float), np.asarray(iop[3:], float)
    if not (np.isclose(np.linalg.norm(row), 1, atol=1e-3) and np.isclose(np.linalg.norm(col), 1, atol=1e-3)):
        raise InputError(f"{where}: ImageOrientationPatient {list(iop)} is not two unit vectors", field="geometry")
    normal = np.cross(row, col)
    cosines = [row[0] / np.linalg.norm(row), col[1] / np.linalg.norm(col), normal[2] / np.linalg.norm(normal)]
    return float(np.degrees(np.arccos(np.clip(min(cosines), -1.0, 1.0))))


def check_small_tilt(iop: Sequence[float] | None, where: str) -> float:
    """The tilt (degrees) of an orientation within ``vendor_dicom.toml`` [tilt].max_deg of axial; InputError
    (field ``geometry``) naming the angle when it is more oblique."""
    from nmguard.reference.vendor_dicom import vendor_dicom

    angle = tilt_deg(iop, where)
    limit = vendor_dicom().max_tilt_deg
    if angle > limit.value:
        raise InputError(
            f"{where}: the image is oblique ({angle:.2f}° from the patient axes, ImageOrientationPatient "
            f"{[round(v, 5) for v in iop or ()]}); up to {limit.value:g}° is resampled onto the axial grid, more "
            f"is refused — reconstruct it axially",
            field="geometry",
        )
    return angle


def resample_tilted_to_axial(
    values: np.ndarray,
    spacing: tuple[float, float, float],
    first_voxel: Sequence[float],
    iop: Sequence[float],
    frame_of_reference_uid: str = "",
    axial_origin: Sequence[float] | None = None,
    outside: float = 0.0,
) -> Volume:
    """Values on a slightly tilted grid (``values[k, j, i]`` at first_voxel + i·dx·row + j·dy·col + k·dz·normal)
    resampled by linear interpolation onto the axial grid with the same shape and spacing whose first voxel is
    ``axial_origin`` (default: ``first_voxel``).

    A tilt of θ moves content by at most (extent × sin θ); voxels that fall outside the tilted grid take
    ``outside`` (0 for activity, −1000 HU for CT)."""
    row, col = np.asarray(iop[:3], float), np.asarray(iop[3:], float)
    row, col = row / np.linalg.norm(row), col / np.linalg.norm(col)
    normal = np.cross(row, col)
    dz, dy, dx = spacing
    image = sitk.GetImageFromArray(np.asarray(values, dtype=np.float64))
    image.SetSpacing((dx, dy, dz))
    image.SetOrigin(tuple(float(v) for v in first_voxel))
    image.SetDirection(tuple(np.column_stack([row, col, normal]).ravel()))
    target = tuple(float(v) for v in (first_voxel if axial_origin is None else axial_origin))
    axial = sitk.Resample(
        image,
        image.GetSize(),
        sitk.Transform(),
        sitk.sitkLinear,
        target,
        image.GetSpacing(),
        tuple(np.eye(3).ravel()),
        float(outside),
        sitk.sitkFloat64,
    )
    return Volume(sitk.GetArrayFromImage(axial), spacing, target, frame_of_reference_uid)  # type: ignore[arg-type]


def _slice_step(z: np.ndarray, first, where: str) -> float:
    """The slice spacing (mm) of sorted slice positions ``z``: even within SLICE_SPACING_TOL, or refused;
    a single slice takes SpacingBetweenSlices or SliceThickness."""
    if len(z) == 1:
        thickness = floats(first, "SpacingBetweenSlices") or floats(first, "SliceThickness") or [1.0]
        return abs(thickness[0])
    steps = np.diff(z)
    if np.any(steps <= 1e-6):
        raise InputError(f"{where}: two slices share the position {z[np.argmin(steps)]:.3f} mm", field="geometry")
    median = float(np.median(steps))
    if np.max(np.abs(steps - median)) > SLICE_SPACING_TOL * median:
        raise InputError(
            f"{where}: uneven slice spacing ({steps.min():.3f} to {steps.max():.3f} mm); resample it first",
            field="geometry",
        )
    return float((z[-1] - z[0]) / (len(z) - 1))
