"""Dose maps of activity with an exactly zero background (issue 11, item 2).

The float32 FFT convolution leaves tiny negatives (about 1e-7 of the maximum) where the activity is
exactly zero; the RT Dose writer rightly refuses negative doses. ``dvk_dose`` sets negatives no larger
than ``FFT_ROUND_OFF_FRACTION`` × max to zero and reports them; a real negative still fails the writer.
"""

from __future__ import annotations

import numpy as np
import pydicom
import pytest

from nmguard.dosimetry.dvk import (
    FFT_ROUND_OFF_FRACTION,
    _convolve,
    clip_round_off,
    dvk_dose,
    dvk_dose_with_round_off,
    voxel_kernel,
)
from nmguard.errors import InputError
from nmguard.exchange.dicom.rtdose import read_rt_dose, write_rt_dose

VOXEL_MM = 4.0
IDS = {
    "frame_of_reference_uid": "1.2.826.0.1.3680043.9.11",
    "study_instance_uid": "1.2.826.0.1.3680043.9.12",
    "patient_id": "SYN-011",
}


def sphere_activity(shape=(32, 32, 32), radius_vox=5.0) -> np.ndarray:
    """1e9 decays per voxel inside a sphere, exactly 0 outside."""
    z, y, x = np.indices(shape) - (np.array(shape)[:, None, None, None] - 1) / 2
    return np.where(z**2 + y**2 + x**2 <= radius_vox**2, 1e9, 0.0)


@pytest.fixture(scope="module")
def kernel():
    return voxel_kernel("Lu-177", VOXEL_MM, radius_mm=12.0)


def test_raw_convolution_leaves_round_off_negatives(kernel):
    """The defect: without clipping the zero background holds negatives of about 1e-7 of the maximum."""
    raw = _convolve(sphere_activity(), kernel)
    assert raw.min() < 0
    assert -raw.min() / raw.max() < FFT_ROUND_OFF_FRACTION


def test_zero_background_dose_map_is_non_negative_and_written(kernel, tmp_path):
    act = sphere_activity()
    raw = _convolve(act, kernel)
    dose, round_off = dvk_dose_with_round_off(act, kernel)
    assert dose.min() >= 0.0
    assert round_off.clipped_voxels == int(np.count_nonzero(raw < 0)) > 0
    assert round_off.largest_clipped_Gy == pytest.approx(-raw.min())
    assert round_off.max_Gy == pytest.approx(raw.max())
    assert "FFT round-off" in round_off.warning() and str(round_off.clipped_voxels) in round_off.warning()
    # clipping changes nothing but the round-off voxels
    keep = raw >= 0
    assert np.array_equal(dose[keep], raw[keep])
    assert np.array_equal(dvk_dose(act, kernel), dose)
    path = write_rt_dose(dose, (VOXEL_MM,) * 3, (0.0, 0.0, 0.0), tmp_path / "rtdose.dcm", **IDS)
    back, _, _ = read_rt_dose(path)
    assert back.min() >= 0 and back.max() == pytest.approx(dose.max(), rel=1e-4)
    assert pydicom.dcmread(path).Modality == "RTDOSE"


def test_real_negative_is_not_clipped_and_the_writer_refuses_it(tmp_path):
    dose = np.zeros((4, 5, 6))
    dose[2, 2, 2] = 10.0
    dose[0, 0, 0] = -1e-3 * 10.0  # far above round-off: an error upstream, not the FFT
    dose[0, 0, 1] = -1e-7 * 10.0  # round-off
    clipped, round_off = clip_round_off(dose)
    assert round_off.clipped_voxels == 1 and clipped[0, 0, 1] == 0.0
    assert clipped[0, 0, 0] == pytest.approx(-1e-2)
    with pytest.raises(InputError) as exc:
        write_rt_dose(clipped, (VOXEL_MM,) * 3, (0.0, 0.0, 0.0), tmp_path / "bad.dcm", **IDS)
    assert exc.value.field == "dose_Gy" and "negative" in exc.value.message
    assert not (tmp_path / "bad.dcm").exists()


def test_no_clipping_reported_for_a_map_without_negatives():
    clipped, round_off = clip_round_off(np.ones((2, 2, 2)))
    assert round_off.clipped_voxels == 0 and round_off.warning() is None
    assert np.array_equal(clipped, np.ones((2, 2, 2)))
