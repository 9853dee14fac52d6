"""Dose Parametric Map export: float32 round trip, exact geometry, codes, source references, bad input."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pydicom
import pytest

from nmguard.errors import InputError
from nmguard.exchange.dicom.parametric_map import (
    PARAMETRIC_MAP_STORAGE,
    read_dose_parametric_map,
    write_dose_parametric_map,
)
from nmguard.exchange.dicom.rtdose import write_rt_dose
from nmguard.synthetic.patient import write_synthetic_study

SHAPE = (16, 24, 24)
# spect_fwhm_mm=6 because the default 10 mm blur leaves too small a field of view for the phantom at this size
STUDY = {"shape": SHAPE, "voxel_mm": 6.0, "spect_fwhm_mm": 6.0, "times_h": (24,), "write_seg": False}


@pytest.fixture(scope="module")
def nm(tmp_path_factory):
    truth = write_synthetic_study(tmp_path_factory.mktemp("nm"), **STUDY, write_rtstruct=False)
    return truth, pydicom.dcmread(truth.files["spect"][0])


@pytest.fixture(scope="module")
def pet(tmp_path_factory):
    truth = write_synthetic_study(tmp_path_factory.mktemp("pt"), **STUDY, write_rtstruct=False, modality="PT")
    slices = [pydicom.dcmread(p) for p in truth.files["spect"]]
    return truth, slices[::-1]  # given in decreasing z: the writer must sort them


def _dose(seed=3):
    d = np.random.default_rng(seed).gamma(2.0, 3.0, size=SHAPE)
    d[0, 0, 0] = 0.0
    d[5, 6, 7] = 1234.5678901234  # a value that float32 cannot hold exactly
    return d


def _ids(ds):
    return {
        "frame_of_reference_uid": ds.FrameOfReferenceUID,
        "study_instance_uid": ds.StudyInstanceUID,
        "patient_id": ds.PatientID,
    }


def _write(tmp_path, truth, sources, dose=None, **kw):
    args = {"source_images": sources, **_ids(sources[0]), "patient_name": "Synthetic^Patient", **kw}
    dose = _dose() if dose is None else dose
    return write_dose_parametric_map(dose, truth.spacing_mm, truth.origin_mm, tmp_path / "pm" / "dose.dcm", **args)


def _frame_refs(ds):
    out = []
    for item in ds.PerFrameFunctionalGroupsSequence:
        ref = item.DerivationImageSequence[0].SourceImageSequence[0]
        out.append((ref.ReferencedSOPInstanceUID, ref.get("ReferencedFrameNumber")))
    return out


def test_round_trip_from_nm_source(tmp_path, nm):
    truth, src = nm
    dose = _dose()
    path = _write(tmp_path, truth, [src], dose)
    values, spacing, origin = read_dose_parametric_map(path)
    # float32 storage: the decoded map is exactly float32(dose); relative error at most 2^-24 (half an ulp)
    np.testing.assert_array_equal(values, dose.astype(np.float32).astype(np.float64))
    nonzero = dose > 0
    assert np.max(np.abs(values[nonzero] - dose[nonzero]) / dose[nonzero]) <= 2.0**-24
    assert values[5, 6, 7] != dose[5, 6, 7]  # the test would notice a float64 writer
    # geometry exact: the header values of the synthetic grid (6 mm, -69/-69/-45 mm) are exact decimals
    assert spacing == truth.spacing_mm
    assert origin == truth.origin_mm
    assert list(tmp_path.joinpath("pm").iterdir()) == [path]  # no temporary file left behind


def test_header_codes_and_references(tmp_path, nm):
    truth, src = nm
    ds = pydicom.dcmread(_write(tmp_path, truth, [src]))
    assert ds.SOPClassUID == PARAMETRIC_MAP_STORAGE == pydicom.uid.ParametricMapStorage
    assert ds.file_meta.MediaStorageSOPClassUID == PARAMETRIC_MAP_STORAGE
    assert "FloatPixelData" in ds and ds.BitsAllocated == 32
    assert (ds.PatientID, ds.StudyInstanceUID, ds.FrameOfReferenceUID) == (
        src.PatientID,
        src.StudyInstanceUID,
        src.FrameOfReferenceUID,
    )
    assert ds.SeriesDescription == "Absorbed dose" and ds.ContentLabel == "DOSE"
    mapping = ds.SharedFunctionalGroupsSequence[0].RealWorldValueMappingSequence[0]
    unit = mapping.MeasurementUnitsCodeSequence[0]
    assert (unit.CodeValue, unit.CodingSchemeDesignator) == ("Gy", "UCUM")
    quantity = mapping.QuantityDefinitionSequence[0]
    assert quantity.ConceptNameCodeSequence[0].CodeValue == "246205007"  # SCT "Quantity"
    code = quantity.ConceptCodeSequence[0]
    assert (code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning) == ("128513", "DCM", "Absorbed Dose")
    assert (mapping.RealWorldValueSlope, mapping.RealWorldValueIntercept) == (1.0, 0.0)
    # frames stored in increasing z, each derived from the NM frame at the same position
    z = [float(f.PlanePositionSequence[0].ImagePositionPatient[2]) for f in ds.PerFrameFunctionalGroupsSequence]
    assert z == [truth.origin_mm[2] + k * truth.spacing_mm[0] for k in range(SHAPE[0])]
    assert _frame_refs(ds) == [(src.SOPInstanceUID, k + 1) for k in range(SHAPE[0])]
    # pydicom decodes the float pixel data the same way as the independent reader
    np.testing.assert_array_equal(ds.pixel_array, _dose().astype(np.float32))


def test_nm_source_stacked_towards_minus_z(tmp_path, nm):
    """An NM file with negative SpacingBetweenSlices: dose frame k (increasing z) is NM frame n - k."""
    truth, src = nm
    flipped = pydicom.dcmread(truth.files["spect"][0], stop_before_pixels=True)
    n, dz = SHAPE[0], truth.spacing_mm[0]
    top = truth.origin_mm[2] + (n - 1) * dz
    flipped.DetectorInformationSequence[0].ImagePositionPatient = [truth.origin_mm[0], truth.origin_mm[1], top]
    flipped.SpacingBetweenSlices = -dz
    ds = pydicom.dcmread(_write(tmp_path, truth, [flipped]))
    assert _frame_refs(ds) == [(src.SOPInstanceUID, n - k) for k in range(n)]
    _, spacing, origin = read_dose_parametric_map(tmp_path / "pm" / "dose.dcm")
    assert (spacing, origin) == (truth.spacing_mm, truth.origin_mm)


def test_round_trip_from_pet_slices(tmp_path, pet):
    truth, slices = pet
    dose = _dose(7)
    path = _write(tmp_path, truth, slices, dose)
    values, spacing, origin = read_dose_parametric_map(path)
    np.testing.assert_array_equal(values, dose.astype(np.float32).astype(np.float64))
    assert (spacing, origin) == (truth.spacing_mm, truth.origin_mm)
    by_z = sorted(slices, key=lambda s: float(s.ImagePositionPatient[2]))
    assert _frame_refs(pydicom.dcmread(path)) == [(s.SOPInstanceUID, None) for s in by_z]


def test_dcmtk_parses_it(tmp_path, nm):
    dcmdump = shutil.which("dcmdump")
    if dcmdump is None:
        pytest.skip("DCMTK dcmdump not installed")
    truth, src = nm
    path = _write(tmp_path, truth, [src])
    out = subprocess.run([dcmdump, "-E", str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "ParametricMapStorage" in out.stdout and "FloatPixelData" in out.stdout


def test_overwrites_atomically(tmp_path, nm):
    truth, src = nm
    _write(tmp_path, truth, [src], _dose(1))
    path = _write(tmp_path, truth, [src], _dose(2))
    np.testing.assert_array_equal(read_dose_parametric_map(path)[0], _dose(2).astype(np.float32))


def _bad_dose(change):
    d = _dose()
    change(d)
    return d


@pytest.mark.parametrize(
    "dose, kw, field",
    [
        (_bad_dose(lambda d: d.__setitem__((1, 1, 1), np.nan)), {}, "dose_Gy"),
        (_bad_dose(lambda d: d.__setitem__((1, 1, 1), np.inf)), {}, "dose_Gy"),
        (_bad_dose(lambda d: d.__setitem__((1, 1, 1), -0.5)), {}, "dose_Gy"),
        (_bad_dose(lambda d: d.__setitem__((1, 1, 1), 1e39)), {}, "dose_Gy"),  # beyond float32
        (np.ones(SHAPE[1:]), {}, "dose_Gy"),  # 2-D
        (np.ones((15, 24, 24)), {}, "dose_Gy"),  # not the source grid's shape
        (None, {"spacing": (6.0, 6.0, 5.0)}, "spacing_mm"),  # not the source grid's spacing
        (None, {"spacing": (6.0, 0.0, 6.0)}, "spacing_mm"),
        (None, {"origin": (-69.0, -69.0, -42.0)}, "origin_mm"),  # half a slice off
        (None, {"frame_of_reference_uid": "1.2.3.4"}, "frame_of_reference_uid"),
        (None, {"study_instance_uid": "1.2.3.5"}, "study_instance_uid"),
        (None, {"patient_id": "OTHER"}, "patient_id"),
        (None, {"patient_id": " "}, "patient_id"),
        (None, {"patient_name": "Other^Person"}, "patient_name"),
        (None, {"source_images": None}, "source_images"),
        (None, {"source_images": []}, "source_images"),
        (None, {"content_label": "dose map"}, "content_label"),
    ],
)
def test_bad_input_is_refused(tmp_path, nm, dose, kw, field):
    truth, src = nm
    kw = dict(kw)
    spacing, origin = kw.pop("spacing", truth.spacing_mm), kw.pop("origin", truth.origin_mm)
    args = {"source_images": [src], **_ids(src), **kw}
    target = tmp_path / "dose.dcm"
    with pytest.raises(InputError) as err:
        write_dose_parametric_map(_dose() if dose is None else dose, spacing, origin, target, **args)
    assert err.value.field == field
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file


def test_reader_refuses_other_files(tmp_path, nm):
    truth, src = nm
    rtdose = write_rt_dose(_dose(), truth.spacing_mm, truth.origin_mm, tmp_path / "rtdose.dcm", **_ids(src))
    with pytest.raises(InputError, match="not Parametric Map Storage") as err:
        read_dose_parametric_map(rtdose)
    assert err.value.field == "path"
    (tmp_path / "junk.dcm").write_bytes(b"not dicom")
    with pytest.raises(InputError):
        read_dose_parametric_map(tmp_path / "junk.dcm")
    ds = pydicom.dcmread(_write(tmp_path, truth, [src]))
    ds.SharedFunctionalGroupsSequence[0].RealWorldValueMappingSequence[0].MeasurementUnitsCodeSequence[
        0
    ].CodeValue = "mGy"
    ds.save_as(tmp_path / "mgy.dcm")
    with pytest.raises(InputError, match="not Gy"):
        read_dose_parametric_map(tmp_path / "mgy.dcm")
