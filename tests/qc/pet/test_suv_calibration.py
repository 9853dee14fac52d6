import datetime as dt
import math

import pytest

from nmguard.errors import InputError
from nmguard.qc.pet import suv_calibration
from nmguard.synthetic import pet_phantom as synthetic
from tests.qc.pet.conftest import FILL, SCAN, write

HALF_LIFE = 6586.2


def _cylinder(tmp_path, miscalibration=1.05, decay_correction="START", **kw):
    true_at_scan = 5000.0  # Bq/mL at the series time
    ph = synthetic.uniform_cylinder(
        concentration=true_at_scan * miscalibration,
        diameter_mm=200.0,
        length_mm=180.0,
        voxel_mm=4.0,
        fwhm_mm=7.0,
        noise_cov=0.1,
        seed=1,
    )
    elapsed = (SCAN - FILL).total_seconds()
    activity_at_fill = true_at_scan * ph.volume_mL * math.exp(math.log(2) * elapsed / HALF_LIFE)
    write(
        tmp_path,
        ph,
        injected_activity_Bq=activity_at_fill,
        half_life_s=HALF_LIFE,
        decay_correction=decay_correction,
        **kw,
    )
    return ph, activity_at_fill


def test_five_percent_miscalibration_gives_five_percent_bias(tmp_path):
    ph, _ = _cylinder(tmp_path)
    result = suv_calibration(tmp_path / "series", phantom_volume_mL=ph.volume_mL)
    flat = result.flat()
    assert flat["bias_percent"] == pytest.approx(5.0, abs=0.1)  # noise 10 %/voxel over ~8000 voxels: ~0.1 % of mean
    assert flat["mean_suv"] == pytest.approx(1.05, abs=0.001)
    assert flat["expected_Bq_per_mL"] == pytest.approx(5000.0, rel=1e-4)
    assert flat["within_tolerance"] is True and result.passed is True
    assert flat["cov_percent"] == pytest.approx(10.0, rel=0.1)
    assert any("unverified" in w for w in result.warnings)
    assert result.values["within_tolerance"].status == "unverified"


def test_fifteen_percent_fails(tmp_path):
    ph, _ = _cylinder(tmp_path, miscalibration=0.85)
    result = suv_calibration(tmp_path / "series", phantom_volume_mL=ph.volume_mL)
    assert result.flat()["bias_percent"] == pytest.approx(-15.0, abs=0.1)
    assert result.passed is False


def test_admin_decay_correction_uses_no_decay(tmp_path):
    true_at_fill = 8000.0
    ph = synthetic.uniform_cylinder(concentration=true_at_fill, voxel_mm=4.0, fwhm_mm=7.0)
    write(tmp_path, ph, injected_activity_Bq=true_at_fill * ph.volume_mL, decay_correction="ADMIN")
    assert suv_calibration(tmp_path / "series", phantom_volume_mL=ph.volume_mL).flat()["bias_percent"] == pytest.approx(
        0.0, abs=0.05
    )


def test_activity_override_and_missing_injection_data(tmp_path):
    ph, activity = _cylinder(tmp_path, miscalibration=1.0)
    from pydicom import dcmread

    for path in (tmp_path / "series").iterdir():
        ds = dcmread(path)
        del ds.RadiopharmaceuticalInformationSequence[0].RadionuclideTotalDose
        ds.save_as(path)
    with pytest.raises(InputError, match="RadionuclideTotalDose"):
        suv_calibration(tmp_path / "series", phantom_volume_mL=ph.volume_mL)
    result = suv_calibration(
        tmp_path / "series", phantom_volume_mL=ph.volume_mL, injected_activity_Bq=activity, activity_datetime=FILL
    )
    assert result.flat()["bias_percent"] == pytest.approx(0.0, abs=0.1)
    with pytest.raises(InputError, match="volume"):
        suv_calibration(tmp_path / "series", phantom_volume_mL=0)
    assert isinstance(FILL, dt.datetime)
