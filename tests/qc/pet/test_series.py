import datetime as dt

import numpy as np
import pytest
from pydicom import dcmread

from nmguard.errors import InputError
from nmguard.qc.pet import describe_pet_series, read_pet_series, suv_calibration
from nmguard.synthetic import pet_phantom as synthetic
from tests.qc.pet.conftest import FILL, SCAN, write


@pytest.fixture
def small(tmp_path):
    ph = synthetic.uniform_cylinder(concentration=3000.0, diameter_mm=60.0, length_mm=40.0, voxel_mm=4.0, fwhm_mm=6.0)
    write(tmp_path, ph)
    return tmp_path / "series", ph


def _edit(directory, change):
    for path in sorted(directory.iterdir()):
        ds = dcmread(path)
        change(ds)
        ds.save_as(path)


def test_reads_volume_geometry_and_decay_facts(small):
    directory, ph = small
    files = sorted(directory.iterdir())
    series = read_pet_series(list(reversed(files)))  # a list of files, any order
    assert series.volume.shape == ph.volume.shape
    np.testing.assert_allclose(series.volume, ph.volume, atol=ph.volume.max() / 32000)
    assert series.spacing_mm == pytest.approx((4.0, 4.0, 4.0))
    assert series.origin_mm == pytest.approx(ph.origin_mm, abs=1e-3)
    assert series.injection_datetime == FILL and series.series_datetime == SCAN
    assert series.injected_activity_Bq == pytest.approx(100e6)
    assert series.half_life_s == pytest.approx(synthetic.F18_HALF_LIFE_S)
    assert series.scan_reference_datetime()[0] == SCAN
    result = describe_pet_series(directory)
    assert result.flat()["slice_spacing_mm"] == pytest.approx(4.0)


def test_no_files(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no files"):
        read_pet_series(tmp_path / "empty")
    (tmp_path / "empty" / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match="no DICOM image files"):
        read_pet_series(tmp_path / "empty")
    with pytest.raises(InputError, match="does not exist"):
        read_pet_series(tmp_path / "nowhere")


def test_mixed_series(tmp_path):
    ph = synthetic.uniform_cylinder(concentration=3000.0, diameter_mm=40.0, length_mm=20.0, voxel_mm=5.0, fwhm_mm=6.0)
    write(tmp_path, ph, name="mixed")
    write(tmp_path, ph, name="mixed/second")
    with pytest.raises(InputError, match="2 series mixed"):
        read_pet_series(tmp_path / "mixed")


def test_missing_image_position(small):
    directory, _ = small
    _edit(directory, lambda ds: ds.__delattr__("ImagePositionPatient") if ds.InstanceNumber == 3 else None)
    with pytest.raises(InputError, match=r"ImagePositionPatient \(0020,0032\) is missing") as err:
        read_pet_series(directory)
    assert err.value.field == "ImagePositionPatient"


@pytest.mark.parametrize(("units", "message"), [("CNTS", "Units CNTS is not supported"), ("", "Units .* missing")])
def test_unsupported_units(small, units, message):
    directory, _ = small
    _edit(directory, lambda ds: setattr(ds, "Units", units))
    with pytest.raises(InputError, match=message):
        read_pet_series(directory)


def test_not_pet_and_bad_decay_correction(small):
    directory, _ = small
    _edit(directory, lambda ds: setattr(ds, "DecayCorrection", "LATER"))
    with pytest.raises(InputError, match="DecayCorrection"):
        read_pet_series(directory)
    _edit(directory, lambda ds: setattr(ds, "Modality", "NM"))
    with pytest.raises(InputError, match="not PT"):
        read_pet_series(directory)


def test_missing_slice_and_injection_time(small):
    directory, ph = small
    _edit(
        directory,
        lambda ds: ds.RadiopharmaceuticalInformationSequence[0].__delattr__("RadiopharmaceuticalStartDateTime"),
    )
    with pytest.raises(InputError, match="RadiopharmaceuticalStartDateTime"):
        suv_calibration(directory, phantom_volume_mL=ph.volume_mL)
    sorted(directory.iterdir())[4].unlink()
    with pytest.raises(InputError, match="missing slices"):
        read_pet_series(directory)


def test_time_without_date_falls_back_with_warning(small):
    directory, _ = small

    def change(ds):
        item = ds.RadiopharmaceuticalInformationSequence[0]
        del item.RadiopharmaceuticalStartDateTime
        item.RadiopharmaceuticalStartTime = "090000"

    _edit(directory, change)
    series = read_pet_series(directory)
    assert series.injection_datetime == dt.datetime(2026, 3, 2, 9, 0)
    assert any("midnight" in w for w in series.warnings)
