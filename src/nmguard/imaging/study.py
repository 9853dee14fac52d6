"""A therapy-dosimetry study read from a folder of DICOM files: quantitative SPECT (or PET) time points with
their CT, the injection, and VOIs from SEG / RTSTRUCT.

What :func:`load_study` does, and the choices it makes:

* Every file under the folder (recursively) is read; non-DICOM files are skipped with a warning. Series are
  grouped by SeriesInstanceUID. Each reconstructed SPECT (NM Image Storage, ImageType ``RECON TOMO``, one
  multi-frame file) or PET series (one file per slice) is a time point. NM projections are ignored.
* Each time point's CT is the CT series with the same FrameOfReferenceUID (the nearest in time if several),
  else the one of the same study; else none, with a warning.
* Values: RealWorldValueMappingSequence (slope, intercept, MeasurementUnitsCodeSequence) when present, else
  RescaleSlope/Intercept with Units (0054,1001). ``BQML`` (and ``kBq/mL``, ``MBq/mL``) are concentrations
  multiplied by the voxel volume; ``CNTS`` are reconstructed counts converted with
  ``calibration_cps_per_MBq`` over the scan duration T: activity = counts / (factor × T). A file with neither
  Units nor a mapping is read as counts when a factor is given, else refused. T is the sum over
  RotationInformationSequence of ActualFrameDuration × NumberOfFramesInRotation, else the top-level
  ActualFrameDuration; the factor must have been measured with the same definition.
* ``activity_Bq`` holds the activity present at the start of the acquisition, without decay correction:
  DecayCorrection ``ADMIN`` (values decay-corrected to the injection) is undone by exp(−λ·Δt);
  ``START`` (corrected to the acquisition start) and ``NONE`` are used as they are (NONE gives the mean over
  the frame, which for a frame of duration T differs from the start value by less than λT/2: 0.1 % for a
  30 min Lu-177 scan, 9 % for a 20 min F-18 frame — correct the files if that matters).
* Injection: RadiopharmaceuticalInformationSequence — RadiopharmaceuticalStartDateTime, else the start time
  on the date of the earliest series, else the study start (StudyDate + StudyTime), each with a warning;
  RadionuclideTotalDose in MBq for NM and in Bq for PET (``reference/data/vendor_dicom.toml``); the nuclide
  from RadionuclideCodeSequence (codes of ``reference/data/dicom_codes.csv``; vendors' SNOMED-RT schemes such
  as Siemens ``99SDM``; else the code meaning), else the Radiopharmaceutical text, else ``nuclide=``.
* Vendor files: a grid tilted within ``vendor_dicom.toml`` [tilt] is resampled onto the axial grid (the angle
  is a warning); negative values are refused; counts of a single time point of a trapped radiopharmaceutical
  (MAA, microspheres) without a calibration factor are scaled to the injected activity.
* Times: AcquisitionDateTime, else AcquisitionDate+Time, else SeriesDate+Time; a DT's own offset, else
  TimezoneOffsetFromUTC, else UTC. All times are returned in UTC.
* VOIs: SEG segments and RTSTRUCT ROIs on time point 0's frame of reference become masks on its SPECT grid;
  those on a later time point's frame are kept in ``deferred_vois`` and mapped by
  :func:`nmguard.imaging.registration.register_time_points` (which imports this module, never the reverse).

Why one module of about 870 lines: one reader of a whole study (time points, CT, injection, VOIs), whose choices are
listed above and depend on each other (frames of reference, units, times).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pydicom
import SimpleITK as sitk
from pydicom.dataset import Dataset

from nmguard.errors import InputError
from nmguard.imaging.nm_geometry import (
    AXIAL,
    Volume,
    acquisition_datetime,
    check_small_tilt,
    dataset_zone,
    date_time,
    floats,
    multiframe_nm_grid,
    parse_datetime,
    resample_tilted_to_axial,
    slice_series_grid,
    tilt_deg,
)
from nmguard.imaging.voi import rasterise_contours, read_seg, rtstruct_rois, seg_segments
from nmguard.reference.dicom_codes import all_codes, lookup
from nmguard.reference.nuclides import get_nuclide, normalize_nuclide_name
from nmguard.reference.vendor_dicom import vendor_dicom

__all__ = [
    "DeferredVOI",
    "DosimetryStudy",
    "TimePoint",
    "Volume",
    "load_study",
]


Progress = Callable[[str, float], None]

#: Units (0054,1001) and UCUM units of real-world value mapping -> (kind, factor to Bq/mL)
_UNITS = {
    "BQML": ("concentration", 1.0),
    "BQ/ML": ("concentration", 1.0),
    "KBQ/ML": ("concentration", 1e3),
    "MBQ/ML": ("concentration", 1e6),
    "CNTS": ("counts", 1.0),
    "COUNTS": ("counts", 1.0),
    "{COUNTS}": ("counts", 1.0),
}
#: two time points closer than this are "at the same time" (s)
SAME_TIME_S = 60.0
#: injections of different series that differ by more than these are different injections
INJECTION_TIME_TOL_S = 60.0
INJECTION_ACTIVITY_TOL = 0.001


@dataclass(frozen=True, eq=False)
class TimePoint:
    """One quantitative acquisition: activity per voxel (Bq, not decay-corrected) and the matching CT."""

    acquired: dt.datetime
    hours_after_injection: float
    activity_Bq: Volume
    ct_hu: Volume | None
    series_instance_uid: str
    units_in_file: str
    modality: str
    ct_series_instance_uid: str | None = None
    description: str = ""

    @property
    def total_activity_Bq(self) -> float:
        return float(self.activity_Bq.array.sum())


@dataclass(frozen=True)
class DeferredVOI:
    """A SEG or RTSTRUCT ROI drawn on a later time point's frame; mapped once that time point is registered."""

    kind: str  # "SEG" or "RTSTRUCT"
    path: Path
    frame_of_reference_uid: str
    time_point: int


@dataclass(frozen=True, eq=False)
class DosimetryStudy:
    """The inputs of a therapy-dosimetry calculation. ``vois`` are on time point 0's SPECT grid."""

    patient_id: str
    patient_name: str
    study_instance_uid: str
    nuclide: str
    injected_activity_MBq: float
    injection_time: dt.datetime
    time_points: tuple[TimePoint, ...]
    vois: dict[str, np.ndarray] = field(default_factory=dict)
    voi_sources: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    deferred_vois: tuple[DeferredVOI, ...] = ()
    registrations: tuple = ()  # RegistrationResult items, filled by register_time_points
    radiopharmaceutical: str = ""  # as the files name it (RadiopharmaceuticalInformationSequence)

    @property
    def trapped(self) -> bool:
        """True for a radiopharmaceutical that stays where it lodges (MAA, microspheres): physical decay only."""
        return _is_trapped(self.radiopharmaceutical)

    @property
    def reference(self) -> Volume:
        """Time point 0's SPECT grid, on which VOIs and registered activities live."""
        return self.time_points[0].activity_Bq


# --------------------------------------------------------------------------------------------- reading


@dataclass
class _Injection:
    nuclide: str
    activity_Bq: float | None
    start: dt.datetime | None
    start_time_only: str | None  # TM when no date was given
    where: str
    radiopharmaceutical: str = ""


def _squash(text: str) -> str:
    """Lower-case letters and digits only: '^99m^Technetium', '99m Technetium' -> '99mtechnetium'."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _nuclide_from_meaning(meaning: str) -> str | None:
    """The nuclide a code meaning names: 'Tc-99m', '99mTc', '^99m^Technetium', '99m Technetium',
    'Technetium-99m' (element names from the CID 18 / 4020 meanings of ``dicom_codes.csv``)."""
    text = meaning.strip()
    if not text:
        return None
    squashed = _squash(text)
    for row in all_codes("radionuclide"):
        name = _squash(row.meaning)  # e.g. 99mtechnetium
        mass = re.match(r"\d+m?", name)
        if mass and squashed in (name, name[mass.end() :] + mass.group(0)):
            return normalize_nuclide_name(row.key)
    try:
        return normalize_nuclide_name(text.replace("^", ""))
    except InputError:
        return None


def _code_text(item: Dataset) -> str:
    return (
        f"({item.get('CodingSchemeDesignator', '')}, {item.get('CodeValue', '')}, {str(item.get('CodeMeaning', ''))!r})"
    )


def _nuclide_from_codes(info: Dataset, where: str) -> tuple[str | None, list[str]]:
    """The nuclide of RadionuclideCodeSequence, else of RadiopharmaceuticalCodeSequence; and the codes given.

    A code in a scheme that carries SNOMED-RT codes under another designator (Siemens ``99SDM``; see
    ``vendor_dicom.toml``) is looked up as SRT; a code NMGuard does not know is read from its meaning. A code
    and a meaning that name different nuclides are refused."""
    aliases = {s.upper() for s in vendor_dicom().srt_alias_schemes.names}
    given: list[str] = []
    for item in info.get("RadionuclideCodeSequence") or []:
        given.append(_code_text(item))
        scheme, code = str(item.get("CodingSchemeDesignator", "")).strip(), str(item.get("CodeValue", "")).strip()
        row = lookup("radionuclide", "SRT" if scheme.upper() in aliases else scheme, code)
        by_code = normalize_nuclide_name(row.key) if row is not None else None
        by_meaning = _nuclide_from_meaning(str(item.get("CodeMeaning", "")))
        if by_code and by_meaning and by_code != by_meaning:
            raise InputError(
                f"{where}: RadionuclideCodeSequence {_code_text(item)}: the code means {by_code} but the "
                f"meaning says {by_meaning}; give the nuclide with --nuclide",
                field="nuclide",
            )
        if by_code or by_meaning:
            return by_code or by_meaning, given
    for item in info.get("RadiopharmaceuticalCodeSequence") or []:
        given.append(_code_text(item))
        row = lookup("radiopharmaceutical", str(item.get("CodingSchemeDesignator", "")), str(item.get("CodeValue", "")))
        if row is not None and row.nuclide:
            return normalize_nuclide_name(row.nuclide), given
    return None, given


def _nuclide(info: Dataset, where: str, override: str | None = None) -> str:
    """The nuclide of an injection: the codes, else the Radiopharmaceutical text; ``override`` (``--nuclide``)
    stands in for codes NMGuard cannot read, and is refused when it contradicts codes it can read."""
    found, given = _nuclide_from_codes(info, where)
    text = str(info.get("Radiopharmaceutical", ""))
    if found is None:
        for match in re.finditer(r"\d{1,3}m?[-\s]?[A-Z][a-z]?|[A-Z][a-z]?[-\s]?\d{1,3}m?", text):
            try:
                found = normalize_nuclide_name(match.group(0))
                break
            except InputError:
                continue
    if override is not None:
        chosen = normalize_nuclide_name(override)
        if found is not None and found != chosen:
            raise InputError(
                f"{where}: --nuclide {chosen} contradicts the files, which give {found} "
                f"({'; '.join(given) or repr(text)})",
                field="nuclide",
            )
        return chosen
    if found is not None:
        return found
    if given:
        raise InputError(
            f"{where}: the radionuclide code {'; '.join(given)} is not one NMGuard recognises "
            f"(Radiopharmaceutical {text!r}); give it with --nuclide",
            field="nuclide",
        )
    raise InputError(
        f"{where}: the radionuclide is not given (no RadionuclideCodeSequence, Radiopharmaceutical {text!r}); "
        f"give it with --nuclide",
        field="nuclide",
    )


def _total_dose_Bq(info: Dataset, modality: str, where: str) -> float | None:
    """Radionuclide Total Dose in Bq: stored in MBq in the NM Image IOD, in Bq in the PET IOD
    (``vendor_dicom.toml`` [total_dose_unit], PS3.3 C.8.4.10.1.7 and C.8.9.2). An NM value so large that
    it must be Bq is refused rather than read as petabecquerels."""
    dose = floats(info, "RadionuclideTotalDose")
    if not dose:
        return None
    rules = vendor_dicom()
    if dose[0] <= 0:
        raise InputError(f"{where}: RadionuclideTotalDose {dose[0]:g} is not positive", field="injected_activity")
    if modality == "NM" and dose[0] > rules.nm_max_plausible_MBq.value:
        raise InputError(
            f"{where}: RadionuclideTotalDose {dose[0]:g} in an NM image is MBq (PS3.3 C.8.4.10.1.7), i.e. "
            f"{dose[0] / 1e6:g} TBq; the writer probably stored Bq — correct the file",
            field="injected_activity",
        )
    return dose[0] * rules.total_dose_Bq_per_unit["NM" if modality == "NM" else "PT"].value


def _injection(ds: Dataset, where: str, nuclide: str | None = None) -> _Injection:
    seq = ds.get("RadiopharmaceuticalInformationSequence")
    if not seq:
        raise InputError(
            f"{where}: RadiopharmaceuticalInformationSequence is missing (injection unknown)", field="injection_time"
        )
    info = seq[0]
    start = parse_datetime(info.get("RadiopharmaceuticalStartDateTime", ""), dataset_zone(ds))
    time_only = None if start else (str(info.get("RadiopharmaceuticalStartTime", "")).strip() or None)
    modality = str(ds.get("Modality", "")).upper()
    return _Injection(
        _nuclide(info, where, nuclide),
        _total_dose_Bq(info, modality, where),
        start,
        time_only,
        where,
        str(info.get("Radiopharmaceutical", "")),
    )


def _value_mapping(ds: Dataset, where: str) -> tuple[float, float, str]:
    """(slope, intercept, units text) from RealWorldValueMappingSequence, else Rescale + Units.

    The units text is Units (0054,1001) when present (e.g. ``BQML``), else the mapping's UCUM code."""
    declared = str(ds.get("Units", "")).strip()
    for item in ds.get("RealWorldValueMappingSequence") or []:
        codes = item.get("MeasurementUnitsCodeSequence") or []
        unit = str(codes[0].get("CodeValue", "")) if codes else ""
        slope = floats(item, "RealWorldValueSlope")
        if slope and unit.upper() in _UNITS:
            if declared and declared.upper() in _UNITS and _UNITS[declared.upper()] != _UNITS[unit.upper()]:
                raise InputError(
                    f"{where}: Units {declared!r} contradicts the real-world value units {unit!r}", field="units"
                )
            return slope[0], (floats(item, "RealWorldValueIntercept") or [0.0])[0], declared or unit
    slope = (floats(ds, "RescaleSlope") or [1.0])[0]
    intercept = (floats(ds, "RescaleIntercept") or [0.0])[0]
    return slope, intercept, declared


def _scan_duration_s(ds: Dataset) -> float | None:
    total = 0.0
    for item in ds.get("RotationInformationSequence") or []:
        per_frame = floats(item, "ActualFrameDuration")
        count = item.get("NumberOfFramesInRotation")
        if per_frame and count:
            total += per_frame[0] / 1000.0 * int(count)
    if total > 0:
        return total
    value = floats(ds, "ActualFrameDuration")
    return value[0] / 1000.0 if value and value[0] > 0 else None


def _to_activity_Bq(
    values: np.ndarray, units: str, voxel_mL: float, ds: Dataset, calibration: float | None, where: str
) -> np.ndarray:
    kind_factor = _UNITS.get(units.upper())
    if kind_factor is None:
        if not units and calibration is not None:
            kind_factor = _UNITS["CNTS"]
        elif not units:
            raise InputError(
                f"{where} has no Units (0054,1001) and no real-world value mapping, so it holds counts; give "
                f"--calibration-cps-per-MBq (calibration_cps_per_MBq) to convert them to activity",
                field="calibration_cps_per_MBq",
            )
        else:
            raise InputError(
                f"{where}: unknown units {units!r}; expected one of BQML, kBq/mL, MBq/mL, CNTS", field="units"
            )
    kind, factor = kind_factor
    if kind == "concentration":
        return values * factor * voxel_mL
    if calibration is None:
        raise InputError(
            f"{where} holds counts (CNTS); give calibration_cps_per_MBq to convert them to activity",
            field="calibration_cps_per_MBq",
        )
    duration = _scan_duration_s(ds)
    if duration is None:
        raise InputError(f"{where} holds counts but no acquisition duration (ActualFrameDuration)", field="units")
    return values / (calibration * duration) * 1e6


def _undo_decay_correction(
    activity: np.ndarray, ds: Dataset, injection: dt.datetime, acquired: dt.datetime, nuclide: str, where: str
) -> tuple[np.ndarray, str | None]:
    mode = str(ds.get("DecayCorrection", "NONE") or "NONE").strip().upper()
    if mode in ("NONE", "START"):
        return activity, None
    if mode == "ADMIN":
        lam = get_nuclide(nuclide).decay_constant_per_s
        factor = math.exp(-lam * (acquired - injection).total_seconds())
        return activity * factor, f"{where}: decay correction to the injection (ADMIN) undone (× {factor:.5f})"
    raise InputError(f"{where}: DecayCorrection {mode!r} is not NONE, START or ADMIN", field="units")


@dataclass
class _Emission:
    series_uid: str
    modality: str
    datasets: list[Dataset]
    injection: _Injection
    acquired: dt.datetime
    frame_uid: str
    study_uid: str
    description: str


def pixels(ds: Dataset, where: str) -> np.ndarray:
    """The stored pixel values as float64; InputError when the pixel data cannot be decoded.

    Decoded with :func:`pydicom.pixels.pixel_array` (what ``ds.pixel_array`` calls) so that the decoded array
    is not also kept inside the dataset: a study's datasets live until it is read, and at 256³ the CTs'
    cached copies were 0.5 GB."""
    try:
        return np.asarray(pydicom.pixels.pixel_array(ds), dtype=np.float64)
    except (AttributeError, KeyError, ValueError, TypeError, RuntimeError, NotImplementedError) as exc:
        raise InputError(f"{where}: the pixel data cannot be read ({exc})", field="file") from None


def _check_not_negative(values: np.ndarray, where: str) -> None:
    """Activity cannot be negative: refuse reconstructions (e.g. filtered back-projection) that hold negative
    values after the rescale, rather than guess how to clip them."""
    negative = values < 0
    if negative.any():
        raise InputError(
            f"{where}: {int(negative.sum())} voxels are negative after the rescale (minimum {values.min():.4g}); "
            f"activity cannot be negative — reconstruct with a non-negative method (OSEM) or clip the image "
            f"before dosimetry",
            field="units",
        )


def _untilted(
    values: np.ndarray,
    spacing,
    first_voxel,
    axial_origin,
    iop,
    frame_uid: str,
    where: str,
    notes: list[str],
    outside: float = 0.0,
) -> Volume:
    """A volume on the axial grid: as it is when axial, resampled when tilted within ``vendor_dicom.toml``
    [tilt].max_deg (the angle is reported in ``notes``), refused when more oblique."""
    angle = check_small_tilt(iop, where)
    limit = vendor_dicom().max_tilt_deg
    if np.allclose(iop, AXIAL, atol=1e-4):
        return Volume(values, spacing, axial_origin, frame_uid)
    if outside != 0.0:  # CT: the total means nothing
        notes.append(
            f"{where}: tilted {angle:.2f}° from the patient axes (within {limit.value:g}°): resampled onto "
            f"the axial grid by linear interpolation"
        )
        return resample_tilted_to_axial(values, spacing, first_voxel, iop, frame_uid, axial_origin, outside)
    before = float(values.sum())
    volume = resample_tilted_to_axial(values, spacing, first_voxel, iop, frame_uid, axial_origin, outside)
    after = float(volume.array.sum())
    change = f", total changed by {100 * (after - before) / before:+.2f} %" if before > 0 else ""
    notes.append(
        f"{where}: tilted {angle:.2f}° from the patient axes (within {limit.value:g}°): resampled onto the axial "
        f"grid by linear interpolation{change}"
    )
    return volume


def _emission_values(em: _Emission, notes: list[str]) -> tuple[Volume, str, Dataset]:
    """Values on the axial grid (stored × slope + intercept) in the file's units, units text, header."""
    where = f"{em.modality} series {em.series_uid}"
    if em.modality == "NM":
        if len(em.datasets) != 1:
            raise InputError(
                f"{where} has {len(em.datasets)} reconstruction files; expected one multi-frame file", field="geometry"
            )
        ds = em.datasets[0]
        spacing, origin, iop = multiframe_nm_grid(ds, where)
        frames = int(ds.get("NumberOfFrames", 1) or 1)
        stored = pixels(ds, where).reshape(frames, int(ds.Rows), int(ds.Columns))
        slope, intercept, units = _value_mapping(ds, where)
        values = stored * slope + intercept
        _check_not_negative(values, where)
        tilt_deg(iop, where)  # orientation present and made of unit vectors
        first_voxel, axial_origin = origin, origin
        if spacing[0] < 0:  # slices stacked against the normal: index 0 must be the lowest
            normal = np.cross(np.asarray(iop[:3]), np.asarray(iop[3:]))
            values = values[::-1]
            first_voxel = tuple(np.asarray(origin) + normal * spacing[0] * (frames - 1))
            axial_origin = (origin[0], origin[1], origin[2] + spacing[0] * (frames - 1))  # as parametric_map
            spacing = (-spacing[0], spacing[1], spacing[2])
        volume = _untilted(values, spacing, first_voxel, axial_origin, iop, em.frame_uid, where, notes)
        return volume, units, ds
    ordered, spacing, origin, iop = slice_series_grid(em.datasets, where)
    planes, units_seen = [], set()
    for ds in ordered:
        slope, intercept, units = _value_mapping(ds, where)
        units_seen.add(units)
        planes.append(pixels(ds, where) * slope + intercept)
    if len(units_seen) > 1:
        raise InputError(f"{where}: slices have different units {sorted(units_seen)}", field="units")
    values = np.stack(planes)
    _check_not_negative(values, where)
    volume = _untilted(values, spacing, origin, origin, iop, em.frame_uid, where, notes)
    return volume, units_seen.pop(), ordered[0]


def _is_trapped(radiopharmaceutical: str) -> bool:
    """True for MAA and microspheres (``vendor_dicom.toml`` [count_normalisation]): trapped where they lodge."""
    text = _squash(radiopharmaceutical)
    return bool(text) and any(_squash(n) in text for n in vendor_dicom().trapped_radiopharmaceuticals.names)


def _counts_to_injected(
    values: np.ndarray,
    injected_Bq: float,
    hours: float,
    nuclide: str,
    radiopharmaceutical: str,
    where: str,
    warnings: list[str],
) -> np.ndarray:
    """Counts without a calibration factor, for a trapped radiopharmaceutical: scaled so that the image holds
    the injected activity decayed to the acquisition (physical decay only), as MIRDCalculator does."""
    total = float(values.sum())
    if total <= 0:
        raise InputError(f"{where} holds no counts", field="units")
    present = injected_Bq * math.exp(-get_nuclide(nuclide).decay_constant_per_s * hours * 3600.0)
    warnings.append(
        f"{where} holds counts and no calibration factor was given: as {radiopharmaceutical!r} is trapped "
        f"where it lodges, the image was scaled to the injected activity decayed to the acquisition "
        f"({present / 1e6:.5g} MBq in the field of view, physical decay only); give --calibration-cps-per-MBq "
        f"for a calibrated reading"
    )
    return values * (present / total)


def _ct_volume(datasets: list[Dataset], where: str, notes: list[str]) -> Volume:
    """The CT in HU on the axial grid (a small tilt resampled, outside the tilted grid −1000 HU, air)."""
    ordered, spacing, origin, iop = slice_series_grid(datasets, where)
    values: np.ndarray | None = None  # filled plane by plane: no list of planes and stacked copy at once
    for index, ds in enumerate(ordered):
        plane = pixels(ds, where) * float(ds.get("RescaleSlope", 1) or 1) + float(ds.get("RescaleIntercept", 0) or 0)
        if values is None:
            values = np.empty((len(ordered), *plane.shape))
        values[index] = plane
    frame = str(ordered[0].get("FrameOfReferenceUID", ""))
    return _untilted(values, spacing, origin, origin, iop, frame, where, notes, outside=-1000.0)


def _is_reconstruction(ds: Dataset) -> bool:
    image_type = [str(v).upper() for v in (ds.get("ImageType") or [])]
    return len(image_type) < 3 or image_type[2] in ("RECON TOMO", "RECON GATED TOMO")


def _read_folder(folder: Path, warnings: list[str]) -> dict[str, list[tuple[Path, Dataset]]]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    groups: dict[str, list[tuple[Path, Dataset]]] = defaultdict(list)
    skipped = 0
    for path in files:
        try:
            ds = pydicom.dcmread(path)
        except (pydicom.errors.InvalidDicomError, OSError, EOFError, ValueError):
            skipped += 1
            continue
        groups[str(ds.get("SeriesInstanceUID", path))].append((path, ds))
    if skipped:
        warnings.append(f"{skipped} file(s) that are not DICOM were skipped")
    return groups


def parse_injection_time(text: str, zone: dt.tzinfo) -> dt.datetime:
    """A user-given injection time: ISO 8601 (``2020-12-22T12:05``, ``2020-12-22 12:05:30+01:00``) or a DICOM
    DT. Without an offset it is read in ``zone``, the zone the files' own times are read in, so that the
    times after injection are differences of like with like."""
    raw = str(text or "").strip()
    try:
        when = dt.datetime.fromisoformat(raw)
    except ValueError:
        when = parse_datetime(raw, zone) if raw.replace(".", "").replace("+", "").replace("-", "").isdigit() else None
        if when is None:
            raise InputError(
                f"injection time {raw!r} is not a date and time "
                "(write e.g. 2020-12-22T12:05 or 2020-12-22 12:05+01:00)",
                field="injection_time",
            ) from None
        return when
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return when.astimezone(dt.UTC)


def _resolve_injection(
    emissions: list[_Emission], warnings: list[str], given_time: str | None = None
) -> tuple[str, float, dt.datetime]:
    first = emissions[0].injection
    for em in emissions[1:]:
        if em.injection.nuclide != first.nuclide:
            raise InputError(
                f"SPECT/PET series have different nuclides ({first.nuclide}, {em.injection.nuclide})", field="nuclide"
            )
    doses = [em.injection.activity_Bq for em in emissions if em.injection.activity_Bq]
    if not doses:
        raise InputError("no series gives the injected activity (RadionuclideTotalDose)", field="injected_activity")
    if max(doses) - min(doses) > INJECTION_ACTIVITY_TOL * max(doses):
        raise InputError(
            f"series give different injected activities ({min(doses):.4g} to {max(doses):.4g} Bq)",
            field="injected_activity",
        )
    starts = [em.injection.start for em in emissions if em.injection.start]
    earliest = min(emissions, key=lambda e: e.acquired)
    if given_time is not None:
        return first.nuclide, float(np.median(doses)), _given_injection(given_time, starts, earliest, warnings)
    if not starts:
        times = [em.injection.start_time_only for em in emissions if em.injection.start_time_only]
        if not times:
            return first.nuclide, float(np.median(doses)), _study_start_as_injection(earliest, warnings)
        ds = earliest.datasets[0]
        day = str(ds.get("AcquisitionDate") or ds.get("SeriesDate") or ds.get("StudyDate") or "")
        start = parse_datetime(day + times[0], dataset_zone(ds)) if day else None
        if start is None:
            raise InputError(
                "the injection time has no date and no series date to take it from", field="injection_time"
            )
        warnings.append(f"the injection date was taken from the first acquisition's date ({day})")
        starts = [start]
    if (max(starts) - min(starts)).total_seconds() > INJECTION_TIME_TOL_S:
        raise InputError(
            f"series give different injection times ({min(starts).isoformat()} to "
            f"{max(starts).isoformat()}): more than one injection",
            field="injection_time",
        )
    return first.nuclide, float(np.median(doses)), min(starts)


def _given_injection(text: str, starts: list[dt.datetime], earliest: _Emission, warnings: list[str]) -> dt.datetime:
    """The user's injection time (``--injection-time``): used where the files give none, refused where it
    contradicts the files' own by more than INJECTION_TIME_TOL_S (as ``--nuclide`` is)."""
    when = parse_injection_time(text, dataset_zone(earliest.datasets[0]))
    if starts:
        files = min(starts)
        if abs((when - files).total_seconds()) > INJECTION_TIME_TOL_S:
            raise InputError(
                f"--injection-time {when.isoformat()} contradicts the files, which give {files.isoformat()} "
                f"(RadiopharmaceuticalStartDateTime); remove the option or correct the files",
                field="injection_time",
            )
        return files
    warnings.append(f"injection time {when.isoformat()} as given (the files give none)")
    return when


def _study_start_as_injection(earliest: _Emission, warnings: list[str]) -> dt.datetime:
    """Where no series gives the injection time (RadiopharmaceuticalStartTime is optional, type 3, in the NM
    Image IOD; Siemens MAA studies omit it), the study's start (StudyDate + StudyTime) stands in for it, with
    a warning; refused when the study start is missing or after the acquisition."""
    ds = earliest.datasets[0]
    start = date_time(ds, "StudyDate", "StudyTime")
    if start is None or start >= earliest.acquired:
        raise InputError(
            "no series gives the injection time (RadiopharmaceuticalStartDateTime or RadiopharmaceuticalStartTime)"
            " and the study start time cannot stand in for it",
            field="injection_time",
        )
    hours = (earliest.acquired - start).total_seconds() / 3600.0
    warnings.append(
        f"no series gives the injection time: the study start {start.isoformat()} is taken as the injection "
        f"({hours:.2f} h before the first acquisition); the times after injection are only as right as that"
    )
    return start


def _positive(value: object, name: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise InputError(f"{name} must be a positive number, not {value!r}", field=name)
    return number


def load_study(
    folder: str | Path,
    *,
    calibration_cps_per_MBq: float | None = None,
    nuclide: str | None = None,
    injection_time: str | None = None,
    progress: Progress | None = None,
) -> DosimetryStudy:
    """Read a multi-time-point SPECT/CT (or PET/CT) study from ``folder`` (see the module notes).

    ``nuclide`` stands in for radionuclide codes that NMGuard cannot read (it is refused when it contradicts
    codes it can read); ``injection_time`` likewise for an injection time the files do not give (ISO 8601;
    without an offset, in the zone of the files' own times)."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"{folder} is not a folder", field="folder")
    if calibration_cps_per_MBq is not None:
        calibration_cps_per_MBq = _positive(calibration_cps_per_MBq, "calibration_cps_per_MBq")
    report = progress or (lambda message, fraction: None)
    warnings: list[str] = []
    report("reading files", 0.0)
    groups = _read_folder(root, warnings)
    emissions: list[_Emission] = []
    cts: dict[str, list[Dataset]] = {}
    voi_files: list[tuple[str, Path, Dataset]] = []
    for series_uid, items in groups.items():
        ds = items[0][1]
        modality = str(ds.get("Modality", "")).upper()
        if modality in ("NM", "PT"):
            if modality == "NM" and not _is_reconstruction(ds):
                warnings.append(f"NM series {series_uid} is not a reconstruction ({list(ds.ImageType)}); ignored")
                continue
            where = f"{modality} series {series_uid}"
            acquired = min((acquisition_datetime(d) for _, d in items if acquisition_datetime(d)), default=None)
            if acquired is None:
                raise InputError(f"{where} has no acquisition date and time", field="time_points")
            emissions.append(
                _Emission(
                    series_uid,
                    modality,
                    [d for _, d in items],
                    _injection(ds, where, nuclide),
                    acquired,
                    str(ds.get("FrameOfReferenceUID", "")),
                    str(ds.get("StudyInstanceUID", "")),
                    str(ds.get("SeriesDescription", "")),
                )
            )
        elif modality == "CT":
            cts[series_uid] = [d for _, d in items]
        elif modality in ("SEG", "RTSTRUCT"):
            voi_files.extend((modality, p, d) for p, d in items)
        else:
            warnings.append(f"series {series_uid} of modality {modality or '?'} ignored")
    if not emissions:
        raise InputError(f"no reconstructed SPECT or PET series found under {root}", field="time_points")
    emissions.sort(key=lambda e: e.acquired)
    nuclide, injected_Bq, injection = _resolve_injection(emissions, warnings, injection_time)
    radiopharmaceutical = emissions[0].injection.radiopharmaceutical
    for before, after in zip(emissions, emissions[1:], strict=False):
        if (after.acquired - before.acquired).total_seconds() < SAME_TIME_S:
            raise InputError(
                f"series {before.series_uid} and {after.series_uid} were acquired at the same time "
                f"({after.acquired.isoformat()}); remove one",
                field="time_points",
            )
    if emissions[0].acquired < injection:
        raise InputError(
            f"series {emissions[0].series_uid} was acquired ({emissions[0].acquired.isoformat()}) before "
            f"the injection ({injection.isoformat()})",
            field="time_points",
        )
    if len(emissions) == 1:
        warnings.append("only one time point: only single-time-point methods apply")

    time_points = []
    ct_info = {
        uid: (
            str(d[0].get("FrameOfReferenceUID", "")),
            str(d[0].get("StudyInstanceUID", "")),
            acquisition_datetime(d[0]),
        )
        for uid, d in cts.items()
    }
    for index, em in enumerate(emissions):
        report(f"time point {index + 1} of {len(emissions)}", 0.1 + 0.7 * index / len(emissions))
        where = f"{em.modality} series {em.series_uid}"
        values, units, header = _emission_values(em, warnings)
        hours = (em.acquired - injection).total_seconds() / 3600.0
        counts = not units or _UNITS.get(units.upper(), ("",))[0] == "counts"
        if counts and calibration_cps_per_MBq is None and len(emissions) == 1 and _is_trapped(radiopharmaceutical):
            activity = _counts_to_injected(
                values.array, injected_Bq, hours, nuclide, radiopharmaceutical, where, warnings
            )
        else:
            activity = _to_activity_Bq(
                values.array, units, values.voxel_volume_mL, header, calibration_cps_per_MBq, where
            )
        activity, note = _undo_decay_correction(activity, header, injection, em.acquired, nuclide, where)
        if note:
            warnings.append(note)
        ct_uid = _pair_ct(em, ct_info)
        ct = _ct_volume(cts[ct_uid], f"CT series {ct_uid}", warnings) if ct_uid else None
        if ct_uid is None:
            warnings.append(f"time point {index + 1}: no CT with the same frame of reference or study")
        time_points.append(
            TimePoint(
                em.acquired,
                hours,
                values.with_array(activity),
                ct,
                em.series_uid,
                units,
                em.modality,
                ct_uid,
                em.description,
            )
        )

    report("reading VOIs", 0.85)
    frames = {}
    for index, tp in reversed(list(enumerate(time_points))):
        frames[tp.activity_Bq.frame_of_reference_uid] = index
        if tp.ct_hu is not None:
            frames[tp.ct_hu.frame_of_reference_uid] = index
    frames.pop("", None)
    vois, sources, deferred = _read_vois(voi_files, time_points[0], frames, warnings)
    header = emissions[0].datasets[0]
    report("done", 1.0)
    return DosimetryStudy(
        patient_id=str(header.get("PatientID", "")),
        patient_name=str(header.get("PatientName", "")),
        study_instance_uid=emissions[0].study_uid,
        nuclide=nuclide,
        injected_activity_MBq=injected_Bq / 1e6,
        injection_time=injection,
        time_points=tuple(time_points),
        vois=vois,
        voi_sources=sources,
        warnings=warnings,
        deferred_vois=tuple(deferred),
        radiopharmaceutical=radiopharmaceutical,
    )


def _pair_ct(em: _Emission, ct_info: dict[str, tuple[str, str, dt.datetime | None]]) -> str | None:
    def distance(uid: str) -> float:
        when = ct_info[uid][2]
        return abs((when - em.acquired).total_seconds()) if when else math.inf

    same_frame = [uid for uid, (frame, _, _) in ct_info.items() if frame and frame == em.frame_uid]
    if same_frame:
        return min(same_frame, key=distance)
    same_study = [uid for uid, (_, study, _) in ct_info.items() if study and study == em.study_uid]
    return min(same_study, key=distance) if same_study else None


def unique_voi_name(name: str, kind: str, taken: dict[str, np.ndarray], warnings: list[str]) -> str:
    """``name``, or ``name [KIND]`` (then ``name [KIND] 2`` ...) when a VOI of that name exists already."""
    if name not in taken:
        return name
    candidate, n = f"{name} [{kind}]", 2
    while candidate in taken:
        candidate, n = f"{name} [{kind}] {n}", n + 1
    warnings.append(f"VOI name {name!r} appears twice; the {kind} one is called {candidate!r}")
    return candidate


def _read_vois(
    voi_files: list[tuple[str, Path, Dataset]], reference_tp: TimePoint, frames: dict[str, int], warnings: list[str]
) -> tuple[dict[str, np.ndarray], dict[str, str], list[DeferredVOI]]:
    reference = reference_tp.activity_Bq
    vois: dict[str, np.ndarray] = {}
    sources: dict[str, str] = {}
    deferred: list[DeferredVOI] = []

    def where_of(frame_uid: str, what: str) -> int:
        if frame_uid not in frames:
            raise InputError(
                f"{what} is on frame of reference {frame_uid or '(none)'}, which matches no SPECT, PET "
                f"or CT series of the study",
                field="voi",
            )
        return frames[frame_uid]

    for kind, path, ds in sorted(voi_files, key=lambda f: (f[0] != "SEG", str(f[1]))):  # SEG (exact) first
        if kind == "SEG":
            frame_uid, segments = seg_segments(ds)
            index = where_of(frame_uid, f"SEG {path.name}")
            if index > 0:
                deferred.append(DeferredVOI("SEG", path, frame_uid, index))
                warnings.append(f"SEG {path.name} is on time point {index + 1}; it is mapped at registration")
                continue
            masks = read_seg(ds, reference, transform={frame_uid: sitk.Transform()})
            for segment in segments:
                name = unique_voi_name(segment.label, "SEG", vois, warnings)
                vois[name] = masks[segment.label]
                sources[name] = f"SEG segment {segment.number} '{segment.label}' ({path.name})"
            continue
        for roi in rtstruct_rois(ds):
            index = where_of(roi.frame_of_reference_uid, f"ROI '{roi.name}' in {path.name}")
            if index > 0:
                if not any(d.path == path and d.time_point == index for d in deferred):
                    deferred.append(DeferredVOI("RTSTRUCT", path, roi.frame_of_reference_uid, index))
                warnings.append(f"ROI '{roi.name}' ({path.name}) is on time point {index + 1}; mapped at registration")
                continue
            name = unique_voi_name(roi.name, "RTSTRUCT", vois, warnings)
            vois[name] = rasterise_contours(roi.contours, reference)
            sources[name] = f"RTSTRUCT ROI {roi.number} '{roi.name}' ({path.name})"
    return vois, sources, deferred
