"""Every file of ``../shared/real-data`` (files NMGuard did not write; sources and licences in its README) through
NMGuard's readers: the DICOM opener, the pixel decoder, and the reader each file is meant for (the QC frame
reader for the camera images, the study reader for the SPECT/CT). Expected values come from the headers read
here with plain pydicom, not from the readers under test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from nmguard.imaging.dicom_files import read_dicom
from nmguard.qc.nm.dicom_planar import read_frames

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-data"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"real vendor files absent ({REAL}); CI has it")
NOT_DICOM = {"LICENSE", "README.md"}


def _files() -> list[Path]:
    if not REAL.is_dir():
        return []
    return sorted(p for p in REAL.rglob("*") if p.is_file() and p.name not in NOT_DICOM)


def _id(path: Path) -> str:
    return str(path.relative_to(REAL)) if len(path.parts) > 3 else path.name


FILES = _files()


def test_the_folder_holds_what_its_readme_lists():
    names = {p.name for p in (REAL / "nmqc").iterdir()} - NOT_DICOM
    assert names == {
        "FourBar.dcm",
        "QuadrantBar.dcm",
        "Spatial_Resol_X.dcm",
        "Spatial_Resol_Y.dcm",
        "Lin_X",
        "Lin_Y",
        "Jaszack.dcm",
    }
    maa = [p for p in FILES if "mgh-maa-spect-ct" in p.parts]
    assert len(maa) == 1 + 78 + 1  # SPECT, CT slices, RTSTRUCT


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_every_file_opens_and_its_pixels_decode_to_the_header_shape(path):
    plain = pydicom.dcmread(path, force=True)
    ds = read_dicom(path)
    assert ds.SOPInstanceUID == plain.SOPInstanceUID
    if "PixelData" not in plain:
        assert plain.Modality == "RTSTRUCT"
        return
    frames = int(plain.get("NumberOfFrames", 1) or 1)
    expected = (int(plain.Rows), int(plain.Columns)) if frames == 1 else (frames, int(plain.Rows), int(plain.Columns))
    pixels = ds.pixel_array
    assert pixels.shape == expected
    assert np.isfinite(pixels.astype(np.float64)).all()


@pytest.mark.parametrize("path", [p for p in FILES if "nmqc" in p.parts], ids=_id)
def test_every_camera_file_reads_as_qc_frames_with_its_header_geometry(path):
    plain = pydicom.dcmread(path, stop_before_pixels=True)
    stack = read_frames(path)
    frames = int(plain.get("NumberOfFrames", 1) or 1)
    assert stack.frames.shape == (frames, int(plain.Rows), int(plain.Columns))
    spacing = [float(v) for v in plain.PixelSpacing]
    assert stack.pixel_size_mm == pytest.approx(tuple(spacing))
    assert stack.inputs["manufacturer"] == str(plain.get("Manufacturer", ""))
    assert stack.frames.min() >= 0  # counts


def test_the_spect_ct_reads_as_a_study_and_the_camera_files_do_not():
    """The study reader takes the MAA SPECT/CT and refuses a camera QC file (not a reconstruction with a
    frame of reference and injection) with an error, not a traceback."""
    from nmguard.errors import InputError
    from nmguard.imaging.study import load_study

    study = load_study(REAL / "mgh-maa-spect-ct")
    assert study.nuclide == "Tc-99m" and len(study.time_points) == 1
    with pytest.raises(InputError):
        load_study(REAL / "nmqc")
