"""load_study on synthetic DICOM studies: times, units, geometry, totals, PET decay correction, bad input."""

import datetime as dt
import math
import shutil

import numpy as np
import pydicom
import pytest
from pydicom.uid import generate_uid

from nmguard.errors import InputError
from nmguard.imaging.study import load_study
from nmguard.synthetic.patient import write_synthetic_study

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
        info.RadionuclideCodeSequence[0].CodeMeaning = "^90^Yttrium"
        info.Radiopharmaceutical = "Y-90 microspheres"

    _edit(folder, "t1/spect.dcm", y90)


def _other_activity(folder):
    def double(ds, path):
        ds.RadiopharmaceuticalInformationSequence[0].RadionuclideTotalDose = 2 * 7400  # MBq in the NM IOD

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


# ------------------------------------------------------------------ vendor headers (issue 11)


def _one_time_point(tmp_path, **kwargs):
    """A single-time-point Lu-177 NM study without VOIs (7400 MBq injected, acquired 24 h after)."""
    truth = write_synthetic_study(
        tmp_path, shape=SHAPE, times_h=(24,), write_seg=False, write_rtstruct=False, ct_inplane_factor=1, **kwargs
    )
    return truth, next(tmp_path.rglob("spect.dcm"))


def test_nm_total_dose_is_mbq_and_a_bq_value_is_refused(tmp_path):
    """PS3.3 C.8.4.10.1.7: NM Radionuclide Total Dose is in MBq (the PET IOD's is in Bq; test_pet_series)."""
    _, spect = _one_time_point(tmp_path)
    assert pydicom.dcmread(spect).RadiopharmaceuticalInformationSequence[0].RadionuclideTotalDose == 7400
    assert load_study(tmp_path).injected_activity_MBq == pytest.approx(7400.0)
    _edit(
        tmp_path,
        "t0/spect.dcm",
        lambda ds, p: setattr(ds.RadiopharmaceuticalInformationSequence[0], "RadionuclideTotalDose", 7.4e9),
    )
    with pytest.raises(InputError, match=r"is MBq .*writer probably stored Bq") as info:
        load_study(tmp_path)
    assert info.value.field == "injected_activity"


def _set_code(scheme, code, meaning):
    def change(ds, path):
        item = ds.RadiopharmaceuticalInformationSequence[0].RadionuclideCodeSequence[0]
        item.CodingSchemeDesignator, item.CodeValue, item.CodeMeaning = scheme, code, meaning
        ds.RadiopharmaceuticalInformationSequence[0].Radiopharmaceutical = "therapy"

    return change


@pytest.mark.parametrize(
    ("scheme", "code", "meaning"),
    [
        ("99SDM", "C-101ED", "177 Lutetium"),  # Siemens: the SRT code under its private designator
        ("SRT", "C-101ED", "^177^Lutetium"),  # the retired SNOMED-RT code
        ("99VENDOR", "X1", "^177^Lutetium"),  # an unknown code, read from its meaning
        ("99VENDOR", "X1", "Lutetium-177"),
        ("99VENDOR", "X1", "Lu-177"),
    ],
)
def test_vendor_radionuclide_codes(tmp_path, scheme, code, meaning):
    _one_time_point(tmp_path)
    _edit(tmp_path, "t0/spect.dcm", _set_code(scheme, code, meaning))
    assert load_study(tmp_path).nuclide == "Lu-177"


def test_unrecognised_code_names_what_was_given_and_nuclide_overrides(tmp_path):
    _one_time_point(tmp_path)
    _edit(tmp_path, "t0/spect.dcm", _set_code("99VENDOR", "X1", "Mystery isotope"))
    with pytest.raises(InputError) as info:
        load_study(tmp_path)
    assert info.value.field == "nuclide"
    assert "not given" not in str(info.value)
    assert "(99VENDOR, X1, 'Mystery isotope')" in str(info.value) and "--nuclide" in str(info.value)
    assert load_study(tmp_path, nuclide="177Lu").nuclide == "Lu-177"


def test_nuclide_override_that_contradicts_the_codes_is_refused(tmp_path):
    _one_time_point(tmp_path)
    with pytest.raises(InputError, match="contradicts the files, which give Lu-177") as info:
        load_study(tmp_path, nuclide="Y-90")
    assert info.value.field == "nuclide"
    assert load_study(tmp_path, nuclide="Lu-177").nuclide == "Lu-177"


def test_code_and_meaning_that_disagree_are_refused(tmp_path):
    _one_time_point(tmp_path)
    _edit(tmp_path, "t0/spect.dcm", _set_code("99SDM", "C-163A8", "^177^Lutetium"))  # C-163A8 is Tc-99m
    with pytest.raises(InputError, match="the code means Tc-99m but the meaning says Lu-177"):
        load_study(tmp_path)


def _tilt(iop):
    return lambda ds, path: setattr(ds.DetectorInformationSequence[0], "ImageOrientationPatient", iop)


def test_small_table_tilt_is_resampled_and_reported(tmp_path):
    truth, _ = _one_time_point(tmp_path)
    axial = load_study(tmp_path).time_points[0].activity_Bq
    angle = math.radians(0.4)  # rotation about x (table sag), as in the Siemens MAA study
    _edit(tmp_path, "t0/spect.dcm", _tilt([1, 0, 0, 0, math.cos(angle), -math.sin(angle)]))
    study = load_study(tmp_path)
    tilted = study.time_points[0].activity_Bq
    assert tilted.same_grid(axial) and any("tilted 0.40°" in w for w in study.warnings)
    assert tilted.array.sum() == pytest.approx(axial.array.sum(), rel=TOTAL_REL)
    # the activity moved as the rotation says: centroid z shifts by -(y - y0) sin θ
    zz, yy, _ = np.indices(axial.shape)
    w0, w1 = axial.array, tilted.array
    y_mm = (yy * axial.spacing_mm[1] * w0).sum() / w0.sum()
    dz_mm = ((zz * w1).sum() / w1.sum() - (zz * w0).sum() / w0.sum()) * axial.spacing_mm[0]
    assert dz_mm == pytest.approx(-y_mm * math.sin(angle), abs=0.05 * axial.spacing_mm[0])


def test_resampling_a_tilted_point_lands_where_the_geometry_says():
    from nmguard.imaging.nm_geometry import resample_tilted_to_axial

    angle = math.radians(0.8)
    row, col = np.array([math.cos(angle), 0, -math.sin(angle)]), np.array([0.0, 1.0, 0.0])
    values = np.zeros((20, 20, 20))
    values[10, 10, 15] = 1.0  # k, j, i
    first, spacing = np.array([-40.0, -30.0, 100.0]), (4.0, 4.0, 4.0)
    where = first + 15 * 4.0 * row + 10 * 4.0 * col + 10 * 4.0 * np.cross(row, col)
    out = resample_tilted_to_axial(values, spacing, first, [*row, *col])
    zz, yy, xx = np.indices(out.shape)
    centroid = [(a * out.array).sum() / out.array.sum() for a in (xx, yy, zz)]
    assert np.allclose(first + np.array(centroid) * 4.0, where, atol=0.05)


def test_oblique_beyond_the_tolerance_is_refused_with_the_angle(tmp_path):
    _one_time_point(tmp_path)
    angle = math.radians(3.0)
    _edit(tmp_path, "t0/spect.dcm", _tilt([1, 0, 0, 0, math.cos(angle), -math.sin(angle)]))
    with pytest.raises(InputError, match=r"oblique \(3.00° .*up to 1°") as info:
        load_study(tmp_path)
    assert info.value.field == "geometry"


def test_negative_values_after_rescale_are_refused(tmp_path):
    _one_time_point(tmp_path)

    def negative(ds, path):
        del ds.RealWorldValueMappingSequence
        ds.RescaleIntercept = "-100"

    _edit(tmp_path, "t0/spect.dcm", negative)
    with pytest.raises(InputError, match="voxels are negative after the rescale") as info:
        load_study(tmp_path)
    assert info.value.field == "units"


def test_rescale_slope_and_intercept_apply(tmp_path):
    _one_time_point(tmp_path)
    base = load_study(tmp_path).time_points[0].activity_Bq.array

    def rescale(ds, path):
        slope = float(ds.RescaleSlope)
        del ds.RealWorldValueMappingSequence
        ds.RescaleSlope, ds.RescaleIntercept = f"{2 * slope:.10g}", f"{1e-6:.10g}"

    _edit(tmp_path, "t0/spect.dcm", rescale)
    rescaled = load_study(tmp_path).time_points[0].activity_Bq
    assert np.allclose(rescaled.array, 2 * base + 1e-6 * rescaled.voxel_volume_mL)  # Bq/mL × mL


def _no_units(ds, path):
    del ds.Units
    del ds.RealWorldValueMappingSequence


def test_counts_without_units_are_refused_unless_calibrated(tmp_path):
    _one_time_point(tmp_path)
    _edit(tmp_path, "t0/spect.dcm", _no_units)
    with pytest.raises(InputError, match=r"no Units \(0054,1001\).*--calibration-cps-per-MBq") as info:
        load_study(tmp_path)
    assert info.value.field == "calibration_cps_per_MBq"


@pytest.mark.parametrize("units", ["", "CNTS"])
def test_counts_of_a_trapped_radiopharmaceutical_are_scaled_to_the_injection(tmp_path, units):
    """MAA / microspheres stay where they lodge: the image holds the injected activity decayed (physical) to the
    acquisition, 7400 MBq × 2^(−24 h / 6.647 d) for Lu-177 (the synthetic study's nuclide)."""
    _one_time_point(tmp_path)

    def maa(ds, path):
        _no_units(ds, path)
        if units:
            ds.Units = units
        ds.RadiopharmaceuticalInformationSequence[0].Radiopharmaceutical = "Lu-177 microspheres"

    _edit(tmp_path, "t0/spect.dcm", maa)
    study = load_study(tmp_path)
    expected = 7400e6 * 2 ** (-24 / (6.647 * 24))
    assert study.time_points[0].total_activity_Bq == pytest.approx(expected, rel=1e-3)
    assert any("trapped where it lodges" in w for w in study.warnings)


def test_study_start_stands_in_for_a_missing_injection_time(tmp_path):
    _one_time_point(tmp_path)

    def drop(ds, path):
        del ds.RadiopharmaceuticalInformationSequence[0].RadiopharmaceuticalStartDateTime
        ds.StudyTime = "070000"  # local +0100: 06:00 UTC on the acquisition day

    _edit(tmp_path, "t0/spect.dcm", drop)
    study = load_study(tmp_path)
    assert study.injection_time == dt.datetime.combine(
        study.time_points[0].acquired.date(), dt.time(6, 0), tzinfo=dt.UTC
    )
    assert any("study start" in w and "taken as the injection" in w for w in study.warnings)


def test_injection_time_option_agrees_with_or_contradicts_the_files(small):
    """The files give 2026-03-02 09:00+01:00. The same instant, in UTC or without an offset (read in the files'
    zone, +01:00), is accepted and the files' value kept; an hour off is refused, naming both."""
    truth = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    assert load_study(small, injection_time="2026-03-02T08:00:30+00:00").injection_time == truth
    assert load_study(small, injection_time="2026-03-02T09:00").injection_time == truth
    with pytest.raises(InputError) as exc:
        load_study(small, injection_time="2026-03-02T10:00")
    assert exc.value.field == "injection_time"
    assert "contradicts the files, which give 2026-03-02T08:00:00+00:00" in str(exc.value)


@pytest.mark.parametrize("syntax", ["RLELossless", "JPEGLSLossless", "JPEG2000Lossless"])
def test_compressed_transfer_syntaxes_read_back_equal(tmp_path, syntax):
    """pydicom encodes (RLE natively; JPEG-LS and JPEG 2000 through the locked pylibjpeg plugins) and the
    reader decodes to the same activities."""
    import pydicom.uid
    from pydicom.pixels import get_encoder

    uid = getattr(pydicom.uid, syntax)
    if not get_encoder(uid).is_available:
        pytest.skip(f"no {syntax} encoder installed: {get_encoder(uid).missing_dependencies}")
    _, spect = _one_time_point(tmp_path)
    plain = load_study(tmp_path).time_points[0].activity_Bq.array
    ds = pydicom.dcmread(spect)
    ds.compress(uid)
    ds.save_as(spect)
    assert pydicom.dcmread(spect).file_meta.TransferSyntaxUID == uid
    assert np.array_equal(load_study(tmp_path).time_points[0].activity_Bq.array, plain)


def _tilt_slices(folder, pattern, angle_deg):
    """Tilt a one-file-per-slice series about x by ``angle_deg``: orientation and positions along the normal."""
    angle = math.radians(angle_deg)
    row, col = np.array([1.0, 0.0, 0.0]), np.array([0.0, math.cos(angle), -math.sin(angle)])
    normal = np.cross(row, col)
    paths = sorted(folder.rglob(pattern))
    z0 = min(float(pydicom.dcmread(p).ImagePositionPatient[2]) for p in paths)
    for path in paths:
        ds = pydicom.dcmread(path)
        ipp = np.array([float(v) for v in ds.ImagePositionPatient])
        start = np.array([ipp[0], ipp[1], z0])
        ds.ImagePositionPatient = [f"{v:.6f}" for v in start + (ipp[2] - z0) * normal]
        ds.ImageOrientationPatient = [f"{v:.8f}" for v in (*row, *col)]
        ds.save_as(path)


def test_tilted_pet_and_ct_slice_series_are_resampled_and_reported(tmp_path):
    write_synthetic_study(
        tmp_path, shape=SHAPE, times_h=(24,), modality="PT", write_seg=False, write_rtstruct=False, ct_inplane_factor=1
    )
    axial = load_study(tmp_path).time_points[0]
    _tilt_slices(tmp_path, "pet/*.dcm", 0.5)
    _tilt_slices(tmp_path, "ct/*.dcm", 0.5)
    study = load_study(tmp_path)
    tp = study.time_points[0]
    assert tp.activity_Bq.same_grid(axial.activity_Bq) and tp.ct_hu.same_grid(axial.ct_hu)
    assert tp.total_activity_Bq == pytest.approx(axial.total_activity_Bq, rel=TOTAL_REL)
    assert sum("tilted 0.50°" in w for w in study.warnings) == 2  # the PET and the CT
    assert tp.ct_hu.array.min() >= -1000.0 - 1e-6  # outside the tilted CT is air, not 0 HU water
    _tilt_slices(tmp_path, "ct/*.dcm", 2.0)
    with pytest.raises(InputError, match=r"CT series .* oblique \(2.00°") as info:
        load_study(tmp_path)
    assert info.value.field == "geometry"
