"""Synthetic QC images with known truth, and a writer of real NM DICOM objects, for tests and benchmarks.

- :func:`flood` — uniform field (optionally Poisson, seeded) with planted squares of known size and contrast;
- :func:`line_sources` — parallel line sources with a Gaussian LSF of known FWHM (FWHM = 2·√(2 ln 2)·σ);
- :func:`point_source_projections` — SPECT projections of a point source with a known centre-of-rotation offset;
- :func:`uniform_cylinder` — a reconstructed uniform cylinder volume;
- :func:`write_nm` — NM (or PT) DICOM, single or multi-frame, pixel spacing at top level, in the Detector
  Information Sequence, or absent (to test the error path).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from math import erf, sqrt
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

NM_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.20"
PET_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.128"
FWHM_PER_SIGMA = 2.0 * sqrt(2.0 * np.log(2.0))  # 2.3548…

_erf = np.vectorize(erf)


@dataclass(frozen=True)
class Square:
    """A planted square: top-left (row, column) in pixels, side in pixels, relative contrast (0.2 = +20 %)."""

    row: int
    column: int
    side: int
    contrast: float


def flood(
    shape: tuple[int, int] = (256, 256),
    counts_per_pixel: float = 1000.0,
    squares: Sequence[Square] = (),
    poisson: bool = True,
    seed: int = 0,
    field: tuple[int, int, int, int] | None = None,
) -> np.ndarray:
    """A flood: ``counts_per_pixel`` everywhere in ``field`` (r0, r1, c0, c1 exclusive ends; default the matrix),
    zero outside, planted squares scaled by (1 + contrast); Poisson noise drawn with ``seed`` when asked."""
    expected = np.zeros(shape, dtype=np.float64)
    r0, r1, c0, c1 = field or (0, shape[0], 0, shape[1])
    expected[r0:r1, c0:c1] = counts_per_pixel
    for sq in squares:
        expected[sq.row : sq.row + sq.side, sq.column : sq.column + sq.side] *= 1.0 + sq.contrast
    if not poisson:
        return expected
    return np.random.default_rng(seed).poisson(expected).astype(np.float64)


def gaussian_pixel_integrals(centres: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    """Fraction of a unit Gaussian (mean ``mu``, SD ``sigma``) falling in the unit pixels centred at ``centres``."""
    z = lambda x: _erf((x - mu) / (sigma * sqrt(2.0)))  # noqa: E731
    return 0.5 * (z(centres + 0.5) - z(centres - 0.5))


def line_sources(
    shape: tuple[int, int] = (128, 256),
    pixel_mm: float = 0.5,
    fwhm_mm: float = 4.0,
    positions_mm: Sequence[float] = (32.0, 64.0, 96.0),
    peak_counts: float = 10_000.0,
    poisson: bool = False,
    seed: int = 0,
) -> np.ndarray:
    """Vertical line sources (constant along rows' direction) at x = ``positions_mm`` from the first column's centre,
    each a Gaussian LSF of ``fwhm_mm`` integrated over the pixel width."""
    sigma_px = fwhm_mm / FWHM_PER_SIGMA / pixel_mm
    cols = np.arange(shape[1], dtype=np.float64)
    profile = np.zeros(shape[1])
    for x_mm in positions_mm:
        profile += gaussian_pixel_integrals(cols, x_mm / pixel_mm, sigma_px)
    profile *= peak_counts / gaussian_pixel_integrals(np.array([0.0]), 0.0, sigma_px)[0]
    image = np.repeat(profile[np.newaxis, :], shape[0], axis=0)
    if poisson:
        image = np.random.default_rng(seed).poisson(image).astype(np.float64)
    return image


def point_source_projections(
    n_angles: int = 64,
    shape: tuple[int, int] = (64, 64),
    radius_px: float = 15.0,
    phase_deg: float = 30.0,
    cor_offset_px: float = 0.0,
    y_px: float = 30.3,
    sigma_px: float = 1.5,
    start_deg: float = 0.0,
    step_deg: float | None = None,
    peak_counts: float = 5000.0,
    poisson: bool = False,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Projections (n, rows, cols) and angles (degrees) of a point at ``radius_px`` from the axis of rotation, which
    projects at column (cols − 1)/2 + ``cor_offset_px``; x(θ) = centre + offset + R·sin(θ + phase)."""
    step = 360.0 / n_angles if step_deg is None else step_deg
    angles = start_deg + step * np.arange(n_angles)
    rows = np.arange(shape[0], dtype=np.float64)
    cols = np.arange(shape[1], dtype=np.float64)
    centre = (shape[1] - 1) / 2.0 + cor_offset_px
    py = gaussian_pixel_integrals(rows, y_px, sigma_px)
    norm = gaussian_pixel_integrals(np.array([0.0]), 0.0, sigma_px)[0] ** 2
    out = np.empty((n_angles,) + shape)
    for i, theta in enumerate(np.deg2rad(angles + phase_deg)):
        px = gaussian_pixel_integrals(cols, centre + radius_px * np.sin(theta), sigma_px)
        out[i] = np.outer(py, px) * (peak_counts / norm)
    if poisson:
        out = np.random.default_rng(seed).poisson(out).astype(np.float64)
    return out, angles


def uniform_cylinder(
    n_slices: int = 32,
    shape: tuple[int, int] = (64, 64),
    radius_px: float = 24.0,
    value: float = 1000.0,
    noise_sd: float = 0.0,
    cold_rod: tuple[float, float, float] | None = None,
    seed: int = 0,
) -> np.ndarray:
    """A reconstructed uniform cylinder (slices, rows, cols), optional Gaussian noise and a cold rod (row, col, r)."""
    rr, cc = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float64)
    cy, cx = (shape[0] - 1) / 2, (shape[1] - 1) / 2
    disc = ((rr - cy) ** 2 + (cc - cx) ** 2) <= radius_px**2
    slice_ = np.where(disc, value, 0.0)
    if cold_rod:
        r, c, rad = cold_rod
        slice_[((rr - r) ** 2 + (cc - c) ** 2) <= rad**2] = 0.0
    vol = np.repeat(slice_[np.newaxis], n_slices, axis=0)
    if noise_sd:
        vol = vol + np.random.default_rng(seed).normal(0.0, noise_sd, vol.shape) * (vol > 0)
    return np.clip(vol, 0, None)


def write_nm(
    path: str | Path,
    frames: np.ndarray,
    pixel_mm: float | tuple[float, float] | None = 1.6,
    spacing_location: str = "top",
    modality: str = "NM",
    detector_vector: Sequence[int] | None = None,
    energy_window_vector: Sequence[int] | None = None,
    angles_deg: np.ndarray | None = None,
    acquisition_start: dt.datetime | None = None,
    frame_duration_ms: float | None = None,
    image_type: str = "STATIC",
    with_pixels: bool = True,
) -> Path:
    """Write ``frames`` (2-D, or 3-D multi-frame) as an NM (or PT) DICOM file; returns the path.

    ``spacing_location``: "top" (PixelSpacing), "detector" (Detector Information Sequence only) or "none".
    Pixel values are rounded to uint16; scale floods so they fit.
    """
    path = Path(path)
    arr = np.asarray(frames, dtype=np.float64)
    multi = arr.ndim == 3
    if not multi:
        arr = arr[np.newaxis]
    n = arr.shape[0]
    if arr.max() > 65535:
        raise ValueError("pixel values above 65535 do not fit uint16")
    data = np.rint(arr).astype(np.uint16)

    meta = FileMetaDataset()
    sop_class = PET_IMAGE_STORAGE if modality == "PT" else NM_IMAGE_STORAGE
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = modality
    ds.Manufacturer = "NMGuard synthetic"
    ds.PatientName = "QC^Flood"
    ds.PatientID = "QC"
    ds.ImageType = ["ORIGINAL", "PRIMARY", image_type]
    start = acquisition_start or dt.datetime(2026, 3, 2, 7, 30, 0, tzinfo=dt.UTC)
    ds.AcquisitionDate = start.strftime("%Y%m%d")
    ds.AcquisitionTime = start.strftime("%H%M%S.%f")
    offset = start.utcoffset()
    if offset is not None:
        minutes = int(offset.total_seconds() // 60)
        sign = "-" if minutes < 0 else "+"
        ds.TimezoneOffsetFromUTC = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    if frame_duration_ms is not None:
        ds.ActualFrameDuration = int(round(frame_duration_ms))
    ds.Rows, ds.Columns = int(data.shape[1]), int(data.shape[2])
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    spacing = None
    if pixel_mm is not None:
        spacing = [float(pixel_mm), float(pixel_mm)] if np.isscalar(pixel_mm) else [float(v) for v in pixel_mm]
    if spacing and spacing_location == "top":
        ds.PixelSpacing = spacing
    detector_item = Dataset()
    if spacing and spacing_location == "detector":
        detector_item.PixelSpacing = spacing
    n_detectors = len(set(detector_vector)) if detector_vector is not None else 1
    ds.DetectorInformationSequence = DicomSequence([detector_item] + [Dataset() for _ in range(n_detectors - 1)])
    ds.NumberOfDetectors = n_detectors
    if modality == "NM" or multi or n > 1:  # the NM Multi-frame module is mandatory: NumberOfFrames 1 when single
        ds.NumberOfFrames = n
        pointers = []
        if energy_window_vector is not None:
            ds.EnergyWindowVector = [int(v) for v in energy_window_vector]
            ds.NumberOfEnergyWindows = len(set(energy_window_vector))
            pointers.append(0x00540010)
        if detector_vector is not None:
            ds.DetectorVector = [int(v) for v in detector_vector]
            pointers.append(0x00540020)
        if angles_deg is not None:
            ds.RotationVector = [1] * n
            ds.AngularViewVector = list(range(1, n + 1))
            pointers += [0x00540050, 0x00540090]
            rot = Dataset()
            rot.StartAngle = float(angles_deg[0])
            rot.AngularStep = float(angles_deg[1] - angles_deg[0]) if n > 1 else 0.0
            rot.RotationDirection = "CC"
            rot.NumberOfFramesInRotation = n
            ds.RotationInformationSequence = DicomSequence([rot])
        ds.FrameIncrementPointer = pointers or [0x00540010]
        if not pointers:
            ds.EnergyWindowVector = [1] * n
    if with_pixels:
        ds.PixelData = data.tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    pydicom.dcmwrite(path, ds, enforce_file_format=True)
    return path
