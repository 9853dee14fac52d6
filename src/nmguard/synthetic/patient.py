"""A synthetic therapy patient written as a real multi-time-point DICOM study, with its analytic truth.

Used by the tests, the demo and the benchmark. Per time point the folder holds a reconstructed SPECT
(one multi-frame NM Image file; or a PET series of one file per slice with ``modality="PT"``) and a CT
series (one file per slice, HU through RescaleSlope/Intercept, in-plane ``ct_inplane_factor`` times finer),
sharing that time point's FrameOfReferenceUID. Time point 0 also gets a SEG (every phantom region, on the
SPECT grid) and an RTSTRUCT (the same regions as closed planar contours traced on the SPECT grid).

Phantom (axis lengths in mm for an adult, scaled down uniformly to fit the field of view): an elliptic body
of soft tissue, two lungs, a spine, liver, spleen, two kidneys and three spherical lesions of 20, 12 and
8 mm radius (no semi-axis below 0.9 voxel, so that every region has voxels on a coarse grid). Each region
has a uniform activity with a known time-activity curve

    A(t) = A_inj · e^(−λ_p·t) · Σ_i f_i · (e^(−λ_b,i·t) − e^(−λ_u,i·t))   (λ_u = ∞ for no uptake phase)

whose time integral is analytic: Ã = A_inj · Σ_i f_i · (1/(λ_b,i + λ_p) − 1/(λ_u,i + λ_p)). The fractions
and half-lives are illustrative of Lu-177 DOTATATE (effective half-lives of 50–90 h in kidneys, liver,
spleen and tumours); they are test inputs, not reference data. Densities and HU are the phantom's own
definition, so the true masses are density × mask volume on the SPECT grid.

The activity map is blurred with a Gaussian of ``spect_fwhm_mm`` (zero outside the field of view, which the
body never reaches within 2 FWHM, so the total is kept), optionally made noisy with Poisson counts, and
stored as uint16 with a rescale slope. Time point k's patient is displaced by k × ``shift_mm_per_timepoint``
(patient x, y, z) on the same scanner grid, so a registration should find a translation of k × shift.

Why one module of about 620 lines: the phantom, its analytic truth and its DICOM writing must agree voxel for voxel;
kept together so that a change to one is made to all.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import contourpy
import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import pack_bits
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from scipy import ndimage

from nmguard.errors import InputError
from nmguard.reference.dicom_codes import code_for
from nmguard.reference.nuclides import get_nuclide, normalize_nuclide_name

NM_STORAGE = "1.2.840.10008.5.1.4.1.1.20"
PET_STORAGE = "1.2.840.10008.5.1.4.1.1.128"
CT_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
SEG_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4"
RTSTRUCT_STORAGE = "1.2.840.10008.5.1.4.1.1.481.3"
LOCAL_SCHEME = "99NMGUARD"  # private coding scheme for the synthetic segment labels (no claim to SNOMED codes)
#: scan duration written in the SPECT header: 60 views of 20 s (used for CNTS and for Poisson noise)
VIEWS, SECONDS_PER_VIEW = 60, 20.0
INJECTION_UTC = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
ZONE_OFFSET = dt.timedelta(hours=1)  # files carry local times with TimezoneOffsetFromUTC +0100
AIR_HU = -1000.0


@dataclass(frozen=True)
class Kinetics:
    """Σ_i f_i (e^(−λ_b,i t) − e^(−λ_u,i t)) × physical decay; components (fraction, T_bio h, T_uptake h or 0)."""

    components: tuple[tuple[float, float, float], ...]

    def fraction_at(self, t_h: np.ndarray | float, physical_half_life_h: float) -> np.ndarray:
        t = np.asarray(t_h, dtype=np.float64)
        out = np.zeros_like(t)
        for f, t_bio, t_up in self.components:
            term = np.exp(-math.log(2) / t_bio * t)
            if t_up > 0:
                term = term - np.exp(-math.log(2) / t_up * t)
            out = out + f * term
        return out * np.exp(-math.log(2) / physical_half_life_h * t)

    def integral_h(self, physical_half_life_h: float) -> float:
        """∫₀^∞ of :meth:`fraction_at` in hours."""
        lam_p = math.log(2) / physical_half_life_h
        total = 0.0
        for f, t_bio, t_up in self.components:
            total += f / (math.log(2) / t_bio + lam_p)
            if t_up > 0:
                total -= f / (math.log(2) / t_up + lam_p)
        return total


@dataclass(frozen=True)
class _Region:
    name: str
    shape: str  # "cylinder" (elliptic, along z), "ellipsoid"
    centre_mm: tuple[float, float, float]  # x, y, z relative to the body centre (LPS)
    semi_axes_mm: tuple[float, float, float]
    hu: float
    density_g_cm3: float
    kinetics: Kinetics


_BLOOD = Kinetics(((0.003, 20, 0),))  # lungs: a little blood-pool activity, cleared with the blood
# Painting order: later regions overwrite earlier ones. Body z half-length is set from the field of view.
_REGIONS = (
    _Region(
        "Body remainder", "cylinder", (0, 0, 0), (170, 115, 0), 40, 1.03, Kinetics(((0.25, 1.5, 0), (0.08, 30, 0)))
    ),
    _Region("Spine", "cylinder", (0, 78, 0), (18, 18, 0), 700, 1.40, Kinetics(((0.01, 40, 0.5),))),
    _Region("Right lung", "ellipsoid", (-85, 5, 65), (55, 70, 65), -750, 0.26, _BLOOD),
    _Region("Left lung", "ellipsoid", (85, 5, 65), (55, 70, 65), -750, 0.26, _BLOOD),
    _Region("Liver", "ellipsoid", (-70, -10, 0), (75, 65, 50), 60, 1.06, Kinetics(((0.05, 125, 2),))),
    _Region("Spleen", "ellipsoid", (85, 40, 5), (35, 30, 45), 50, 1.06, Kinetics(((0.015, 110, 2),))),
    _Region("Right kidney", "ellipsoid", (-65, 55, -60), (30, 22, 48), 35, 1.05, Kinetics(((0.02, 73, 1),))),
    _Region("Left kidney", "ellipsoid", (65, 55, -60), (30, 22, 48), 35, 1.05, Kinetics(((0.02, 73, 1),))),
    _Region("Lesion 1", "ellipsoid", (-90, -25, 10), (20, 20, 20), 50, 1.04, Kinetics(((0.01, 206, 4),))),
    _Region("Lesion 2", "ellipsoid", (30, -45, -25), (12, 12, 12), 50, 1.04, Kinetics(((0.004, 206, 4),))),
    _Region("Lesion 3", "ellipsoid", (0, 78, -80), (8, 8, 8), 50, 1.04, Kinetics(((0.002, 206, 4),))),
)
_EXTENT_Z = (-110.0, 132.0)  # lowest and highest organ surface (kidney bottom, lung top) at scale 1


@dataclass(frozen=True, eq=False)
class SyntheticTruth:
    """What the synthetic study holds, exactly: per region the kinetics, activities, TIA, mask and mass."""

    folder: Path
    nuclide: str
    injected_MBq: float
    injection_time: dt.datetime
    acquisition_times: tuple[dt.datetime, ...]
    times_h: tuple[float, ...]
    regions: tuple[str, ...]
    kinetics: dict[str, Kinetics]
    activity_Bq: dict[str, np.ndarray]  # region -> true activity at each time point (before blurring)
    tia_Bq_s: dict[str, float]  # region -> analytic time-integrated activity
    masks: dict[str, np.ndarray]  # region -> boolean mask on time point 0's SPECT grid
    mass_g: dict[str, float]
    density_g_cm3: dict[str, float]
    hu: dict[str, float]
    spacing_mm: tuple[float, float, float]
    origin_mm: tuple[float, float, float]
    shift_mm: tuple[tuple[float, float, float], ...]  # body displacement (x, y, z) at each time point
    frame_of_reference_uids: tuple[str, ...]
    series_instance_uids: tuple[str, ...]
    scale: float  # phantom scale factor used to fit the field of view
    files: dict[str, list[Path]] = field(default_factory=dict)

    def total_activity_Bq(self, index: int) -> float:
        """True activity in the field of view at time point ``index``."""
        return float(sum(a[index] for a in self.activity_Bq.values()))


def _grid_axes(shape, spacing, origin):
    nz, ny, nx = shape
    dz, dy, dx = spacing
    return (origin[2] + dz * np.arange(nz), origin[1] + dy * np.arange(ny), origin[0] + dx * np.arange(nx))


def _label_map(shape, spacing, origin, scale: float, body_half_z: float, shift) -> np.ndarray:
    """Region index + 1 at each voxel centre (0 = air); regions are painted in :data:`_REGIONS` order."""
    z, y, x = _grid_axes(shape, spacing, origin)
    z, y, x = z - shift[2], y - shift[1], x - shift[0]
    labels = np.zeros(shape, dtype=np.uint8)
    for index, region in enumerate(_REGIONS, start=1):
        cx, cy, cz = (c * scale for c in region.centre_mm)
        # never below 0.9 voxel (> √3/2): the voxel centre nearest to the centre is then always inside
        ax, ay, az = (max(a * scale, 0.9 * d) for a, d in zip(region.semi_axes_mm, spacing[::-1], strict=True))
        if region.shape == "cylinder":
            az, cz = body_half_z, 0.0
        zs = np.flatnonzero(np.abs(z - cz) <= az)
        ys = np.flatnonzero(np.abs(y - cy) <= ay)
        xs = np.flatnonzero(np.abs(x - cx) <= ax)
        if not (zs.size and ys.size and xs.size):
            continue
        zz = ((z[zs] - cz) / az)[:, None, None] ** 2 if region.shape == "ellipsoid" else np.zeros((zs.size, 1, 1))
        r2 = zz + ((y[ys] - cy) / ay)[None, :, None] ** 2 + ((x[xs] - cx) / ax)[None, None, :] ** 2
        block = labels[zs[0] : zs[-1] + 1, ys[0] : ys[-1] + 1, xs[0] : xs[-1] + 1]
        block[r2 <= 1.0] = index
    return labels


def _base(sop_class: str, modality: str, study: dict, series_uid: str, when_local: dt.datetime) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.TimezoneOffsetFromUTC = "+0100"
    ds.PatientName, ds.PatientID = "Synthetic^Patient", "SYNTH-001"
    ds.PatientBirthDate, ds.PatientSex = "19600501", "F"
    ds.StudyInstanceUID = study["study_uid"]
    ds.StudyDate, ds.StudyTime = when_local.strftime("%Y%m%d"), when_local.strftime("%H%M%S")
    ds.StudyID, ds.AccessionNumber, ds.ReferringPhysicianName = "1", "", ""
    ds.Modality = modality
    ds.SeriesInstanceUID = series_uid
    ds.SeriesNumber = study["series_number"]
    ds.SeriesDate, ds.SeriesTime = ds.StudyDate, ds.StudyTime
    ds.AcquisitionDate, ds.AcquisitionTime = ds.StudyDate, ds.StudyTime
    ds.Manufacturer = "NMGuard synthetic"
    ds.FrameOfReferenceUID = study["frame_uid"]
    ds.PositionReferenceIndicator = ""
    return ds


def _save(ds: Dataset, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def _radiopharmaceutical(nuclide: str, injected_Bq: float, modality: str) -> Dataset:
    """RadionuclideTotalDose in MBq for NM (PS3.3 C.8.4.10.1.7), in Bq for PET (C.8.9.2)."""
    info = Dataset()
    info.Radiopharmaceutical = f"{nuclide} synthetic"
    info.RadiopharmaceuticalStartDateTime = (INJECTION_UTC + ZONE_OFFSET).strftime("%Y%m%d%H%M%S") + "+0100"
    info.RadionuclideTotalDose = f"{injected_Bq / 1e6 if modality == 'NM' else injected_Bq:.6g}"
    info.RadionuclideHalfLife = f"{get_nuclide(nuclide).half_life_s:.6g}"
    code = code_for("radionuclide", nuclide)
    if code is not None:
        item = Dataset()
        item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = code.code, code.scheme, code.meaning
        info.RadionuclideCodeSequence = [item]
    return info


def _uint16(values: np.ndarray) -> tuple[np.ndarray, float]:
    peak = float(values.max())
    slope = peak / 65000.0 if peak > 0 else 1.0
    return np.clip(np.rint(values / slope), 0, 65535).astype(np.uint16), slope


def _image_pixels(ds: Dataset, rows: int, cols: int, signed: bool = False) -> None:
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows, ds.Columns = rows, cols
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation = 1 if signed else 0


def _write_nm(folder, study, values, units, spacing, origin, nuclide, injected_Bq, when_local) -> Path:
    pixels, slope = _uint16(values)
    ds = _base(NM_STORAGE, "NM", study, study["series_uid"], when_local)
    ds.ImageType = ["ORIGINAL", "PRIMARY", "RECON TOMO", "EMISSION"]
    ds.SeriesDescription = f"SPECT {units} t{study['index']}"
    ds.InstanceNumber = 1
    _image_pixels(ds, values.shape[1], values.shape[2])
    ds.NumberOfFrames = values.shape[0]
    ds.FrameIncrementPointer = 0x00540080  # SliceVector
    ds.SliceVector = list(range(1, values.shape[0] + 1))
    ds.NumberOfSlices = values.shape[0]
    ds.PixelSpacing = [f"{spacing[1]:.6g}", f"{spacing[2]:.6g}"]
    ds.SliceThickness = ds.SpacingBetweenSlices = f"{spacing[0]:.6g}"
    detector = Dataset()
    detector.ImagePositionPatient = [f"{v:.6g}" for v in origin]
    detector.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
    ds.DetectorInformationSequence = [detector]
    rotation = Dataset()
    rotation.ActualFrameDuration = int(SECONDS_PER_VIEW * 1000)
    rotation.NumberOfFramesInRotation = VIEWS
    ds.RotationInformationSequence = [rotation]
    ds.RadiopharmaceuticalInformationSequence = [_radiopharmaceutical(nuclide, injected_Bq, "NM")]
    ds.Units = units
    ds.CorrectedImage = ["ATTN", "SCAT"]
    ds.RescaleSlope, ds.RescaleIntercept = f"{slope:.10g}", "0"
    mapping = Dataset()
    mapping.RealWorldValueFirstValueMapped, mapping.RealWorldValueLastValueMapped = 0, 65535
    mapping.RealWorldValueSlope, mapping.RealWorldValueIntercept = float(f"{slope:.10g}"), 0.0
    mapping.LUTLabel, mapping.LUTExplanation = units, "activity concentration" if units == "BQML" else "counts"
    unit = Dataset()
    unit.CodeValue, unit.CodingSchemeDesignator = ("Bq/ml", "UCUM") if units == "BQML" else ("{counts}", "UCUM")
    unit.CodeMeaning = "becquerels/milliliter" if units == "BQML" else "counts"
    mapping.MeasurementUnitsCodeSequence = [unit]
    ds.RealWorldValueMappingSequence = [mapping]
    ds.PixelData = pixels.astype("<u2").tobytes()
    return _save(ds, folder / f"t{study['index']}" / "spect.dcm")


def _write_pet(folder, study, values, spacing, origin, nuclide, injected_Bq, when_local, correction, hours):
    if correction == "ADMIN":
        values = values * math.exp(get_nuclide(nuclide).decay_constant_per_s * hours * 3600.0)
    paths = []
    for k, plane in enumerate(values):
        pixels, slope = _uint16(plane)
        ds = _base(PET_STORAGE, "PT", study, study["series_uid"], when_local)
        ds.ImageType = ["ORIGINAL", "PRIMARY"]
        ds.SeriesDescription = f"PET BQML t{study['index']}"
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [f"{origin[0]:.6g}", f"{origin[1]:.6g}", f"{origin[2] + k * spacing[0]:.6g}"]
        ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
        ds.PixelSpacing = [f"{spacing[1]:.6g}", f"{spacing[2]:.6g}"]
        ds.SliceThickness = f"{spacing[0]:.6g}"
        _image_pixels(ds, plane.shape[0], plane.shape[1])
        ds.RescaleSlope, ds.RescaleIntercept = f"{slope:.10g}", "0"
        ds.Units, ds.DecayCorrection, ds.CorrectedImage = "BQML", correction, ["ATTN", "SCAT", "DECY"]
        ds.ActualFrameDuration = int(VIEWS * SECONDS_PER_VIEW * 1000)
        ds.RadiopharmaceuticalInformationSequence = [_radiopharmaceutical(nuclide, injected_Bq, "PT")]
        ds.PixelData = pixels.astype("<u2").tobytes()
        paths.append(_save(ds, folder / f"t{study['index']}" / "pet" / f"{k:04d}.dcm"))
    return paths


def _write_ct(folder, study, hu, spacing, origin, when_local) -> list[Path]:
    series_uid = generate_uid()
    ct_study = dict(study, series_number=study["series_number"] + 1)
    stored = np.rint(hu - AIR_HU).astype(np.uint16)  # rescale intercept −1000, slope 1
    paths = []
    for k, plane in enumerate(stored):
        ds = _base(CT_STORAGE, "CT", ct_study, series_uid, when_local)
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.SeriesDescription = f"CT t{study['index']}"
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [f"{origin[0]:.6g}", f"{origin[1]:.6g}", f"{origin[2] + k * spacing[0]:.6g}"]
        ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
        ds.PixelSpacing = [f"{spacing[1]:.6g}", f"{spacing[2]:.6g}"]
        ds.SliceThickness = f"{spacing[0]:.6g}"
        ds.KVP = "120"
        _image_pixels(ds, plane.shape[0], plane.shape[1])
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = f"{AIR_HU:g}", "1", "HU"
        ds.PixelData = plane.astype("<u2").tobytes()
        paths.append(_save(ds, folder / f"t{study['index']}" / "ct" / f"{k:04d}.dcm"))
    return paths


def _write_seg(folder, study, masks: dict[str, np.ndarray], spacing, origin, when_local) -> Path:
    ds = _base(SEG_STORAGE, "SEG", dict(study, series_number=90), generate_uid(), when_local)
    ds.ImageType = ["DERIVED", "PRIMARY"]
    ds.SeriesDescription = "Synthetic phantom regions"
    ds.InstanceNumber = 1
    ds.ContentLabel, ds.ContentDescription, ds.ContentCreatorName = "PHANTOM", "synthetic truth", ""
    ds.ContentDate, ds.ContentTime = ds.StudyDate, ds.StudyTime
    ds.SegmentationType = "BINARY"
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows, ds.Columns = next(iter(masks.values())).shape[1:]
    ds.BitsAllocated = ds.BitsStored = 1
    ds.HighBit, ds.PixelRepresentation, ds.LossyImageCompression = 0, 0, "00"
    segments, frames, per_frame = [], [], []
    for number, (name, mask) in enumerate(masks.items(), start=1):
        seg = Dataset()
        seg.SegmentNumber, seg.SegmentLabel, seg.SegmentAlgorithmType = number, name, "MANUAL"
        for keyword, value, meaning in (
            ("SegmentedPropertyCategoryCodeSequence", "REGION", "Phantom region"),
            ("SegmentedPropertyTypeCodeSequence", name.upper().replace(" ", "_"), name),
        ):
            code = Dataset()
            code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = value[:16], LOCAL_SCHEME, meaning
            setattr(seg, keyword, [code])
        segments.append(seg)
        for k in np.flatnonzero(mask.any(axis=(1, 2))):
            frames.append(mask[k])
            item = Dataset()
            content = Dataset()
            content.DimensionIndexValues = [number, int(k) + 1]
            position = Dataset()
            position.ImagePositionPatient = [
                f"{origin[0]:.6g}",
                f"{origin[1]:.6g}",
                f"{origin[2] + k * spacing[0]:.6g}",
            ]
            ident = Dataset()
            ident.ReferencedSegmentNumber = number
            item.FrameContentSequence, item.PlanePositionSequence = [content], [position]
            item.SegmentIdentificationSequence = [ident]
            per_frame.append(item)
    ds.SegmentSequence = segments
    shared = Dataset()
    measures = Dataset()
    measures.PixelSpacing = [f"{spacing[1]:.6g}", f"{spacing[2]:.6g}"]
    measures.SliceThickness = measures.SpacingBetweenSlices = f"{spacing[0]:.6g}"
    orientation = Dataset()
    orientation.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
    shared.PixelMeasuresSequence, shared.PlaneOrientationSequence = [measures], [orientation]
    ds.SharedFunctionalGroupsSequence = [shared]
    ds.PerFrameFunctionalGroupsSequence = per_frame
    ds.NumberOfFrames = len(frames)
    referenced = Dataset()
    referenced.SeriesInstanceUID = study["series_uid"]
    ds.ReferencedSeriesSequence = [referenced]
    ds.PixelData = pack_bits(np.stack(frames).astype(np.uint8))
    return _save(ds, folder / "t0" / "seg.dcm")


def mask_contours(mask: np.ndarray, spacing, origin) -> list[np.ndarray]:
    """Closed planar contours (patient mm, (n, 3)) around the voxels of a boolean mask, slice by slice: the
    0.5 iso-line of the 0/1 slice, which passes half way between inside and outside voxel centres."""
    dz, dy, dx = spacing
    out = []
    for k in np.flatnonzero(mask.any(axis=(1, 2))):
        padded = np.pad(mask[k].astype(np.float64), 1)
        for line in contourpy.contour_generator(z=padded, line_type="Separate").lines(0.5):
            cols, rows = line[:-1, 0] - 1, line[:-1, 1] - 1  # drop the repeated closing point and the padding
            out.append(
                np.column_stack([origin[0] + cols * dx, origin[1] + rows * dy, np.full(len(cols), origin[2] + k * dz)])
            )
    return out


def _write_rtstruct(folder, study, roi_sets, when_local) -> Path:
    """``roi_sets``: (frame UID, {name: contours}) per frame of reference."""
    ds = _base(RTSTRUCT_STORAGE, "RTSTRUCT", dict(study, series_number=91), generate_uid(), when_local)
    del ds.FrameOfReferenceUID, ds.PositionReferenceIndicator
    ds.SeriesDescription = "Synthetic phantom contours"
    ds.InstanceNumber = 1
    ds.StructureSetLabel, ds.StructureSetDate, ds.StructureSetTime = "PHANTOM", ds.StudyDate, ds.StudyTime
    ds.OperatorsName = ""
    frames, rois, contours_seq, observations = [], [], [], []
    number = 0
    for frame_uid, named in roi_sets:
        ref = Dataset()
        ref.FrameOfReferenceUID = frame_uid
        frames.append(ref)
        for name, contours in named.items():
            number += 1
            roi = Dataset()
            roi.ROINumber, roi.ReferencedFrameOfReferenceUID, roi.ROIName = number, frame_uid, name
            roi.ROIGenerationAlgorithm = "MANUAL"
            rois.append(roi)
            item = Dataset()
            item.ReferencedROINumber, item.ROIDisplayColor = number, [255, 0, 0]
            sequence = []
            for c in contours:
                contour = Dataset()
                contour.ContourGeometricType, contour.NumberOfContourPoints = "CLOSED_PLANAR", len(c)
                contour.ContourData = [f"{v:.6g}" for v in c.ravel()]
                sequence.append(contour)
            item.ContourSequence = sequence
            contours_seq.append(item)
            observation = Dataset()
            observation.ObservationNumber, observation.ReferencedROINumber = number, number
            observation.RTROIInterpretedType, observation.ROIInterpreter = "ORGAN", ""
            observations.append(observation)
    ds.ReferencedFrameOfReferenceSequence = frames
    ds.StructureSetROISequence, ds.ROIContourSequence = rois, contours_seq
    ds.RTROIObservationsSequence = observations
    return _save(ds, folder / "t0" / "rtstruct.dcm")


def _check(shape, voxel_mm, spect_fwhm_mm, units, modality, times_h, injected_MBq, calibration, shift):
    if len(shape) != 3 or min(shape) < 8:
        raise InputError(f"shape must be three sizes of at least 8 voxels, not {shape!r}", field="shape")
    if not (voxel_mm > 0 and spect_fwhm_mm >= 0 and injected_MBq > 0 and calibration > 0):
        raise InputError("voxel_mm, injected_MBq and the calibration must be positive, the FWHM ≥ 0", field="voxel_mm")
    if units not in ("BQML", "CNTS") or (modality == "PT" and units != "BQML"):
        raise InputError(
            f"units {units!r} with modality {modality!r}: NM takes BQML or CNTS, PT only BQML", field="units"
        )
    if modality not in ("NM", "PT"):
        raise InputError(f"modality must be NM or PT, not {modality!r}", field="modality")
    if not times_h or any(t <= 0 for t in times_h) or list(times_h) != sorted(set(times_h)):
        raise InputError(f"times_h must be increasing positive hours, not {times_h!r}", field="times_h")
    if len(shift) != 3:
        raise InputError("shift_mm_per_timepoint must be (x, y, z) in mm", field="shift_mm_per_timepoint")


def write_synthetic_study(
    folder: str | Path,
    *,
    nuclide: str = "Lu-177",
    injected_MBq: float = 7400.0,
    times_h: tuple[float, ...] = (4, 24, 96, 168),
    shape: tuple[int, int, int] = (48, 64, 64),
    voxel_mm: float = 4.8,
    spect_fwhm_mm: float = 10.0,
    units: str = "BQML",
    calibration_cps_per_MBq: float = 9.5,
    noise: bool = False,
    seed: int = 0,
    shift_mm_per_timepoint: tuple[float, float, float] = (0.0, 0.0, 0.0),
    write_seg: bool = True,
    write_rtstruct: bool = True,
    modality: str = "NM",
    ct_inplane_factor: int = 2,
    pet_decay_correction: str = "START",
    rtstruct_time_points: tuple[int, ...] = (0,),
) -> SyntheticTruth:
    """Write the study under ``folder`` (see the module notes) and return its truth.

    ``rtstruct_time_points``: time points whose regions are also written as ROIs in the RTSTRUCT, each on
    its own frame of reference (named "<region> @t<k>" for k > 0), as some systems store one contour set
    per time point.
    """
    nuclide = normalize_nuclide_name(nuclide)
    units, modality = str(units).upper(), str(modality).upper()
    _check(
        tuple(shape),
        voxel_mm,
        spect_fwhm_mm,
        units,
        modality,
        tuple(times_h),
        injected_MBq,
        calibration_cps_per_MBq,
        tuple(shift_mm_per_timepoint),
    )
    root = Path(folder)
    rng = np.random.default_rng(seed)
    half_life_h = get_nuclide(nuclide).half_life_s / 3600.0
    spacing = (float(voxel_mm),) * 3
    nz, ny, nx = shape
    origin = (-(nx - 1) / 2 * voxel_mm, -(ny - 1) / 2 * voxel_mm, -(nz - 1) / 2 * voxel_mm)
    half = (nx * voxel_mm / 2, ny * voxel_mm / 2, nz * voxel_mm / 2)
    margin = 2 * spect_fwhm_mm + voxel_mm
    body = _REGIONS[0].semi_axes_mm
    scale = min(
        1.0,
        (half[0] - margin) / body[0],
        (half[1] - margin) / body[1],
        (half[2] - margin) / max(abs(v) for v in _EXTENT_Z),
    )
    if scale <= 0.2:
        raise InputError(f"the field of view {shape} × {voxel_mm} mm is too small for the phantom", field="shape")
    body_half_z = half[2] - margin
    ct_factor = max(1, int(ct_inplane_factor))
    ct_spacing = (voxel_mm, voxel_mm / ct_factor, voxel_mm / ct_factor)
    ct_origin = (origin[0] - voxel_mm / 2 + ct_spacing[2] / 2, origin[1] - voxel_mm / 2 + ct_spacing[1] / 2, origin[2])
    ct_shape = (nz, ny * ct_factor, nx * ct_factor)
    hu_table = np.array([AIR_HU] + [r.hu for r in _REGIONS])
    sigma = [spect_fwhm_mm / (2 * math.sqrt(2 * math.log(2))) / s for s in spacing]
    duration_s = VIEWS * SECONDS_PER_VIEW
    injected_Bq = injected_MBq * 1e6
    names = tuple(r.name for r in _REGIONS)
    activity = {r.name: injected_Bq * r.kinetics.fraction_at(np.array(times_h, float), half_life_h) for r in _REGIONS}
    truth_masks: dict[str, np.ndarray] = {}
    frame_uids, series_uids, shifts, acquired = [], [], [], []
    files: dict[str, list[Path]] = {"spect": [], "ct": [], "seg": [], "rtstruct": []}
    roi_sets = []
    first_study = None
    for index, t_h in enumerate(times_h):
        shift = tuple(index * float(s) for s in shift_mm_per_timepoint)
        labels = _label_map(shape, spacing, origin, scale, body_half_z, shift)
        counts = np.bincount(labels.ravel(), minlength=len(_REGIONS) + 1)
        if index == 0:
            missing = [r.name for i, r in enumerate(_REGIONS, start=1) if counts[i] == 0]
            if missing:
                raise InputError(f"the grid is too coarse: no voxel for {', '.join(missing)}", field="voxel_mm")
            truth_masks = {r.name: labels == i for i, r in enumerate(_REGIONS, start=1)}
        per_voxel = np.zeros(len(_REGIONS) + 1)
        for i, r in enumerate(_REGIONS, start=1):
            per_voxel[i] = activity[r.name][index] / counts[i] if counts[i] else 0.0
        voxel_Bq = per_voxel[labels]
        if spect_fwhm_mm > 0:
            voxel_Bq = ndimage.gaussian_filter(voxel_Bq, sigma, mode="constant", truncate=4.0)
        voxel_Bq = np.maximum(voxel_Bq, 0.0)
        expected_counts = voxel_Bq / 1e6 * calibration_cps_per_MBq * duration_s
        if noise:
            voxel_Bq = rng.poisson(expected_counts).astype(np.float64) / (calibration_cps_per_MBq * duration_s) * 1e6
        when_utc = INJECTION_UTC + dt.timedelta(hours=float(t_h))
        when_local = (when_utc + ZONE_OFFSET).replace(tzinfo=None)
        study = {
            "study_uid": generate_uid(),
            "series_uid": generate_uid(),
            "frame_uid": generate_uid(),
            "series_number": 10 * (index + 1),
            "index": index,
        }
        first_study = first_study or study
        if modality == "NM":
            values = (
                voxel_Bq / (voxel_mm**3 / 1000.0)
                if units == "BQML"
                else voxel_Bq / 1e6 * (calibration_cps_per_MBq * duration_s)
            )
            files["spect"].append(
                _write_nm(root, study, values, units, spacing, origin, nuclide, injected_Bq, when_local)
            )
        else:
            files["spect"] += _write_pet(
                root,
                study,
                voxel_Bq / (voxel_mm**3 / 1000.0),
                spacing,
                origin,
                nuclide,
                injected_Bq,
                when_local,
                pet_decay_correction.upper(),
                float(t_h),
            )
        ct_labels = _label_map(ct_shape, ct_spacing, ct_origin, scale, body_half_z, shift)
        files["ct"] += _write_ct(root, study, hu_table[ct_labels], ct_spacing, ct_origin, when_local)
        if write_rtstruct and index in rtstruct_time_points:
            suffix = "" if index == 0 else f" @t{index}"
            roi_sets.append(
                (
                    study["frame_uid"],
                    {
                        f"{r.name}{suffix}": mask_contours(labels == i, spacing, origin)
                        for i, r in enumerate(_REGIONS, start=1)
                    },
                )
            )
        frame_uids.append(study["frame_uid"])
        series_uids.append(study["series_uid"])
        shifts.append(shift)
        acquired.append(when_utc)
    first_local = (acquired[0] + ZONE_OFFSET).replace(tzinfo=None)
    if write_seg:
        files["seg"].append(_write_seg(root, first_study, truth_masks, spacing, origin, first_local))
    if write_rtstruct and roi_sets:
        files["rtstruct"].append(_write_rtstruct(root, first_study, roi_sets, first_local))
    voxel_cm3 = voxel_mm**3 / 1000.0
    return SyntheticTruth(
        folder=root,
        nuclide=nuclide,
        injected_MBq=float(injected_MBq),
        injection_time=INJECTION_UTC,
        acquisition_times=tuple(acquired),
        times_h=tuple(float(t) for t in times_h),
        regions=names,
        kinetics={r.name: r.kinetics for r in _REGIONS},
        activity_Bq=activity,
        tia_Bq_s={r.name: injected_Bq * r.kinetics.integral_h(half_life_h) * 3600.0 for r in _REGIONS},
        masks=truth_masks,
        mass_g={r.name: float(truth_masks[r.name].sum() * voxel_cm3 * r.density_g_cm3) for r in _REGIONS},
        density_g_cm3={r.name: r.density_g_cm3 for r in _REGIONS},
        hu={r.name: r.hu for r in _REGIONS},
        spacing_mm=spacing,
        origin_mm=origin,
        shift_mm=tuple(shifts),
        frame_of_reference_uids=tuple(frame_uids),
        series_instance_uids=tuple(series_uids),
        scale=scale,
        files=files,
    )
