"""RT Dose export: round trip within the DoseGridScaling quantisation, geometry, an independent parse."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pydicom
import pytest

from nmguard.errors import InputError
from nmguard.exchange.dicom.rtdose import RT_DOSE_STORAGE, read_rt_dose, rt_dose_geometry_problems, write_rt_dose

UIDS = {"frame_of_reference_uid": "1.2.826.0.1.3680043.9.1", "study_instance_uid": "1.2.826.0.1.3680043.9.2"}


def _write(tmp_path, dose, spacing=(4.0, 2.5, 3.0), origin=(-120.5, -80.25, 33.0), **kw):
    path = tmp_path / "dose.dcm"
    args = {**UIDS, "patient_id": "SYN-001", "patient_name": "Synthetic^Patient", **kw}
    return write_rt_dose(dose, spacing, origin, path, **args)


def _dose(shape=(5, 7, 9), seed=1):
    rng = np.random.default_rng(seed)
    d = rng.gamma(2.0, 4.0, size=shape)
    d[0, 0, 0] = 0.0
    return d


def test_round_trip_within_half_a_scaling_step(tmp_path):
    dose = _dose()
    path = _write(tmp_path, dose)
    back, spacing, origin = read_rt_dose(path)
    ds = pydicom.dcmread(path)
    s = float(ds.DoseGridScaling)
    # stated bound: |decoded - input| <= DoseGridScaling / 2 (+ float rounding), ~1.2e-10 x max dose
    assert s <= dose.max() / (2**32 - 1) * (1 + 1e-6)
    assert np.max(np.abs(back - dose)) <= s / 2 * (1 + 1e-9) + 1e-15
    assert back.shape == dose.shape
    assert spacing == (4.0, 2.5, 3.0)
    assert origin == (-120.5, -80.25, 33.0)


def test_header_read_directly_with_pydicom(tmp_path):
    dose = _dose((3, 4, 6))
    path = _write(tmp_path, dose, dose_summation_type="plan", comment="LD method")
    ds = pydicom.dcmread(path)
    assert ds.SOPClassUID == RT_DOSE_STORAGE == ds.file_meta.MediaStorageSOPClassUID
    assert ds.Modality == "RTDOSE"
    assert (ds.DoseUnits, ds.DoseType, ds.DoseSummationType) == ("GY", "PHYSICAL", "PLAN")
    assert (ds.Rows, ds.Columns, int(ds.NumberOfFrames)) == (4, 6, 3)
    assert (ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation) == (32, 32, 31, 0)
    assert [float(v) for v in ds.ImageOrientationPatient] == [1, 0, 0, 0, 1, 0]
    assert [float(v) for v in ds.ImagePositionPatient] == [-120.5, -80.25, 33.0]
    assert [float(v) for v in ds.PixelSpacing] == [2.5, 3.0]  # row spacing (y), column spacing (x)
    assert float(ds.SliceThickness) == 4.0
    assert [float(v) for v in ds.GridFrameOffsetVector] == [0.0, 4.0, 8.0]
    assert ds.FrameIncrementPointer == 0x3004000C
    assert ds.FrameOfReferenceUID == UIDS["frame_of_reference_uid"]
    assert ds.StudyInstanceUID == UIDS["study_instance_uid"]
    assert ds.PatientID == "SYN-001" and ds.DoseComment == "LD method"
    assert len(str(ds.DoseGridScaling)) <= 16
    # voxel [z=2, y=1, x=5] from the raw pixels, independently of read_rt_dose
    raw = ds.pixel_array
    assert raw.dtype == np.uint32
    assert raw[2, 1, 5] * float(ds.DoseGridScaling) == pytest.approx(dose[2, 1, 5], rel=1e-8)
    assert rt_dose_geometry_problems(ds) == []


def test_voxel_centres_map_to_patient_coordinates(tmp_path):
    dose = np.zeros((4, 3, 5))
    dose[3, 2, 4] = 7.0  # the last voxel: centre at origin + (4*3.0, 2*2.5, 3*4.0) in (x, y, z)
    path = _write(tmp_path, dose)
    ds = pydicom.dcmread(path)
    k, r, c = np.unravel_index(np.argmax(ds.pixel_array), ds.pixel_array.shape)
    ipp = [float(v) for v in ds.ImagePositionPatient]
    x = ipp[0] + c * float(ds.PixelSpacing[1])
    y = ipp[1] + r * float(ds.PixelSpacing[0])
    z = ipp[2] + float(ds.GridFrameOffsetVector[k])
    assert (x, y, z) == (-120.5 + 12.0, -80.25 + 5.0, 33.0 + 12.0)


def test_single_frame_and_zero_dose(tmp_path):
    dose = np.zeros((1, 2, 2))
    back, spacing, origin = read_rt_dose(_write(tmp_path, dose))
    assert np.all(back == 0) and back.shape == (1, 2, 2) and spacing[0] == 4.0


def test_reader_accepts_absolute_and_decreasing_offsets(tmp_path):
    dose = _dose((3, 2, 2))
    path = _write(tmp_path, dose)
    ds = pydicom.dcmread(path)
    ds.GridFrameOffsetVector = [33.0, 37.0, 41.0]  # absolute form: first = IPP z
    ds.save_as(tmp_path / "abs.dcm")
    back, spacing, origin = read_rt_dose(tmp_path / "abs.dcm")
    assert origin[2] == 33.0 and spacing[0] == 4.0 and np.allclose(back, dose, atol=1e-8)
    ds.GridFrameOffsetVector = [0.0, -4.0, -8.0]  # frames stacked towards -z
    ds.save_as(tmp_path / "neg.dcm")
    back, spacing, origin = read_rt_dose(tmp_path / "neg.dcm")
    assert origin[2] == 25.0 and spacing[0] == 4.0
    assert np.allclose(back, dose[::-1], atol=1e-8)


def test_reader_refuses_inconsistent_geometry(tmp_path):
    path = _write(tmp_path, _dose((3, 2, 2)))
    ds = pydicom.dcmread(path)
    ds.GridFrameOffsetVector = [0.0, 4.0, 9.0]
    ds.save_as(tmp_path / "bad.dcm")
    with pytest.raises(InputError, match="not uniform"):
        read_rt_dose(tmp_path / "bad.dcm")
    ds.GridFrameOffsetVector = [0.0, 4.0]
    ds.save_as(tmp_path / "bad2.dcm")
    with pytest.raises(InputError, match="2 values for 3 frames"):
        read_rt_dose(tmp_path / "bad2.dcm")
    ds.GridFrameOffsetVector = [0.0, 4.0, 8.0]
    ds.ImageOrientationPatient = [0, 1, 0, 1, 0, 0]
    ds.save_as(tmp_path / "bad3.dcm")
    with pytest.raises(InputError, match="not axial"):
        read_rt_dose(tmp_path / "bad3.dcm")


def test_dcmtk_parses_it(tmp_path):
    dcmdump = shutil.which("dcmdump")
    if dcmdump is None:
        pytest.skip("DCMTK dcmdump not installed")
    path = _write(tmp_path, _dose())
    out = subprocess.run([dcmdump, "-E", str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "RTDoseStorage" in out.stdout and "GridFrameOffsetVector" in out.stdout
    dciodvfy = shutil.which("dciodvfy")
    if dciodvfy:  # dicom3tools' IOD verifier, where installed: no errors for the RT Dose IOD
        ver = subprocess.run([dciodvfy, str(path)], capture_output=True, text=True, timeout=60)
        assert "Error" not in ver.stdout + ver.stderr, ver.stdout + ver.stderr


@pytest.mark.parametrize(
    "dose, spacing, origin, field",
    [
        (np.array([[[1.0, np.nan]]]), (1, 1, 1), (0, 0, 0), "dose_Gy"),
        (np.array([[[1.0, np.inf]]]), (1, 1, 1), (0, 0, 0), "dose_Gy"),
        (np.array([[[1.0, -0.1]]]), (1, 1, 1), (0, 0, 0), "dose_Gy"),
        (np.ones((2, 2)), (1, 1, 1), (0, 0, 0), "dose_Gy"),
        (np.ones((2, 2, 2)), (1, 0, 1), (0, 0, 0), "spacing_mm"),
        (np.ones((2, 2, 2)), (1, -2, 1), (0, 0, 0), "spacing_mm"),
        (np.ones((2, 2, 2)), (1, 1), (0, 0, 0), "spacing_mm"),
        (np.ones((2, 2, 2)), (1, float("nan"), 1), (0, 0, 0), "spacing_mm"),
        (np.ones((2, 2, 2)), (1, 1, 1), (0, float("inf"), 0), "origin_mm"),
    ],
)
def test_writer_refuses_bad_input(tmp_path, dose, spacing, origin, field):
    with pytest.raises(InputError) as err:
        _write(tmp_path, dose, spacing=spacing, origin=origin)
    assert err.value.field == field
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_writer_refuses_bad_identifiers(tmp_path):
    with pytest.raises(InputError):
        _write(tmp_path, _dose(), dose_summation_type="WHOLE")
    with pytest.raises(InputError):
        write_rt_dose(
            _dose(),
            (1, 1, 1),
            (0, 0, 0),
            tmp_path / "x.dcm",
            frame_of_reference_uid="1.2.x",
            study_instance_uid="1.2.3",
            patient_id="P",
        )
