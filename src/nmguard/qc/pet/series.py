"""Read a PET DICOM series (one file per slice, Units BQML) into a 3-D volume with its geometry and decay facts.

The volume is indexed ``[slice, row, column]`` in the order of increasing position along the slice normal
(row cosine × column cosine, DICOM PS3.3 C.7.6.2). Spacing is ``(slice, row, column)`` in mm: the slice step
comes from the ImagePositionPatient projections (never from SliceThickness), rows and columns from PixelSpacing.
Pixel values are ``stored × RescaleSlope + RescaleIntercept`` per slice (the slope may vary per slice, GE).

Decay facts follow REFERENCE_DATA.md §9.2/§9.3: RadionuclideTotalDose is in Bq for the (classic) PET Image IOD;
RadiopharmaceuticalStartDateTime is preferred over RadiopharmaceuticalStartTime (+ SeriesDate); the scan reference
time for DecayCorrection START is SeriesDate/SeriesTime (QIBA), unless that is after the earliest acquisition time.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pydicom
from pydicom.errors import InvalidDicomError

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError

PET_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.128"
ENHANCED_PET_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.130"
LEGACY_ENHANCED_PET_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.128.1"
SUPPORTED_UNITS = ("BQML",)
DECAY_CORRECTIONS = ("START", "ADMIN", "NONE")


@dataclass(frozen=True)
class PetSeries:
    """A PET volume in Bq/mL with the geometry and the facts needed for decay correction."""

    volume: np.ndarray  # [slice, row, column], Bq/mL
    spacing_mm: tuple[float, float, float]  # (slice step, row spacing, column spacing)
    origin_mm: tuple[float, float, float]  # ImagePositionPatient of the first slice (x, y, z)
    row_cosine: tuple[float, float, float]  # direction of increasing column index
    column_cosine: tuple[float, float, float]  # direction of increasing row index
    units: str = "BQML"
    decay_correction: str = "START"
    series_datetime: dt.datetime | None = None
    acquisition_datetime: dt.datetime | None = None  # earliest over the slices
    injection_datetime: dt.datetime | None = None
    injected_activity_Bq: float | None = None
    half_life_s: float | None = None
    nuclide: str | None = None
    patient_weight_kg: float | None = None
    series_instance_uid: str | None = None
    sop_instance_uids: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    corrected_image: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def normal(self) -> np.ndarray:
        return np.cross(np.asarray(self.row_cosine), np.asarray(self.column_cosine))

    @property
    def voxel_volume_mL(self) -> float:
        return float(np.prod(self.spacing_mm)) / 1000.0

    def index_to_patient(self, index: Sequence[float]) -> np.ndarray:
        """(slice, row, column) index (fractional allowed) → patient coordinates (mm)."""
        k, r, c = (float(v) for v in index)
        dz, dy, dx = self.spacing_mm
        return (
            np.asarray(self.origin_mm)
            + c * dx * np.asarray(self.row_cosine)
            + r * dy * np.asarray(self.column_cosine)
            + k * dz * self.normal
        )

    def patient_to_index(self, point_mm: Sequence[float]) -> np.ndarray:
        d = np.asarray(point_mm, dtype=float) - np.asarray(self.origin_mm)
        dz, dy, dx = self.spacing_mm
        return np.array(
            [d @ self.normal / dz, d @ np.asarray(self.column_cosine) / dy, d @ np.asarray(self.row_cosine) / dx]
        )

    def scan_reference_datetime(self) -> tuple[dt.datetime | None, str]:
        """The time the pixel values refer to, and why (DecayCorrection START / ADMIN / NONE)."""
        if self.decay_correction == "ADMIN":
            return self.injection_datetime, "DecayCorrection ADMIN: values decay-corrected to the administration time"
        if self.decay_correction == "NONE":
            return (
                self.acquisition_datetime,
                "DecayCorrection NONE: values refer to the acquisition start (decay during the frame ignored)",
            )
        ref = self.series_datetime
        if ref is not None and self.acquisition_datetime is not None and ref > self.acquisition_datetime:
            return (
                self.acquisition_datetime,
                "DecayCorrection START; SeriesDate/Time is after the acquisition time, "
                "so the earliest AcquisitionDate/Time is used",
            )
        return ref, "DecayCorrection START: values decay-corrected to SeriesDate/SeriesTime (QIBA)"

    def decay_factor(self, from_dt: dt.datetime, to_dt: dt.datetime, half_life_s: float | None = None) -> float:
        """A(to) / A(from) for this series' nuclide."""
        t_half = half_life_s if half_life_s is not None else self.half_life_s
        if t_half is None or not t_half > 0:
            raise InputError(
                "the series has no RadionuclideHalfLife (0018,1075); give the half-life", field="half_life_s"
            )
        seconds = (to_dt - from_dt).total_seconds()
        return math.exp(-math.log(2) * seconds / t_half)

    def concentration_at_reference(
        self, value: float, at: dt.datetime | None, half_life_s: float | None = None
    ) -> tuple[float, str]:
        """A concentration known at ``at`` decay-corrected to the time the pixel values refer to."""
        if at is None:
            return value, "given value taken as the concentration at the image's reference time (no time given)"
        ref, why = self.scan_reference_datetime()
        if ref is None:
            raise InputError(
                "the series has no time its values refer to (SeriesDate/SeriesTime, AcquisitionDateTime "
                "or RadiopharmaceuticalStartDateTime missing)",
                field="SeriesTime",
            )
        factor = self.decay_factor(_naive(at), ref, half_life_s)
        return value * factor, f"{why}; decay factor {factor:.6f} from {_naive(at).isoformat()} to {ref.isoformat()}"


def _naive(value: dt.datetime) -> dt.datetime:
    """DICOM times are scanner-local; a time-zone-aware input is compared on its local wall clock."""
    return value.replace(tzinfo=None) if value.tzinfo is not None else value


def parse_da_tm(date: str | None, time: str | None) -> dt.datetime | None:
    if not date or not time:
        return None
    date, time = str(date).strip(), str(time).strip()
    try:
        day = dt.datetime.strptime(date[:8], "%Y%m%d")
        hh, mm, ss = int(time[0:2]), int(time[2:4] or 0), float(time[4:] or 0)
    except ValueError:
        raise InputError(f"cannot read DICOM date {date!r} / time {time!r}", field="SeriesTime") from None
    return day + dt.timedelta(hours=hh, minutes=mm, seconds=ss)


def parse_dt(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    text = str(value).strip()
    for sign in "+-":
        if len(text) > 14 and sign in text[8:]:
            text = text[: 8 + text[8:].index(sign)]  # offset from UTC dropped: scanner-local wall clock
    return parse_da_tm(text[:8], text[8:] or "000000")


def _files_from(source: str | Path | Sequence[str | Path]) -> list[Path]:
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        elif path.is_file():
            files = [path]
        else:
            raise InputError(f"{path} does not exist", field="path")
    else:
        files = [Path(p) for p in source]
        missing = [str(p) for p in files if not p.is_file()]
        if missing:
            raise InputError(f"file not found: {missing[0]}", field="path")
    if not files:
        raise InputError(f"no files in {source}", field="path")
    return files


def _float(ds, keyword: str, default: float | None = None) -> float | None:
    value = ds.get(keyword)
    if value is None or value == "":
        return default
    return float(value)


def read_pet_series(source: str | Path | Sequence[str | Path], series_instance_uid: str | None = None) -> PetSeries:
    """Read one PET series from a directory (searched recursively) or a list of files.

    Raises :class:`InputError` naming what is missing: no DICOM files, several series (give
    ``series_instance_uid``), not PET, multi-frame (Enhanced PET not read yet), Units other than BQML,
    missing ImagePositionPatient / ImageOrientationPatient / PixelSpacing, mixed geometry, duplicate positions.
    """
    datasets = []
    for path in _files_from(source):
        try:
            ds = pydicom.dcmread(path)
        except (InvalidDicomError, OSError):
            continue
        if "PixelData" not in ds:
            continue
        datasets.append((path, ds))
    if not datasets:
        raise InputError(f"no DICOM image files in {source}", field="path")
    uids = sorted({str(ds.get("SeriesInstanceUID", "")) for _, ds in datasets})
    if series_instance_uid is not None:
        datasets = [(p, ds) for p, ds in datasets if str(ds.get("SeriesInstanceUID", "")) == series_instance_uid]
        if not datasets:
            raise InputError(f"series {series_instance_uid} is not among {', '.join(uids)}", field="series")
    elif len(uids) > 1:
        raise InputError(f"{len(uids)} series mixed in the input ({', '.join(uids)}); give one series", field="series")
    first = datasets[0][1]
    modality = str(first.get("Modality", ""))
    if modality != "PT":
        raise InputError(f"Modality is {modality or 'missing'}, not PT (PET)", field="Modality")
    sop_class = str(first.get("SOPClassUID", ""))
    if (
        sop_class in (ENHANCED_PET_IMAGE_STORAGE, LEGACY_ENHANCED_PET_IMAGE_STORAGE)
        or int(first.get("NumberOfFrames", 1) or 1) > 1
    ):
        raise InputError(
            "multi-frame (Enhanced) PET is not read yet; export the series as one file per slice", field="SOPClassUID"
        )
    units = str(first.get("Units", "")).strip().upper()
    if not units:
        raise InputError("Units (0054,1001) is missing; Bq/mL (BQML) values are needed", field="Units")
    if units not in SUPPORTED_UNITS:
        raise InputError(f"Units {units} is not supported (only BQML: activity concentration in Bq/mL)", field="Units")
    warnings: list[str] = []
    decay = str(first.get("DecayCorrection", "")).strip().upper()
    if decay not in DECAY_CORRECTIONS:
        raise InputError(
            f"DecayCorrection (0054,1102) is {decay or 'missing'}; expected START, ADMIN or NONE",
            field="DecayCorrection",
        )
    corrected = tuple(str(v) for v in (first.get("CorrectedImage") or ()))
    for needed in ("ATTN", "DECY"):
        if decay != "NONE" and needed not in corrected:
            warnings.append(f"CorrectedImage does not list {needed}")

    for path, ds in datasets:
        for keyword, tag in (
            ("ImagePositionPatient", "(0020,0032)"),
            ("ImageOrientationPatient", "(0020,0037)"),
            ("PixelSpacing", "(0028,0030)"),
        ):
            if keyword not in ds or ds.get(keyword) in (None, ""):
                raise InputError(f"{path.name}: {keyword} {tag} is missing", field=keyword)
    iop = np.array([float(v) for v in first.ImageOrientationPatient])
    pixel_spacing = [float(v) for v in first.PixelSpacing]
    shape = (int(first.Rows), int(first.Columns))
    for path, ds in datasets:
        if not np.allclose([float(v) for v in ds.ImageOrientationPatient], iop, atol=1e-4):
            raise InputError(f"{path.name}: ImageOrientationPatient differs from the other slices", field="geometry")
        if not np.allclose([float(v) for v in ds.PixelSpacing], pixel_spacing, rtol=1e-5):
            raise InputError(f"{path.name}: PixelSpacing differs from the other slices", field="geometry")
        if (int(ds.Rows), int(ds.Columns)) != shape:
            raise InputError(f"{path.name}: Rows/Columns differ from the other slices", field="geometry")
    row_cos, col_cos = iop[:3], iop[3:]
    normal = np.cross(row_cos, col_cos)
    positions = np.array([[float(v) for v in ds.ImagePositionPatient] for _, ds in datasets])
    along = positions @ normal
    order = np.argsort(along)
    along = along[order]
    datasets = [datasets[i] for i in order]
    if len(datasets) > 1:
        steps = np.diff(along)
        if np.any(steps < 1e-3):
            raise InputError(
                "two slices share one ImagePositionPatient (duplicate or mixed acquisitions)",
                field="ImagePositionPatient",
            )
        step = float(np.median(steps))
        if np.max(np.abs(steps - step)) > 0.01 * step + 1e-3:
            raise InputError(
                f"slice spacing is not uniform ({steps.min():.3f}–{steps.max():.3f} mm): missing slices?",
                field="ImagePositionPatient",
            )
    else:
        step = _float(first, "SliceThickness") or pixel_spacing[0]
        warnings.append("a single slice: the slice step is SliceThickness")

    volume = np.empty((len(datasets), *shape), dtype=np.float64)
    for k, (path, ds) in enumerate(datasets):
        try:
            pixels = ds.pixel_array.astype(np.float64)
        except Exception as exc:  # pydicom raises several types for undecodable pixel data
            raise InputError(f"{path.name}: pixel data cannot be decoded ({exc})", field="PixelData") from None
        volume[k] = pixels * (_float(ds, "RescaleSlope", 1.0) or 1.0) + (_float(ds, "RescaleIntercept", 0.0) or 0.0)

    series_dt = parse_da_tm(first.get("SeriesDate"), first.get("SeriesTime"))
    acq_times = [
        parse_dt(ds.get("AcquisitionDateTime")) or parse_da_tm(ds.get("AcquisitionDate"), ds.get("AcquisitionTime"))
        for _, ds in datasets
    ]
    acq_times = [t for t in acq_times if t is not None]
    acquisition_dt = min(acq_times) if acq_times else None

    injection_dt = injected = half_life = nuclide = None
    seq = first.get("RadiopharmaceuticalInformationSequence")
    if seq:
        item = seq[0]
        injection_dt = parse_dt(item.get("RadiopharmaceuticalStartDateTime"))
        if injection_dt is None and item.get("RadiopharmaceuticalStartTime"):
            injection_dt = parse_da_tm(first.get("SeriesDate"), item.get("RadiopharmaceuticalStartTime"))
            if injection_dt is not None:
                warnings.append(
                    "injection time from RadiopharmaceuticalStartTime + SeriesDate (no "
                    "RadiopharmaceuticalStartDateTime): wrong if injection and scan straddle midnight"
                )
        injected = _float(item, "RadionuclideTotalDose")  # Bq in the PET Image IOD (REFERENCE_DATA §9.2)
        half_life = _float(item, "RadionuclideHalfLife")
        codes = item.get("RadionuclideCodeSequence")
        if codes:
            nuclide = str(codes[0].get("CodeMeaning", "")) or None
    weight = _float(first, "PatientWeight")
    return PetSeries(
        volume=volume,
        spacing_mm=(step, pixel_spacing[0], pixel_spacing[1]),
        origin_mm=tuple(float(v) for v in positions[order[0]]),
        row_cosine=tuple(float(v) for v in row_cos),
        column_cosine=tuple(float(v) for v in col_cos),
        units=units,
        decay_correction=decay,
        series_datetime=series_dt,
        acquisition_datetime=acquisition_dt,
        injection_datetime=injection_dt,
        injected_activity_Bq=injected,
        half_life_s=half_life,
        nuclide=nuclide,
        patient_weight_kg=weight,
        series_instance_uid=uids[0] if series_instance_uid is None else series_instance_uid,
        sop_instance_uids=tuple(str(ds.get("SOPInstanceUID", "")) for _, ds in datasets),
        files=tuple(str(p) for p, _ in datasets),
        corrected_image=corrected,
        warnings=tuple(warnings),
    )


def as_series(source: PetSeries | str | Path | Sequence[str | Path]) -> PetSeries:
    return source if isinstance(source, PetSeries) else read_pet_series(source)


def series_inputs(series: PetSeries) -> dict:
    """The metadata an analysis records as its inputs."""
    iso = lambda t: t.isoformat() if t else None  # noqa: E731
    return {
        "files": len(series.files),
        "series_instance_uid": series.series_instance_uid,
        "sop_instance_uids": list(series.sop_instance_uids),
        "shape": list(series.volume.shape),
        "spacing_mm": list(series.spacing_mm),
        "origin_mm": list(series.origin_mm),
        "units": series.units,
        "decay_correction": series.decay_correction,
        "series_datetime": iso(series.series_datetime),
        "acquisition_datetime": iso(series.acquisition_datetime),
        "injection_datetime": iso(series.injection_datetime),
        "injected_activity_Bq": series.injected_activity_Bq,
        "half_life_s": series.half_life_s,
    }


def describe_pet_series(source: PetSeries | str | Path | Sequence[str | Path]) -> AnalysisResult:
    """Geometry and decay facts of a series, as an :class:`AnalysisResult` (no pass/fail)."""
    series = as_series(source)
    ref, why = series.scan_reference_datetime()
    values = {
        "slices": Quantity(series.volume.shape[0]),
        "rows": Quantity(series.volume.shape[1]),
        "columns": Quantity(series.volume.shape[2]),
        "slice_spacing_mm": Quantity(series.spacing_mm[0], "mm"),
        "pixel_spacing_row_mm": Quantity(series.spacing_mm[1], "mm"),
        "pixel_spacing_column_mm": Quantity(series.spacing_mm[2], "mm"),
        "max_Bq_per_mL": Quantity(float(series.volume.max()), "Bq/mL"),
        "reference_datetime": Quantity(ref.isoformat() if ref else None, note=why),
    }
    return AnalysisResult(
        analysis="pet-series", inputs=series_inputs(series), parameters={}, values=values, warnings=series.warnings
    )
