"""Reading NM/PT DICOM: frames, detectors, pixel-spacing variants and the error messages."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest

from nmguard.errors import InputError
from nmguard.qc.nm.dicom_planar import read_planar
from nmguard.qc.nm.uniformity import analyze_uniformity
from nmguard.synthetic import nm_images as syn


@pytest.fixture
def two_detector_file(tmp_path):
    # frames: (window 1, det 1), (window 1, det 2), (window 2, det 1), (window 2, det 2); each a distinct level
    frames = np.stack([np.full((32, 32), v) for v in (100.0, 200.0, 300.0, 400.0)])
    return syn.write_nm(
        tmp_path / "multi.dcm", frames, 4.8, detector_vector=[1, 2, 1, 2], energy_window_vector=[1, 1, 2, 2]
    )


def test_default_frame_is_zero_and_recorded(two_detector_file):
    img = read_planar(two_detector_file)
    assert img.pixels.mean() == 100.0
    assert img.inputs["frame_index"] == 0 and img.inputs["frame_selection"] == "default frame 0"
    assert img.inputs["number_of_frames"] == 4 and img.inputs["detector"] == 1


def test_choose_by_detector_and_energy_window(two_detector_file):
    assert read_planar(two_detector_file, detector=2).pixels.mean() == 200.0
    img = read_planar(two_detector_file, detector=2, energy_window=2)
    assert img.pixels.mean() == 400.0 and img.inputs["frame_index"] == 3
    assert read_planar(two_detector_file, frame=2).pixels.mean() == 300.0


def test_multiframe_flood_analyses_the_chosen_detector(tmp_path):
    flat = syn.flood((128, 128), 400.0, poisson=False)
    hot = syn.flood((128, 128), 400.0, [syn.Square(48, 48, 16, 0.2)], poisson=False)
    path = syn.write_nm(tmp_path / "f.dcm", np.stack([flat, hot]), 3.2, detector_vector=[1, 2])
    assert analyze_uniformity(path, figure=False).flat()["integral_cfov_percent"] == pytest.approx(0.0, abs=1e-9)
    r2 = analyze_uniformity(path, detector=2, figure=False)
    assert r2.flat()["integral_cfov_percent"] == pytest.approx(100 * 0.2 / 2.2, abs=1e-9)
    assert r2.inputs["detector"] == 2 and r2.flat()["rebin_factor"] == 2


def test_pixel_spacing_from_detector_information_sequence(tmp_path):
    path = syn.write_nm(tmp_path / "d.dcm", np.full((16, 16), 5.0), 2.4, spacing_location="detector")
    img = read_planar(path)
    assert img.pixel_size_mm == (2.4, 2.4)
    assert "DetectorInformationSequence" in img.inputs["pixel_spacing_source"]


def test_pt_modality_with_rescale(tmp_path):
    path = syn.write_nm(tmp_path / "p.dcm", np.full((16, 16), 10.0), 4.0, modality="PT")
    ds = pydicom.dcmread(path)
    ds.RescaleSlope = 2.5
    ds.save_as(path)
    img = read_planar(path)
    assert img.inputs["modality"] == "PT" and img.pixels.mean() == 25.0


@pytest.mark.parametrize(
    ("kwargs", "message", "field"),
    [
        ({"pixel_mm": None, "spacing_location": "none"}, "no PixelSpacing", "pixel_spacing"),
        ({"with_pixels": False}, "not an image", "file"),
        ({"modality": "CT"}, "modality CT", "modality"),
    ],
)
def test_bad_dicom_names_what_is_missing(tmp_path, kwargs, message, field):
    path = syn.write_nm(tmp_path / "bad.dcm", np.full((16, 16), 5.0), **{"pixel_mm": 2.0, **kwargs})
    with pytest.raises(InputError) as err:
        analyze_uniformity(path)
    assert message in err.value.message and err.value.field == field


def test_empty_frame_and_missing_frame(tmp_path):
    path = syn.write_nm(tmp_path / "e.dcm", np.stack([np.full((16, 16), 5.0), np.zeros((16, 16))]), 2.0)
    with pytest.raises(InputError, match="empty frame"):
        read_planar(path, frame=1)
    with pytest.raises(InputError, match="frame 5 does not exist"):
        read_planar(path, frame=5)
    with pytest.raises(InputError, match="no DetectorVector"):
        read_planar(path, detector=1)


def test_not_dicom_and_missing_file(tmp_path):
    junk = tmp_path / "junk.dcm"
    junk.write_bytes(b"this is not DICOM")
    with pytest.raises(InputError, match="junk.dcm is not a DICOM file") as refused:
        read_planar(junk)
    assert "force" not in refused.value.message  # no library advice reaches the user
    with pytest.raises(InputError, match="not found"):
        read_planar(tmp_path / "absent.dcm")
