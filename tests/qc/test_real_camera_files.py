"""The NM QC readers and analyses on real gamma-camera QC files, and on compressed DICOM.

The real files are MEDISO Nucline / InterViewXP acquisitions from GitHub ``glpoli/NMQC`` (folder
``test images/``, commit d5c7577), Apache-2.0 licence (``nmqc/LICENSE``), kept in
``../shared/real-data/nmqc/`` beside the project; the tests that need them skip when the folder is absent.
Nobody on this project wrote those files. Where an analysis fits a file, its numbers are checked against
an independent calculation in this file (own peak search, parabola through three samples by ``np.polyfit``,
half-maximum crossings by ``np.interp``, header pixel spacing read with pydicom); where it does not fit,
the analysis must refuse with one line that says what it needs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.uid import JPEG2000Lossless, JPEGLSLossless, RLELossless
from scipy.signal import find_peaks

from nmguard.errors import InputError
from tests.cli.test_cli import run

NMQC = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-data" / "nmqc"
needs_real = pytest.mark.skipif(
    not NMQC.is_dir(), reason=f"real camera QC files not found at {NMQC} (GitHub glpoli/NMQC, Apache-2.0)"
)
STRIP_MM = 30.0  # NEMA NU 1 profile strips across the lines, as the analysis uses


def _real(name: str) -> Path:
    return NMQC / name


def independent_lines(path: Path, lines_vertical: bool) -> dict[str, float]:
    """FWHM (mm) and absolute linearity (mm) of a line-source image, computed here without NMGuard's code.

    Strips of 30 mm along the lines; in each strip's profile, per line: the parabola through the maximum sample
    and its neighbours (np.polyfit) gives the peak value and position; the half-maximum crossings are
    interpolated linearly (np.interp on each flank). A line counts in a strip where its peak is at least half
    its typical peak (median over the strips where it reaches half its upper-quartile peak). Linearity: per line
    a straight line fitted through its positions; the largest absolute deviation.
    """
    ds = pydicom.dcmread(path)
    img = ds.pixel_array.astype(float)
    row_mm, col_mm = (float(v) for v in ds.PixelSpacing)
    across_mm, along_mm = col_mm, row_mm
    if not lines_vertical:
        img, across_mm, along_mm = img.T, row_mm, col_mm
    per = int(round(STRIP_MM / along_mm))
    n = img.shape[0] // per
    profiles = img[: n * per].reshape(n, per, -1).sum(axis=1)
    total = profiles.sum(axis=0)
    peaks, _ = find_peaks(total, height=0.5 * total.max())
    edges = [0, *((peaks[:-1] + peaks[1:]) // 2), total.size]
    fwhm = np.full((n, peaks.size), np.nan)
    pos = np.full_like(fwhm, np.nan)
    height = np.full_like(fwhm, np.nan)
    for s in range(n):
        for j in range(peaks.size):
            seg = profiles[s, edges[j] : edges[j + 1]]
            i = int(np.argmax(seg))
            if i == 0 or i == seg.size - 1:
                continue  # no line in this strip: the maximum is at the edge of the segment
            a, b, c = np.polyfit([i - 1, i, i + 1], seg[i - 1 : i + 2], 2)
            x0 = -b / (2 * a)
            top = np.polyval([a, b, c], x0)
            half = top / 2
            left = i
            while left > 0 and seg[left] >= half:
                left -= 1
            right = i
            while right < seg.size - 1 and seg[right] >= half:
                right += 1
            if seg[left] >= half or seg[right] >= half:
                continue
            xl = np.interp(half, [seg[left], seg[left + 1]], [left, left + 1])
            xr = np.interp(half, [seg[right], seg[right - 1]], [right, right - 1])
            fwhm[s, j] = (xr - xl) * across_mm
            pos[s, j] = (edges[j] + x0) * across_mm
            height[s, j] = top
    typical = [np.median(h[h >= 0.5 * np.nanpercentile(h, 75)]) for h in height.T]  # median of the strong strips
    absent = ~(height >= 0.5 * np.array(typical))
    fwhm[absent] = pos[absent] = np.nan
    centres = (np.arange(n) + 0.5) * per * along_mm
    worst = 0.0
    for j in range(peaks.size):
        ok = ~np.isnan(pos[:, j])
        if ok.sum() >= 3:
            fit = np.polyval(np.polyfit(centres[ok], pos[ok, j], 1), centres[ok])
            worst = max(worst, float(np.max(np.abs(pos[ok, j] - fit))))
    return {"fwhm_mm": float(np.nanmean(fwhm)), "absolute_linearity_mm": worst, "n_lines": int(peaks.size)}


# --- line sources: resolution fits, linearity only where there are enough lines ---------------------------

# FWHM tolerance 0.05 mm (< 0.1 pixel of 0.59–1.03 mm): both sides use the NEMA definition; what may differ
# is only the strip at a line's end that one side keeps and the other does not.
FWHM_TOL_MM = 0.05


@needs_real
@pytest.mark.parametrize(("name", "vertical"), [("Spatial_Resol_X.dcm", True), ("Spatial_Resol_Y.dcm", False)])
def test_two_line_sources_give_fwhm_and_refuse_linearity(name, vertical):
    from nmguard.qc.nm.resolution import analyze_resolution

    result = analyze_resolution(_real(name), figure=False)
    expected = independent_lines(_real(name), vertical)
    assert result.parameters["orientation"] == ("vertical" if vertical else "horizontal")
    assert result.values["n_lines"].value == expected["n_lines"] == 2
    assert result.values["fwhm_mm"].value == pytest.approx(expected["fwhm_mm"], abs=FWHM_TOL_MM)
    assert 5.0 < result.values["fwhm_mm"].value < 10.0  # a collimated line source at 1.03 mm pixels
    assert result.inputs["pixel_spacing_mm"] == pytest.approx([1.0325, 1.0325], abs=1e-4)
    # two lines cannot show the linearity of a field: not reported, and said why
    assert result.values["absolute_linearity_mm"].value is None
    assert any("linearity needs at least 3" in w for w in result.warnings)
    with pytest.raises(InputError, match=r"needs at least 3 parallel lines.*has 2"):
        analyze_resolution(_real(name), figure=False, require_linearity=True)


@needs_real
@pytest.mark.parametrize(("name", "vertical", "lines"), [("Lin_X", False, 13), ("Lin_Y", True, 17)])
def test_linearity_images_without_extension(name, vertical, lines):
    """1024² line-pattern images (no .dcm extension): FWHM and absolute linearity as computed here."""
    from nmguard.qc.nm.resolution import analyze_resolution

    result = analyze_resolution(_real(name), figure=False, require_linearity=True)
    expected = independent_lines(_real(name), vertical)
    assert result.values["n_lines"].value == expected["n_lines"] == lines
    assert result.values["fwhm_mm"].value == pytest.approx(expected["fwhm_mm"], abs=FWHM_TOL_MM)
    # same positions and fit, so the largest deviation agrees to well under a pixel (0.59 mm)
    assert result.values["absolute_linearity_mm"].value == pytest.approx(expected["absolute_linearity_mm"], abs=0.05)
    assert result.values["absolute_linearity_mm"].value < 2.0
    assert 0 < result.values["differential_linearity_mm"].value <= result.values["absolute_linearity_mm"].value


# --- what an analysis cannot judge: one clear refusal, never a number --------------------------------------


@needs_real
@pytest.mark.parametrize(
    ("analysis", "name", "message"),
    [
        ("uniformity", "FourBar.dcm", r"FourBar.dcm is not a flood: its counts cover only \d+ %"),
        ("uniformity", "QuadrantBar.dcm", r"QuadrantBar.dcm is not a flood: it shows a repeating pattern"),
        ("uniformity", "Spatial_Resol_X.dcm", r"is not a flood"),
        ("uniformity", "Lin_Y", r"Lin_Y is not a flood"),
        ("uniformity", "Jaszack.dcm", r"reconstructed SPECT volume \(RECON TOMO, 45 slices\).*planar acquisition"),
        ("resolution", "FourBar.dcm", r"holds lines in both directions"),
        (
            "resolution",
            "QuadrantBar.dcm",
            r"does not show separated line sources: between \d+ of \d+ neighbouring peaks",
        ),
        ("resolution", "Jaszack.dcm", r"reconstructed SPECT volume"),
        ("cor", "Jaszack.dcm", r"reconstructed SPECT volume.*projection set"),
        ("cor", "Spatial_Resol_X.dcm", r"holds 1 frame\(s\) \(STATIC\).*projection set"),
    ],
)
def test_analyses_refuse_what_they_cannot_judge(analysis, name, message):
    from nmguard.qc.nm.cor import analyze_cor
    from nmguard.qc.nm.resolution import analyze_resolution
    from nmguard.qc.nm.uniformity import analyze_uniformity

    function = {"uniformity": analyze_uniformity, "resolution": analyze_resolution, "cor": analyze_cor}[analysis]
    with pytest.raises(InputError, match=message) as caught:
        function(_real(name), figure=False)
    assert "\n" not in str(caught.value)


# --- the CLI: exit 0 with numbers, or exit 2 with one line -------------------------------------------------


@needs_real
def test_cli_resolution_on_real_line_sources():
    r = run("qc", "resolution", str(_real("Spatial_Resol_X.dcm")), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    expected = independent_lines(_real("Spatial_Resol_X.dcm"), True)
    assert out["fwhm_mm"] == pytest.approx(expected["fwhm_mm"], abs=FWHM_TOL_MM)
    assert out["absolute_linearity_mm"] is None


@needs_real
def test_cli_spatial_linearity_on_file_without_extension():
    r = run("qc", "spatial-linearity", str(_real("Lin_Y")), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["absolute_linearity_mm"] == pytest.approx(
        independent_lines(_real("Lin_Y"), True)["absolute_linearity_mm"], abs=0.05
    )


@needs_real
@pytest.mark.parametrize(
    ("command", "name", "needle"),
    [
        ("spatial-linearity", "Spatial_Resol_Y.dcm", "needs at least 3 parallel lines"),
        ("uniformity", "QuadrantBar.dcm", "uniformity needs a flood image"),
        ("uniformity", "FourBar.dcm", "uniformity needs a flood image"),
        ("resolution", "FourBar.dcm", "lines in both directions"),
        ("resolution", "Jaszack.dcm", "needs a planar acquisition"),
        ("cor", "Jaszack.dcm", "needs the projection set"),
    ],
)
def test_cli_refuses_with_one_line(command, name, needle):
    r = run("qc", command, str(_real(name)))
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


# --- compressed transfer syntaxes decode in the QC readers ------------------------------------------------


def _encoder_available(uid) -> bool:
    from pydicom.pixels import get_encoder

    try:
        return bool(get_encoder(uid).is_available)
    except NotImplementedError:
        return False


@pytest.fixture(scope="module")
def flood_pair(tmp_path_factory):
    from nmguard.synthetic.nm_images import Square, flood, write_nm

    folder = tmp_path_factory.mktemp("compressed")
    image = flood((128, 128), counts_per_pixel=3000, squares=[Square(40, 40, 12, 0.08)], poisson=True, seed=3)
    return write_nm(folder / "flood.dcm", image, pixel_mm=3.2), folder


@pytest.mark.parametrize("syntax", [RLELossless, JPEGLSLossless, JPEG2000Lossless], ids=lambda u: u.name)
def test_compressed_flood_analyses_as_the_uncompressed_one(flood_pair, syntax):
    """A synthetic flood compressed by pydicom (lossless), saved without an extension, gives the same numbers."""
    from nmguard.qc.nm.dicom_planar import read_planar
    from nmguard.qc.nm.uniformity import analyze_uniformity

    if not _encoder_available(syntax):
        pytest.skip(f"no pydicom encoder available for {syntax.name}")
    plain, folder = flood_pair
    ds = pydicom.dcmread(plain)
    ds.compress(syntax)
    packed = folder / f"flood_{syntax.name.split()[0].replace('-', '')}"  # no .dcm extension
    ds.save_as(packed, enforce_file_format=True)
    assert pydicom.dcmread(packed).file_meta.TransferSyntaxUID == syntax
    np.testing.assert_array_equal(read_planar(packed).pixels, read_planar(plain).pixels)
    a = analyze_uniformity(plain, figure=False).values
    b = analyze_uniformity(packed, figure=False).values
    for key in ("integral_ufov_percent", "integral_cfov_percent", "differential_ufov_percent", "total_counts"):
        assert b[key].value == a[key].value
