"""Chi-square for counting systems: the χ² distribution against printed table values, and the test itself."""

import math

import pytest

from nmguard.errors import InputError
from nmguard.qc.counting import chi2_cdf, chi2_isf, chi2_sf, chi_square, regularized_gamma_q
from nmguard.qc.evaluation import BandOverride

# Upper-tail critical values χ²(p, dof) from the standard printed χ² table (4 significant figures or more).
TABLE = [
    (1, 0.05, 3.841),
    (1, 0.95, 0.00393),
    (4, 0.05, 9.488),
    (9, 0.05, 16.919),
    (9, 0.95, 3.325),
    (9, 0.10, 14.684),  # Biodex Atomlab 960 upper limit 14.68
    (9, 0.90, 4.168),  # Biodex lower limit 4.168
    (19, 0.05, 30.144),
    (19, 0.95, 10.117),
    (100, 0.05, 124.342),
    (100, 0.95, 77.929),
]


@pytest.mark.parametrize(("dof", "p", "chi2"), TABLE)
def test_sf_matches_table(dof, p, chi2):
    assert chi2_sf(chi2, dof) == pytest.approx(p, abs=2e-4 if p > 0.5 else 1e-4)
    assert chi2_isf(p, dof) == pytest.approx(chi2, rel=2e-3)


def test_closed_forms():
    # dof 2: P(χ² ≥ x) = exp(−x/2); dof 1: erfc(sqrt(x/2))
    for x in (0.1, 1.0, 4.0, 30.0):
        assert chi2_sf(x, 2) == pytest.approx(math.exp(-x / 2), rel=1e-12)
        assert chi2_sf(x, 1) == pytest.approx(math.erfc(math.sqrt(x / 2)), rel=1e-10)
    assert chi2_cdf(0.0, 5) == 0.0
    assert regularized_gamma_q(3.0, 0.0) == 1.0
    # Q(n, x) for integer n = exp(−x) Σ_{k<n} x^k/k!
    x = 7.5
    assert regularized_gamma_q(4, x) == pytest.approx(math.exp(-x) * sum(x**k / math.factorial(k) for k in range(4)))


def test_against_scipy_where_installed():
    stats = pytest.importorskip("scipy.stats")
    for dof in (1, 3, 9, 29, 200):
        for x in (0.01, 0.5, dof * 0.7, float(dof), dof * 1.6, dof * 4.0 + 10):
            assert chi2_sf(x, dof) == pytest.approx(stats.chi2.sf(x, dof), rel=1e-9, abs=1e-15)


def test_chi_square_ten_counts():
    # deviations −40…+40 around 1000: Σd² = 2(1600+900+400+100) = 6000 → χ² = 6.000, 9 dof;
    # table: χ²(0.75, 9) = 5.899 and χ²(0.50, 9) = 8.343, so 0.5 < p < 0.75
    counts = [1000 + d for d in (-40, -30, -20, -10, 0, 0, 10, 20, 30, 40)]
    r = chi_square(counts)
    assert r.values["chi_square"].value == pytest.approx(6.0)
    assert r.values["degrees_of_freedom"].value == 9
    assert 0.5 < r.values["p_value"].value < 0.75
    assert r.values["outcome"].value == "ok" and r.passed is True
    assert r.values["chi_square_low"].value == pytest.approx(3.325, abs=1e-3)  # Capintec: 3.33
    assert r.values["chi_square_high"].value == pytest.approx(16.919, abs=1e-3)  # Capintec: 16.9
    assert r.values["outcome"].source == "capintec-captus3000-manual"
    assert r.to_dict()["p_value"] == r.values["p_value"].value


def test_chi_square_too_regular_and_too_spread():
    same = chi_square([500] * 10)  # χ² = 0 → p = 1
    assert same.values["p_value"].value == 1.0 and same.values["outcome"].value == "tolerance"
    assert any("less than Poisson" in w for w in same.warnings)
    # ±100 around 1000 alternating: Σd² = 10 × 10000 → χ² = 100 ≫ 16.919
    spread = chi_square([900, 1100] * 5)
    assert spread.values["chi_square"].value == pytest.approx(100.0)
    assert spread.values["outcome"].value == "tolerance" and spread.passed is False
    assert any("more than Poisson" in w for w in spread.warnings)


def test_chi_square_department_band():
    # Biodex-style 0.10–0.90 band: χ² = 15.0 with 9 dof lies between 14.684 (p 0.10) and 16.919 (p 0.05)
    counts = [1000 + d for d in (-50, -50, -50, -30, 0, 0, 30, 50, 50, 50)]  # Σd² = 6·2500 + 2·900 = 16800
    assert sum(counts) == 10000
    band = BandOverride.from_limits("vendor limits 0.10-0.90", tolerance_low=0.10, tolerance_high=0.90)
    r = chi_square(counts, bands=band)
    assert r.values["chi_square"].value == pytest.approx(16.8)
    assert r.values["outcome"].value == "tolerance"
    assert chi_square(counts).values["outcome"].value == "ok"  # 16.8 < 16.919 with the catalogue band


def test_bad_counts():
    for bad in ([1, 2], [1, -2, 3], [0, 0, 0], [1, float("nan"), 2], [1, "x", 3]):
        with pytest.raises(InputError) as e:
            chi_square(bad)
        assert e.value.field == "counts"
