"""Synthetic PET phantoms with a known blur, written as real PET DICOM series (for tests, demos and the CLI).

Objects are voxelised with partial-volume fractions (boundary voxels supersampled ``supersample``³ times, or ²
for the extruded body outline) and blurred with an isotropic 3-D Gaussian of the given FWHM. The blur kernel is the
Gaussian integrated over each voxel (separable erf differences), which is the exact continuous blur of an object
that is uniform within each voxel: the only discretisation error is the sub-voxel shape of boundary voxels.

Analytic reference: a uniform ball of radius R blurred by an isotropic Gaussian σ has, at its centre, the value
P(|X| ≤ R) for X ~ N(0, σ²I₃), i.e. erf(R/(√2σ)) − √(2/π)(R/σ)exp(−R²/(2σ²)) (:func:`sphere_centre_recovery`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, ExplicitVRLittleEndian, generate_uid
from scipy.ndimage import convolve1d
from scipy.special import erf

from nmguard.qc.pet import phantom
from nmguard.qc.pet.series import PET_IMAGE_STORAGE, PetSeries

FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))


def sphere_centre_recovery(radius_mm: float, fwhm_mm: float) -> float:
    """Value at the centre of a unit-concentration ball of radius R after a 3-D Gaussian blur (cold surroundings)."""
    if fwhm_mm <= 0:
        return 1.0
    s = fwhm_mm / FWHM_PER_SIGMA
    x = radius_mm / s
    return float(erf(x / math.sqrt(2.0)) - math.sqrt(2.0 / math.pi) * x * math.exp(-x * x / 2.0))


def _as3(value) -> tuple[float, float, float]:
    if isinstance(value, int | float):
        return (float(value),) * 3
    out = tuple(float(v) for v in value)
    if len(out) != 3:
        raise ValueError("give one voxel size or three (slice, row, column)")
    return out  # type: ignore[return-value]


def gaussian_blur(volume: np.ndarray, spacing_mm: Sequence[float], fwhm_mm: float) -> np.ndarray:
    """Isotropic 3-D Gaussian blur, kernel integrated over each voxel; zero outside the volume."""
    if fwhm_mm <= 0:
        return volume.copy()
    sigma = fwhm_mm / FWHM_PER_SIGMA
    out = volume.astype(np.float64)
    for axis, h in enumerate(spacing_mm):
        half = int(math.ceil(5.0 * sigma / h)) + 1
        edges = (np.arange(-half, half + 2) - 0.5) * h / (math.sqrt(2.0) * sigma)
        kernel = 0.5 * np.diff(erf(edges))
        out = convolve1d(out, kernel / kernel.sum(), axis=axis, mode="constant", cval=0.0)
    return out


def _ball_fraction(shape, spacing, origin, centre, radius, supersample: int) -> tuple[tuple[slice, ...], np.ndarray]:
    """Fraction of each voxel inside a ball, on the ball's bounding box."""
    dz, dy, dx = spacing
    idx_c = [(centre[2] - origin[2]) / dz, (centre[1] - origin[1]) / dy, (centre[0] - origin[0]) / dx]
    sl = []
    for c, h, n in zip(idx_c, (dz, dy, dx), shape, strict=True):
        lo = max(int(math.floor(c - radius / h)) - 1, 0)
        hi = min(int(math.ceil(c + radius / h)) + 2, n)
        sl.append(slice(lo, hi))
    k, r, q = np.meshgrid(*(np.arange(s.start, s.stop) for s in sl), indexing="ij")
    z = origin[2] + k * dz - centre[2]
    y = origin[1] + r * dy - centre[1]
    x = origin[0] + q * dx - centre[0]
    d = np.sqrt(x * x + y * y + z * z)
    half_diag = 0.5 * math.sqrt(dx * dx + dy * dy + dz * dz)
    frac = (d <= radius - half_diag).astype(float)
    edge = np.abs(d - radius) < half_diag
    if np.any(edge):
        offs = (np.arange(supersample) + 0.5) / supersample - 0.5
        oz, oy, ox = np.meshgrid(offs * dz, offs * dy, offs * dx, indexing="ij")
        ez, ey, ex = z[edge][:, None], y[edge][:, None], x[edge][:, None]
        inside = ((ez + oz.ravel()) ** 2 + (ey + oy.ravel()) ** 2 + (ex + ox.ravel()) ** 2) <= radius * radius
        frac[edge] = inside.mean(axis=1)
    return tuple(sl), frac


@dataclass(frozen=True)
class SyntheticPhantom:
    volume: np.ndarray  # [slice, row, column] Bq/mL, at the series reference time
    spacing_mm: tuple[float, float, float]
    origin_mm: tuple[float, float, float]
    sphere_centres_mm: dict[int, tuple[float, float, float]] = field(default_factory=dict)
    sphere_concentration: float = 0.0
    background_concentration: float = 0.0
    fwhm_mm: float = 0.0
    ring_centre_mm: tuple[float, float, float] | None = None
    volume_mL: float | None = None  # cylinder phantoms: the filled volume

    def as_series(self, **facts) -> PetSeries:
        return PetSeries(
            volume=self.volume,
            spacing_mm=self.spacing_mm,
            origin_mm=self.origin_mm,
            row_cosine=(1.0, 0.0, 0.0),
            column_cosine=(0.0, 1.0, 0.0),
            **facts,
        )


def iec_phantom(
    *,
    voxel_mm: float | Sequence[float] = 2.0,
    fwhm_mm: float = 7.0,
    sphere_concentration: float = 20000.0,
    background_concentration: float | None = 2000.0,
    ring_centre_mm: Sequence[float] = (0.0, 0.0, 0.0),
    angle_deg: float = 90.0,
    clockwise: bool = False,
    axial_extent_mm: float = 110.0,
    lung_insert: bool = True,
    snap_spheres_to_voxels: bool = False,
    supersample: int = 5,
    noise_cov: float = 0.0,
    seed: int = 0,
) -> SyntheticPhantom:
    """An IEC-body-like phantom (spheres, body background, cold lung insert), blurred by a Gaussian of ``fwhm_mm``.

    The volume spans the whole body cross-section and ``axial_extent_mm`` centred on the sphere plane; the ring centre
    is a voxel centre. ``background_concentration`` None or 0 gives spheres in a cold body (no lung insert contrast).
    Sphere walls are not modelled. ``noise_cov`` adds Gaussian noise with that coefficient of variation.
    """
    spacing = _as3(voxel_mm)
    dz, dy, dx = spacing
    ring = np.asarray(ring_centre_mm, dtype=float)
    body = ring + np.array([0.0, phantom.LUNG_OFFSET_FROM_BODY_AXIS_MM, 0.0])  # anterior = −y
    margin = 3.0 * fwhm_mm + 10.0
    x_lo, x_hi = body[0] - phantom.BODY_TOP_RADIUS_MM - margin, body[0] + phantom.BODY_TOP_RADIUS_MM + margin
    y_lo, y_hi = body[1] - phantom.BODY_TOP_RADIUS_MM - margin, body[1] + phantom.BODY_BASE_RADIUS_MM + margin
    nx_lo, nx_hi = int(math.ceil((ring[0] - x_lo) / dx)), int(math.ceil((x_hi - ring[0]) / dx))
    ny_lo, ny_hi = int(math.ceil((ring[1] - y_lo) / dy)), int(math.ceil((y_hi - ring[1]) / dy))
    nz_half = int(math.ceil(axial_extent_mm / 2.0 / dz))
    shape = (2 * nz_half + 1, ny_lo + ny_hi + 1, nx_lo + nx_hi + 1)
    origin = (ring[0] - nx_lo * dx, ring[1] - ny_lo * dy, ring[2] - nz_half * dz)
    bg = float(background_concentration or 0.0)
    volume = np.zeros(shape)
    if bg > 0:
        offs = (np.arange(supersample) + 0.5) / supersample - 0.5
        xs = origin[0] + (np.arange(shape[2])[:, None] + offs[None, :]) * dx - body[0]
        ys = origin[1] + (np.arange(shape[1])[:, None] + offs[None, :]) * dy - body[1]
        u = xs[None, :, None, :]
        v = -ys[:, None, :, None]  # anterior positive
        inside = phantom.body_interior_mask(u, v)
        if lung_insert:
            lx = xs[None, :, None, :] + body[0] - ring[0]
            ly = ys[:, None, :, None] + body[1] - ring[1]
            inside &= lx * lx + ly * ly > phantom.LUNG_INSERT_OUTER_RADIUS_MM**2
        body_fraction = inside.mean(axis=(2, 3))  # [row, column]
        volume[:] = bg * body_fraction[None, :, :]
    centres = phantom.sphere_centres(ring, angle_deg, clockwise)
    placed = {}
    for d, c in centres.items():
        if snap_spheres_to_voxels:
            step = np.array([dx, dy, dz])
            c = np.asarray(origin) + np.round((c - np.asarray(origin)) / step) * step
        sl, frac = _ball_fraction(shape, spacing, origin, c, d / 2.0, supersample)
        volume[sl] = volume[sl] * (1.0 - frac) + sphere_concentration * frac
        placed[d] = tuple(float(v) for v in c)
    volume = gaussian_blur(volume, spacing, fwhm_mm)
    if noise_cov > 0:
        rng = np.random.default_rng(seed)
        volume = volume + rng.normal(0.0, 1.0, volume.shape) * noise_cov * np.maximum(volume, 0.0)
    return SyntheticPhantom(
        volume=volume,
        spacing_mm=spacing,
        origin_mm=origin,
        sphere_centres_mm=placed,
        sphere_concentration=sphere_concentration,
        background_concentration=bg,
        fwhm_mm=fwhm_mm,
        ring_centre_mm=tuple(float(v) for v in ring),
    )


def uniform_cylinder(
    *,
    concentration: float,
    diameter_mm: float = 200.0,
    length_mm: float = 180.0,
    voxel_mm: float | Sequence[float] = 4.0,
    fwhm_mm: float = 7.0,
    noise_cov: float = 0.0,
    seed: int = 0,
    supersample: int = 5,
) -> SyntheticPhantom:
    """A uniform cylinder along z centred at the origin; ``volume_mL`` is the exact filled volume π r² L."""
    spacing = _as3(voxel_mm)
    dz, dy, dx = spacing
    margin = 3.0 * fwhm_mm + 10.0
    r = diameter_mm / 2.0
    nxy = int(math.ceil((r + margin) / dx))
    nz = int(math.ceil((length_mm / 2.0 + margin) / dz))
    shape = (2 * nz + 1, 2 * nxy + 1, 2 * nxy + 1)
    origin = (-nxy * dx, -nxy * dy, -nz * dz)
    offs = (np.arange(supersample) + 0.5) / supersample - 0.5
    xs = origin[0] + (np.arange(shape[2])[:, None] + offs[None, :]) * dx
    ys = origin[1] + (np.arange(shape[1])[:, None] + offs[None, :]) * dy
    zs = origin[2] + (np.arange(shape[0])[:, None] + offs[None, :]) * dz
    disc = ((xs[None, :, None, :] ** 2 + ys[:, None, :, None] ** 2) <= r * r).mean(axis=(2, 3))
    axial = (np.abs(zs) <= length_mm / 2.0).mean(axis=1)
    volume = gaussian_blur(concentration * axial[:, None, None] * disc[None, :, :], spacing, fwhm_mm)
    if noise_cov > 0:
        rng = np.random.default_rng(seed)
        volume = volume + rng.normal(0.0, 1.0, volume.shape) * noise_cov * np.maximum(volume, 0.0)
    return SyntheticPhantom(
        volume=volume,
        spacing_mm=spacing,
        origin_mm=origin,
        fwhm_mm=fwhm_mm,
        background_concentration=concentration,
        volume_mL=math.pi * r * r * length_mm / 1000.0,
    )


F18_HALF_LIFE_S = 6586.2  # only a default for synthetic headers; the analyses read the header's value


def write_pet_series(
    volume: np.ndarray,
    spacing_mm: Sequence[float],
    origin_mm: Sequence[float],
    directory: str | Path,
    *,
    series_datetime: dt.datetime,
    injection_datetime: dt.datetime,
    injected_activity_Bq: float,
    half_life_s: float = F18_HALF_LIFE_S,
    decay_correction: str = "START",
    units: str = "BQML",
    patient_weight_kg: float = 70.0,
    series_description: str = "NMGuard synthetic phantom",
) -> list[Path]:
    """Write ``volume`` (Bq/mL, [slice,row,column], axial, +z per slice) as a PET Image series, one file per slice.

    Stored values are int16 with a per-slice RescaleSlope (max/32000); RadionuclideTotalDose in Bq (PET Image IOD).
    """
    out_dir = Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    study_uid, series_uid, frame_uid = generate_uid(), generate_uid(), generate_uid()
    dz, dy, dx = (float(v) for v in spacing_mm)
    paths = []
    for k in range(volume.shape[0]):
        plane = volume[k]
        top = float(np.max(np.abs(plane)))
        slope = top / 32000.0 if top > 0 else 1.0
        stored = np.round(plane / slope).astype(np.int16)
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = PET_IMAGE_STORAGE
        sop_uid = generate_uid()
        meta.MediaStorageSOPInstanceUID = sop_uid
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID = PET_IMAGE_STORAGE
        ds.SOPInstanceUID = sop_uid
        ds.Modality = "PT"
        ds.PatientName = "Phantom^IEC"
        ds.PatientID = "PHANTOM"
        ds.PatientWeight = f"{patient_weight_kg:g}"
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study_uid, series_uid, frame_uid
        ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = series_datetime.strftime("%Y%m%d")
        ds.SeriesTime = ds.AcquisitionTime = series_datetime.strftime("%H%M%S.%f")
        ds.SeriesDescription = series_description
        ds.SeriesNumber, ds.InstanceNumber = 1, k + 1
        ds.Units, ds.DecayCorrection = units, decay_correction
        ds.CorrectedImage = ["ATTN", "DECY", "SCAT"]
        ds.SeriesType = ["STATIC", "IMAGE"]
        item = Dataset()
        item.RadiopharmaceuticalStartDateTime = injection_datetime.strftime("%Y%m%d%H%M%S.%f")
        item.RadionuclideTotalDose = f"{injected_activity_Bq:.6g}"
        item.RadionuclideHalfLife = f"{half_life_s:g}"
        code = Dataset()
        code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = "C-111A1", "SRT", "^18^Fluorine"
        item.RadionuclideCodeSequence = [code]
        ds.RadiopharmaceuticalInformationSequence = [item]
        ds.ImagePositionPatient = [f"{origin_mm[0]:.4f}", f"{origin_mm[1]:.4f}", f"{origin_mm[2] + k * dz:.4f}"]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing = [f"{dy:.6g}", f"{dx:.6g}"]
        ds.SliceThickness = f"{dz:.6g}"
        ds.Rows, ds.Columns = plane.shape
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleSlope, ds.RescaleIntercept = f"{slope:.10g}", "0"
        ds.PixelData = stored.tobytes()
        path = out_dir / f"PT{k + 1:04d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths
