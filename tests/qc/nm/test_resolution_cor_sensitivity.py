"""Line-source FWHM/FWTM, centre of rotation, sensitivity and tomographic uniformity on known synthetic truth."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from nmguard.qc.nm.cor import analyze_cor, cor_from_projections
from nmguard.qc.nm.resolution import analyze_resolution, lsf_widths
from nmguard.qc.nm.sensitivity import analyze_sensitivity
from nmguard.qc.nm.tomographic import tomographic_uniformity_from_volume
from nmguard.synthetic import nm_images as syn

# Gaussian: FWHM = 2√(2 ln2)·σ, FWTM = 2√(2 ln10)·σ (independent of the code under test)
FWTM_OVER_FWHM = math.sqrt(math.log(10.0) / math.log(2.0))


@pytest.mark.parametrize(("fwhm_mm", "pixel_mm"), [(4.0, 0.4), (3.5, 0.3), (9.0, 0.8)])
def test_gaussian_lsf_fwhm_and_fwtm_recovered(tmp_path, fwhm_mm, pixel_mm):
    image = syn.line_sources((int(120 / pixel_mm), int(150 / pixel_mm)), pixel_mm, fwhm_mm, (30.0, 70.0, 110.0))
    path = syn.write_nm(tmp_path / "lines.dcm", image, pixel_mm)
    result = analyze_resolution(path, line_spacing_mm=40.0)
    flat = result.flat()
    assert flat["n_lines"] == 3 and flat["n_strips"] == round(120 / pixel_mm) // round(30 / pixel_mm)
    assert flat["fwhm_mm"] == pytest.approx(fwhm_mm, rel=0.02)
    assert flat["fwtm_mm"] == pytest.approx(fwhm_mm * FWTM_OVER_FWHM, rel=0.02)
    assert flat["absolute_linearity_mm"] < 0.05 * pixel_mm + 1e-6
    assert flat["measured_pixel_size_mm"] == pytest.approx(pixel_mm, rel=0.005)
    assert result.figure_svg.startswith("<svg")


def test_horizontal_lines_are_found():
    image = syn.line_sources((100, 200), 0.5, 5.0, (30.0, 60.0)).T
    flat = analyze_resolution_array(image, 0.5)
    assert flat["fwhm_mm"] == pytest.approx(5.0, rel=0.02)


def analyze_resolution_array(image, pixel_mm):
    from nmguard.qc.nm.resolution import line_source_analysis

    return line_source_analysis(image, pixel_mm, figure=False).flat()


def test_lsf_widths_on_a_triangle():
    # triangle of half-width 10 samples: FWHM = 10 samples exactly, FWTM = 18; linear interpolation is exact
    profile = np.maximum(0.0, 10.0 - np.abs(np.arange(41) - 20.0))
    w = lsf_widths(profile, 2.0)
    assert w["fwhm_mm"] == pytest.approx(20.0)
    assert w["fwtm_mm"] == pytest.approx(36.0)


@pytest.mark.parametrize("offset", [0.0, 1.37, -2.6])
def test_cor_offset_recovered_within_a_tenth_of_a_pixel(tmp_path, offset):
    proj, angles = syn.point_source_projections(cor_offset_px=offset, poisson=True, peak_counts=3000, seed=5)
    path = syn.write_nm(tmp_path / "cor.dcm", proj, 4.8, angles_deg=angles)
    result = analyze_cor(path)
    assert result.flat()["cor_offset_px"] == pytest.approx(offset, abs=0.1)
    assert result.flat()["cor_offset_mm"] == pytest.approx(offset * 4.8, abs=0.48)
    assert result.flat()["amplitude_mm"] == pytest.approx(15.0 * 4.8, abs=0.5)


def test_cor_y_deviation_reports_a_tilt():
    proj, angles = syn.point_source_projections(cor_offset_px=0.5)
    tilted = np.stack([np.roll(p, 1 if i >= 32 else 0, axis=0) for i, p in enumerate(proj)])
    flat = cor_from_projections(tilted, angles, 4.0, figure=False).flat()
    assert flat["y_deviation_max_mm"] == pytest.approx(0.5 * 4.0, abs=0.1)


def test_sensitivity_decay_corrected_to_acquisition_start(tmp_path):
    half_life = 6.0072 * 3600  # Tc-99m, ENSDF
    assay = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
    start = assay + dt.timedelta(hours=2)
    duration = 120.0
    counts = 100.0 * 64 * 64
    a_start = 50.0 * 2 ** (-2 * 3600 / half_life)
    lam = math.log(2) / half_life
    # decays of the source during the acquisition, in MBq·s: ∫ A(t) dt over [0, T]
    mbq_seconds = a_start * (1 - math.exp(-lam * duration)) / lam
    expected = counts / mbq_seconds  # counts per MBq·s = cps/MBq
    path = syn.write_nm(
        tmp_path / "s.dcm", np.full((64, 64), 100.0), 6.0, acquisition_start=start, frame_duration_ms=duration * 1000
    )
    flat = analyze_sensitivity(path, 50.0, assay, "Tc-99m").flat()
    assert flat["sensitivity_cps_per_MBq"] == pytest.approx(expected, rel=1e-4)
    assert flat["activity_at_start_MBq"] == pytest.approx(a_start, rel=1e-4)


def test_tomographic_uniformity_of_a_noise_free_cylinder_is_zero_and_a_cold_rod_shows():
    flat = tomographic_uniformity_from_volume(syn.uniform_cylinder(), 4.8, figure=False).flat()
    assert flat["integral_cfov_percent"] == pytest.approx(0.0, abs=1e-9)
    assert flat["phantom_radius_mm"] == pytest.approx(24 * 4.8, rel=0.02)
    rod = syn.uniform_cylinder(cold_rod=(31.5, 31.5, 3.0))
    assert tomographic_uniformity_from_volume(rod, 4.8, figure=False).flat()["integral_cfov_percent"] > 50
