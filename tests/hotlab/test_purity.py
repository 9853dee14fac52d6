"""RCP from strip counts and HPLC peak areas, checked against hand calculations (formulas in hotlab.purity)."""

import pytest

from nmguard.errors import InputError
from nmguard.hotlab.purity import StripReading, rcp_from_hplc, rcp_from_strips, rcp_two_strip_tc99m


def test_two_strip_rcp_and_poisson_uncertainty_by_hand():
    # Strip 1 (acetone): front 520 (free TcO4-), origin 9600; strip 2 (saline): origin 320 (HR-Tc), front 9800;
    # background 20 counts per segment, same counting time.
    # Strip 1: a = 500, c = 9580, a + c = 10080, f1 = 500/10080 = 0.0496032
    #   var(a) = 520 + 20 = 540, var(c) = 9600 + 20 = 9620
    #   sigma_f1^2 = (9580^2*540 + 500^2*9620)/10080^4 = 5.1964256e10/1.032386052e16 = 5.03341e-6 -> 0.22435 %
    # Strip 2: a = 300, c = 9780, f2 = 300/10080 = 0.0297619
    #   sigma_f2^2 = (9780^2*340 + 300^2*9820)/10080^4 = 3.3404256e10/1.032386052e16 = 3.23564e-6 -> 0.17988 %
    # RCP = 100(1 - 0.0496032 - 0.0297619) = 92.0635 %; sigma = 100 sqrt(8.26905e-6) = 0.28756 %
    r = rcp_two_strip_tc99m(
        strip1_front=520, strip1_origin=9600, strip2_front=9800, strip2_origin=320, background_counts=20
    )
    assert r.rcp_percent == pytest.approx(92.0635, abs=1e-4)
    assert r.uncertainty_percent == pytest.approx(0.28756, rel=1e-4)
    free, hr = r.impurities
    assert free.name == "free pertechnetate" and free.percent == pytest.approx(4.96032, rel=1e-5)
    assert free.uncertainty_percent == pytest.approx(0.22435, rel=1e-4)
    assert hr.name == "hydrolysed-reduced Tc" and hr.uncertainty_percent == pytest.approx(0.17988, rel=1e-4)


def test_background_counted_for_a_longer_time_is_scaled():
    # background 200 counts over 10x the segment time: r = 0.1, subtracted 20 per segment, variance 0.01*200 = 2
    # a = 500, c = 9580 as above; var(a) = 520 + 2 = 522, var(c) = 9600 + 2 = 9602
    # sigma^2 = (9580^2*522 + 500^2*9602)/10080^4 = (4.7907281e10 + 2.4005e9)/1.032386052e16 = 4.87293e-6
    r = rcp_from_strips([StripReading("free pertechnetate", [520], [9600], 200, 0.1)])
    assert r.rcp_percent == pytest.approx(100 - 4.96032, abs=1e-4)
    assert r.uncertainty_percent == pytest.approx(100 * 4.87293e-6**0.5, rel=1e-4)


def test_bad_counts_refused():
    with pytest.raises(InputError):
        rcp_two_strip_tc99m(-1, 100, 100, 1)
    with pytest.raises(InputError):
        rcp_two_strip_tc99m(5, 5, 5, 5, background_counts=10)


def test_hplc_rcp_with_area_uncertainties_by_hand():
    # product 950, impurities 30 and 20 (S = 1000), sigmas 10, 3, 2
    # RCP = 95 %; sigma^2 = ((1000-950)^2*10^2 + 950^2*(3^2+2^2))/1000^4 = (250000 + 11732500)/1e12 = 1.19825e-5
    # sigma = 3.46157e-3 -> 0.346157 %
    r = rcp_from_hplc({"FDG": 950, "FDM": 30, "free fluoride": 20}, "FDG", {"FDG": 10, "FDM": 3, "free fluoride": 2})
    assert r.rcp_percent == pytest.approx(95.0)
    assert r.uncertainty_percent == pytest.approx(0.346157, rel=1e-5)
    assert {f.name: round(f.percent, 6) for f in r.impurities} == {"FDM": 3.0, "free fluoride": 2.0}
    assert rcp_from_hplc({"FDG": 950, "FDM": 50}, "FDG").uncertainty_percent is None
    with pytest.raises(InputError):
        rcp_from_hplc({"FDG": 950}, "FDM")
