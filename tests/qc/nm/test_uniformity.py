"""NEMA NU 1 planar uniformity against hand-computed values and Poisson statistics."""

from __future__ import annotations

import numpy as np
import pytest

from nmguard.qc.nm.uniformity import analyze_uniformity, choose_rebin_factor, uniformity_from_array
from nmguard.synthetic import nm_images as syn


def michelson(hi: float, lo: float) -> float:
    return 100.0 * (hi - lo) / (hi + lo)


def test_rebin_factor_brings_pixel_into_the_nema_band():
    assert choose_rebin_factor(1.6) == 4  # 6.4 mm exactly
    assert choose_rebin_factor(2.21) == 3  # 6.63 mm (k=2 gives 4.42, below 4.48)
    assert choose_rebin_factor(6.0) == 1
    assert choose_rebin_factor(0.6) == 11  # 6.6 mm; 10 → 6.0 is farther from 6.4? |6.0-6.4|=0.4 > |6.6-6.4|=0.2


def test_hot_and_cold_plateaus_give_the_hand_computed_uniformity(tmp_path):
    # 256×256 at 1.6 mm → 64×64 at 6.4 mm. Plateaus 4×4 rebinned pixels (bigger than the 3×3 kernel), inside the
    # CFOV, aligned with the 4×4 rebinning blocks. After the 9-point smoothing the plateau interior keeps its
    # value, so max = B(1+ch), min = B(1+cc); across a plateau edge a 5-pixel window spans B … B(1+c).
    ch, cc = 0.20, -0.10
    squares = [syn.Square(96, 96, 16, ch), syn.Square(152, 152, 16, cc)]
    image = syn.flood((256, 256), 500.0, squares, poisson=False)
    path = syn.write_nm(tmp_path / "flood.dcm", image, 1.6)
    result = analyze_uniformity(path, figure=True)
    flat = result.flat()
    expected_iu = michelson(1 + ch, 1 + cc)  # 300/21 % = 14.2857 %
    expected_du = max(michelson(1 + ch, 1.0), michelson(1.0, 1 + cc))  # 9.0909 %
    assert flat["integral_ufov_percent"] == pytest.approx(expected_iu, abs=1e-9)
    assert flat["integral_cfov_percent"] == pytest.approx(expected_iu, abs=1e-9)
    assert flat["differential_ufov_percent"] == pytest.approx(expected_du, abs=1e-9)
    assert flat["differential_cfov_percent"] == pytest.approx(expected_du, abs=1e-9)
    assert flat["pixel_size_mm"] == pytest.approx(6.4)
    assert result.inputs["sop_instance_uid"] and result.inputs["frame_index"] == 0
    assert result.figure_svg.startswith("<svg")
    # 500 counts × 16 native pixels = 8000 < 10 000 counts per pixel
    assert any("10000" in w for w in result.warnings)


def test_hot_square_outside_the_cfov_shows_in_the_ufov_only():
    image = syn.flood((256, 256), 1000.0, [syn.Square(8, 8, 16, 0.3)], poisson=False)
    flat = uniformity_from_array(image, 1.6, figure=False).flat()
    assert flat["integral_ufov_percent"] == pytest.approx(michelson(1.3, 1.0), abs=1e-9)
    assert flat["integral_cfov_percent"] == pytest.approx(0.0, abs=1e-9)


def test_deep_interior_defect_stays_in_the_ufov():
    # a 50 % cold region inside the field is not an edge: NEMA's 75 % rule must not remove it
    image = syn.flood((256, 256), 1000.0, [syn.Square(120, 120, 16, -0.5)], poisson=False)
    flat = uniformity_from_array(image, 1.6, figure=False).flat()
    assert flat["integral_cfov_percent"] == pytest.approx(michelson(1.0, 0.5), abs=1e-9)


def test_field_smaller_than_the_matrix_uses_nema_edge_rules():
    # field 192×192 native (48×48 rebinned) in a 256 matrix: UFOV = 48 minus the one-pixel 4-neighbour ring = 46
    image = syn.flood((256, 256), 1000.0, poisson=False, field=(32, 224, 32, 224))
    result = uniformity_from_array(image, 1.6, figure=False)
    assert result.flat()["ufov_pixels"] == 46 * 46
    # CFOV: 0.75 × 46 = 34.5 pixels wide, centred: 34 whole pixels + two quarter pixels (excluded, < 50 %)
    assert result.flat()["cfov_pixels"] == 34 * 34
    assert result.flat()["integral_ufov_percent"] == pytest.approx(0.0, abs=1e-9)


def _smoothed_noise_iu(counts: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Independent expectation: Gaussian noise of SD √N, 9-point smoothing written out with explicit shifts."""
    out = []
    w = {(-1, -1): 1, (-1, 0): 2, (-1, 1): 1, (0, -1): 2, (0, 0): 4, (0, 1): 2, (1, -1): 1, (1, 0): 2, (1, 1): 1}
    for _ in range(n):
        field = counts + np.sqrt(counts) * rng.standard_normal((64, 64))
        sm = sum(v * np.roll(np.roll(field, dr, 0), dc, 1) for (dr, dc), v in w.items()) / 16.0
        inner = sm[1:-1, 1:-1]  # same pixel count as the UFOV (62×62)
        out.append(michelson(inner.max(), inner.min()))
    return np.array(out)


def test_uniform_poisson_flood_is_within_the_statistical_expectation():
    counts_native = 10_000 / 16  # 10 000 counts per rebinned pixel
    image = syn.flood((256, 256), counts_native, poisson=True, seed=7)
    flat = uniformity_from_array(image, 1.6, figure=False).flat()
    expected = _smoothed_noise_iu(10_000, 200, np.random.default_rng(11))
    lo, hi = np.percentile(expected, [0.5, 99.5])
    assert lo <= flat["integral_ufov_percent"] <= hi
    # and the Poisson noise level: SD of smoothed noise = 0.375/√N = 0.375 %
    assert flat["smoothed_noise_sd_percent"] == pytest.approx(0.375, rel=0.01)
    assert 0 < flat["differential_cfov_percent"] < flat["integral_ufov_percent"] + 1e-9


def test_noise_free_planted_region_is_seen_through_poisson_noise():
    image = syn.flood((256, 256), 4000.0, [syn.Square(100, 100, 24, 0.15)], poisson=True, seed=3)
    flat = uniformity_from_array(image, 1.6, figure=False).flat()
    # 64 000 counts/pixel: noise SD 0.15 %; the 15 % plateau dominates: IU ≈ 100·0.15/2.15 = 6.98 %
    assert flat["integral_cfov_percent"] == pytest.approx(michelson(1.15, 1.0), abs=0.8)
