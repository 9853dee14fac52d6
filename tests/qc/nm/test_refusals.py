"""What the NM QC analyses refuse, on synthetic images (the real MEDISO files showed each case; see
tests/qc/test_real_camera_files.py): phantom images in the flood analysis, crossed or unseparated lines and
too few lines for linearity in the line-source analysis, reconstructed volumes in the planar and COR readers.
"""

from __future__ import annotations

import numpy as np
import pytest

from nmguard.errors import InputError
from nmguard.qc.nm.resolution import line_source_analysis
from nmguard.qc.nm.uniformity import uniformity_from_array
from nmguard.synthetic import nm_images as syn


def _bars(shape=(256, 256), period_px=8, counts=2000.0, seed=0) -> np.ndarray:
    """A flood seen through a bar phantom: every other half period attenuated to 40 %."""
    cols = np.arange(shape[1])
    transmission = np.where((cols // (period_px // 2)) % 2 == 0, 1.0, 0.4)
    expected = counts * np.repeat(transmission[None, :], shape[0], axis=0)
    return np.random.default_rng(seed).poisson(expected).astype(float)


def test_flood_with_a_failed_tube_is_analysed_not_refused():
    """A real defect (a blurred cold region of −50 %) must give a large uniformity, never a refusal."""
    from scipy import ndimage

    expected = np.full((128, 128), 20000.0)
    expected[40:70, 50:80] *= 0.5
    expected = ndimage.gaussian_filter(expected, 4)
    image = np.random.default_rng(1).poisson(expected).astype(float)
    result = uniformity_from_array(image, 3.2, figure=False)
    assert result.values["integral_ufov_percent"].value > 20


def test_bar_phantom_is_not_a_flood():
    with pytest.raises(InputError, match=r"is not a flood: it shows a repeating pattern with a period of 8\.0 mm"):
        uniformity_from_array(_bars(period_px=8), 1.0, inputs={"file": "bars.dcm"}, figure=False)


def test_line_sources_are_not_a_flood():
    image = syn.line_sources((256, 256), 1.0, 5.0, positions_mm=(100.0, 150.0), peak_counts=500)
    with pytest.raises(InputError, match=r"lines.dcm is not a flood: its counts cover only \d+ % of the matrix"):
        uniformity_from_array(image, 1.0, inputs={"file": "lines.dcm"}, figure=False)


def test_two_lines_give_widths_but_no_linearity():
    image = syn.line_sources((240, 256), 1.0, 6.0, positions_mm=(100.0, 150.0), peak_counts=1000)
    result = line_source_analysis(image, 1.0, {"file": "two.dcm"}, figure=False)
    assert result.values["n_lines"].value == 2
    assert result.values["fwhm_mm"].value == pytest.approx(6.0, abs=0.1)
    assert result.values["absolute_linearity_mm"].value is None
    assert result.values["differential_linearity_mm"].value is None
    assert any("needs at least 3 parallel lines" in w for w in result.warnings)
    with pytest.raises(InputError, match=r"two.dcm has 2 \(2 in at least 3 strips\)"):
        line_source_analysis(image, 1.0, {"file": "two.dcm"}, figure=False, require_linearity=True)


def test_short_lines_leave_out_the_strips_beyond_their_ends():
    """Lines over the middle third of the image: strips without the line used to give linearity of ~100 mm."""
    image = syn.line_sources((300, 256), 1.0, 5.0, positions_mm=(60.0, 100.0, 140.0, 180.0), peak_counts=1000)
    image[:100] = 0.0
    image[200:] = 0.0
    result = line_source_analysis(image, 1.0, figure=False, strip_mm=20.0)
    assert result.values["absolute_linearity_mm"].value < 0.05  # straight lines
    assert result.values["fwhm_mm"].value == pytest.approx(5.0, abs=0.1)
    assert any("left out: the line is absent there" in w for w in result.warnings)


def test_crossed_lines_and_bars_are_refused():
    square = syn.line_sources((256, 256), 1.0, 4.0, positions_mm=(100.0, 160.0), peak_counts=500)
    square[:100] = square[161:] = 0.0
    square += square.T  # the four sides of a square, as the MEDISO four-bar image
    with pytest.raises(InputError, match="lines in both directions"):
        line_source_analysis(square, 1.0, {"file": "square.dcm"}, figure=False)
    with pytest.raises(InputError, match="does not show separated line sources"):
        line_source_analysis(_bars(period_px=8), 1.0, {"file": "bars.dcm"}, figure=False)


def test_reconstructed_volume_refused_by_planar_and_cor_readers(tmp_path):
    from nmguard.qc.nm.cor import analyze_cor
    from nmguard.qc.nm.dicom_planar import read_planar

    volume = np.full((8, 64, 64), 100.0)
    path = syn.write_nm(tmp_path / "recon", volume, pixel_mm=4.0, image_type="RECON TOMO")  # no extension
    with pytest.raises(InputError, match=r"recon is a reconstructed SPECT volume \(RECON TOMO, 8 slices\)"):
        read_planar(path)
    with pytest.raises(InputError, match="needs the projection set of a point source"):
        analyze_cor(path)
    single = syn.write_nm(tmp_path / "static.dcm", np.full((64, 64), 100.0), pixel_mm=4.0)
    with pytest.raises(InputError, match=r"static.dcm holds 1 frame\(s\) \(STATIC\)"):
        analyze_cor(single)


def test_undecodable_compressed_pixel_data_is_one_line(tmp_path):
    """pydicom lists each decoder plugin's failure on its own line; the reader's error is one line with the syntax."""
    import pydicom
    from pydicom.encaps import encapsulate
    from pydicom.uid import JPEG2000Lossless

    from nmguard.qc.nm.dicom_planar import read_planar

    ds = pydicom.dcmread(syn.write_nm(tmp_path / "f.dcm", np.full((64, 64), 100.0), pixel_mm=4.0))
    ds.compress(JPEG2000Lossless)
    ds.PixelData = encapsulate([b"\x00not a codestream" * 4])
    ds.save_as(tmp_path / "broken", enforce_file_format=True)
    with pytest.raises(
        InputError, match=r"pixel data of broken \(JPEG 2000 Image Compression \(Lossless Only\)\)"
    ) as e:
        read_planar(tmp_path / "broken")
    assert "\n" not in str(e.value)
