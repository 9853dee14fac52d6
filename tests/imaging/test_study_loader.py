"""load_study on synthetic DICOM studies: times, units, geometry, totals, PET decay correction, bad input."""

import datetime as dt
import shutil

import numpy as np
import pydicom
import pytest
from pydicom.uid import generate_uid

from nmguard.errors import InputError
from nmguard.imaging.study import load_study
from nmguard.imaging.synthetic_patient import write_synthetic_study

SHAPE = (40, 48, 48)
TIMES = (4, 24, 96)
# the truth is the activity before blurring; the Gaussian blur loses < 0.1 % at the field-of-view edge and the
# uint16 rescale rounding is random per voxel, so 1 % is a safe bound that still catches a unit error
TOTAL_REL = 0.01


@pytest.fixture(scope="module")
def bqml(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bqml")
    return folder, write_synthetic_study(folder, shape=SHAPE, times_h=TIMES)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A two-time-point study without RTSTRUCT and with a CT on the SPECT grid, copied and broken by each test."""
    folder = tmp_path_factory.mktemp("small")
    write_synthetic_study(folder, shape=SHAPE, times_h=(4, 24), write_rtstruct=False, ct_inplane_factor=1)
    return folder


def test_bqml_round_trip(bqml):
    folder, truth = bqml
    seen = []
    study = load_study(folder, progress=lambda message, fraction: seen.append(fraction))
    assert study.nuclide == "Lu-177"
    assert study.injected_activity_MBq == pytest.approx(7400.0)
    assert study.injection_time == truth.injection_time  # files carry +0100 local times
    assert study.injection_time.tzinfo is not None and study.patient_id == "SYNTH-001"
    assert len(study.time_points) == 3
    for index, tp in enumerate(study.time_points):
        assert tp.acquired == truth.acquisition_times[index]
        assert tp.hours_after_injection == pytest.approx(TIMES[index], abs=1e-9)
        assert tp.units_in_file == "BQML" and tp.modality == "NM"
        assert tp.total_activity_Bq == pytest.approx(truth.total_activity_Bq(index), rel=TOTAL_REL)
        assert tp.activity_Bq.spacing_mm == truth.spacing_mm
        assert tp.activity_Bq.origin_mm == pytest.approx(truth.origin_mm)
        assert tp.activity_Bq.frame_of_reference_uid == truth.frame_of_reference_uids[index]
        assert tp.ct_hu is not None and tp.ct_hu.shape == (SHAPE[0], 2 * SHAPE[1], 2 * SHAPE[2])
        assert tp.ct_hu.frame_of_reference_uid == tp.activity_Bq.frame_of_reference_uid
    # the liver holds its activity where the truth says (blur spills some out: recovery 0.7-1.0 in a 1-voxel shell)
    liver = study.time_points[1].activity_Bq.array
    assert 0.7 < liver[truth.masks["Liver"]].sum() / truth.activity_Bq["Liver"][1] < 1.0
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_counts_need_the_calibration_factor(tmp_path):
    truth = write_synthetic_study(
        tmp_path,
        shape=SHAPE,
        times_h=(24, 96),
        units="CNTS",
        write_seg=False,
        write_rtstruct=False,
        ct_inplane_factor=1,
    )
    with pytest.raises(InputError) as info:
        load_study(tmp_path)
    assert info.value.field == "calibration_cps_per_MBq"
    study = load_study(tmp_path, calibration_cps_per_MBq=9.5)
    for index, tp in enumerate(study.time_points):
        assert tp.units_in_file == "CNTS"
        assert tp.total_activity_Bq == pytest.approx(truth.total_activity_Bq(index), rel=TOTAL_REL)
    doubled = load_study(tmp_path, calibration_cps_per_MBq=19.0)
    assert doubled.time_points[0].total_activity_Bq == pytest.approx(study.time_points[0].total_activity_Bq / 2)


@pytest.mark.parametrize("correction", ["START", "ADMIN"])
def test_pet_series(tmp_path, correction):
    truth = write_synthetic_study(
        tmp_path,
        shape=SHAPE,
        times_h=(4, 24),
        modality="PT",
        write_seg=False,
        write_rtstruct=False,
        ct_inplane_factor=1,
        pet_decay_correction=correction,
    )
    study = load_study(tmp_path)
    for index, tp in enumerate(study.time_points):
        assert tp.modality == "PT" and tp.units_in_file == "BQML"
        # ADMIN files hold activity × e^(λt) (1.6 % more at 4 h for Lu-177): the loader must take it back out
        assert tp.total_activity_Bq == pytest.approx(truth.total_activity_Bq(index), rel=TOTAL_REL / 2)
        assert tp.activity_Bq.origin_mm == pytest.approx(truth.origin_mm)
    assert any("ADMIN" in w for w in study.warnings) == (correction == "ADMIN")


def test_single_time_point_warns(tmp_path):
    write_synthetic_study(tmp_path, shape=SHAPE, times_h=(24,), write_seg=False, write_rtstruct=False)
    study = load_study(tmp_path)
    assert len(study.time_points) == 1
    assert any("single-time-point" in w for w in study.warnings)


def test_without_zone_offset_times_are_utc(tmp_path, small):
    folder = tmp_path / "s"
    shutil.copytree(small, folder)
    for path in folder.rglob("*.dcm"):
        ds = pydicom.dcmread(path)
        del ds.TimezoneOffsetFromUTC
        ds.save_as(path)
    study = load_study(folder)
    # acquisitions are read as UTC (one hour later than the truth); the injection keeps its explicit +0100
    assert study.time_points[0].hours_after_injection == pytest.approx(4 + 1)
    assert study.injection_time == dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def test_injection_time_without_date(tmp_path, small):
    folder = tmp_path / "s"
    shutil.copytree(small, folder)

    def time_only(ds, path):
        info = ds.RadiopharmaceuticalInformationSequence[0]
        del info.RadiopharmaceuticalStartDateTime
        info.RadiopharmaceuticalStartTime = "090000"  # local (+0100) = 08:00 UTC, the truth

    _edit(folder, "t*/spect.dcm", time_only)
    study = load_study(folder)
    assert study.injection_time == dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    assert any("injection date was taken" in w for w in study.warnings)


def _edit(folder, pattern, change):
    for path in sorted(folder.rglob(pattern)):
        ds = pydicom.dcmread(path)
        change(ds, path)
        ds.save_as(path)


def _oblique(folder):
    def tilt(ds, path):
        ds.DetectorInformationSequence[0].ImageOrientationPatient = [1, 0, 0, 0, 0.9848, 0.1736]

    _edit(folder, "t1/spect.dcm", tilt)


def _uneven(folder):
    def move(ds, path):
        if path.name == "0005.dcm":
            ds.ImagePositionPatient[2] = float(ds.ImagePositionPatient[2]) + 1.5

    _edit(folder, "t0/ct/*.dcm", move)


def _same_time(folder):
    t0 = pydicom.dcmread(folder / "t0" / "spect.dcm")

    def copy_time(ds, path):
        ds.AcquisitionDate, ds.AcquisitionTime = t0.AcquisitionDate, t0.AcquisitionTime

    _edit(folder, "t1/spect.dcm", copy_time)


def _injection_after(folder):
    def late(ds, path):
        ds.RadiopharmaceuticalInformationSequence[0].RadiopharmaceuticalStartDateTime = "20260302140000+0100"

    _edit(folder, "t*/spect.dcm", late)


def _other_nuclide(folder):
    def y90(ds, path):
        info = ds.RadiopharmaceuticalInformationSequence[0]
        info.RadionuclideCodeSequence[0].CodeValue = "14691008"  # Y-90 in reference/data/dicom_codes.csv
        info.Radiopharmaceutical = "Y-90 microspheres"

    _edit(folder, "t1/spect.dcm", y90)


def _other_activity(folder):
    def double(ds, path):
        ds.RadiopharmaceuticalInformationSequence[0].RadionuclideTotalDose = 2 * 7400e6

    _edit(folder, "t1/spect.dcm", double)


def _unknown_units(folder):
    def units(ds, path):
        ds.Units = "PROPCPS"
        del ds.RealWorldValueMappingSequence

    _edit(folder, "t0/spect.dcm", units)


def _no_start(folder):
    def drop(ds, path):
        del ds.RadiopharmaceuticalInformationSequence[0].RadiopharmaceuticalStartDateTime

    _edit(folder, "t*/spect.dcm", drop)


def _no_activity(folder):
    def drop(ds, path):
        del ds.RadiopharmaceuticalInformationSequence[0].RadionuclideTotalDose

    _edit(folder, "t*/spect.dcm", drop)


def _foreign_seg(folder):
    def frame(ds, path):
        ds.FrameOfReferenceUID = generate_uid()

    _edit(folder, "t0/seg.dcm", frame)


def _no_emission(folder):
    for path in folder.rglob("spect.dcm"):
        path.unlink()


@pytest.mark.parametrize(
    ("breaker", "field", "words"),
    [
        (_oblique, "geometry", "oblique"),
        (_uneven, "geometry", "uneven slice spacing"),
        (_same_time, "time_points", "same time"),
        (_injection_after, "time_points", "before the injection"),
        (_other_nuclide, "nuclide", "different nuclides"),
        (_other_activity, "injected_activity", "different injected activities"),
        (_unknown_units, "units", "unknown units"),
        (_no_start, "injection_time", "injection time"),
        (_no_activity, "injected_activity", "RadionuclideTotalDose"),
        (_foreign_seg, "voi", "matches no"),
        (_no_emission, "time_points", "no reconstructed"),
    ],
)
def test_bad_studies_are_refused(tmp_path, small, breaker, field, words):
    folder = tmp_path / "s"
    shutil.copytree(small, folder)
    breaker(folder)
    with pytest.raises(InputError) as info:
        load_study(folder)
    assert info.value.field == field
    assert words in str(info.value)


def test_bad_arguments(tmp_path, small):
    with pytest.raises(InputError) as info:
        load_study(tmp_path / "absent")
    assert info.value.field == "folder"
    with pytest.raises(InputError) as info:
        load_study(small, calibration_cps_per_MBq=-1.0)
    assert info.value.field == "calibration_cps_per_MBq"
    with pytest.raises(InputError) as info:
        load_study(small, calibration_cps_per_MBq="fast")
    assert info.value.field == "calibration_cps_per_MBq"


def test_non_dicom_files_are_skipped(tmp_path, small):
    folder = tmp_path / "s"
    shutil.copytree(small, folder)
    (folder / "notes.txt").write_text("not DICOM")
    study = load_study(folder)
    assert any("not DICOM" in w for w in study.warnings)
    assert np.all(study.time_points[0].activity_Bq.array >= 0)
