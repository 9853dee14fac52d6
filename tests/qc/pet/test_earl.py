import pytest

from nmguard.errors import InputError
from nmguard.qc.pet import earl_compliance, earl_qc, nema_image_quality
from nmguard.synthetic import pet_phantom as synthetic


def test_fwhm_8mm_passes_earl1_through_dicom(earl_pass_dir):
    base, _ = earl_pass_dir
    series_dir = next(base.glob("earl8*")) / "series"
    result = earl_qc(
        series_dir, standard="earl1", sphere_concentration_Bq_per_mL=20000.0, background_concentration_Bq_per_mL=2000.0
    )
    flat = result.flat()
    assert result.passed is True, result.values["passed"].note
    assert flat["standard"] == "EARL 18F standards 1"
    assert all(flat[f"sphere_{d}mm_pass"] for d in (10, 13, 17, 22, 28, 37))
    assert flat["rc_max_37mm_lower"] == 0.95 and flat["rc_max_37mm_upper"] == 1.16
    assert result.figure_svg.startswith("<svg")
    assert not any("unverified" in w for w in result.warnings)


def test_fwhm_12mm_fails_earl1_naming_the_spheres():
    ph = synthetic.iec_phantom(voxel_mm=2.0, fwhm_mm=12.0)
    iq = nema_image_quality(
        ph.as_series(), sphere_concentration_Bq_per_mL=20000.0, background_concentration_Bq_per_mL=2000.0
    )
    result = earl_compliance(iq, "earl1")
    assert result.passed is False
    flat = result.flat()
    assert flat["rc_max_10mm_pass"] is False and flat["sphere_10mm_pass"] is False
    assert flat["sphere_37mm_pass"] is True
    assert "rc_max_10mm" in result.values["passed"].note


def test_earl2_is_flagged_unverified_and_needs_overshoot():
    ph = synthetic.iec_phantom(voxel_mm=2.0, fwhm_mm=8.0)
    iq = nema_image_quality(ph.as_series(), sphere_concentration_Bq_per_mL=20000.0)
    result = earl_compliance(iq, "earl2")
    assert any("unverified" in w for w in result.warnings)
    assert result.flat()["standard"] == "EARL 18F standards 2"
    assert "rc_peak_37mm_pass" in result.values
    assert result.passed is False  # noise-free Gaussian blur: RCmax <= 1 < the EARL 2 lower limit for 17-37 mm


def test_unknown_standard_and_wrong_result():
    ph = synthetic.iec_phantom(voxel_mm=4.0, fwhm_mm=8.0)
    iq = nema_image_quality(ph.as_series(), sphere_concentration_Bq_per_mL=20000.0)
    with pytest.raises(InputError, match="earl1"):
        earl_compliance(iq, "earl3")
    with pytest.raises(InputError, match="nema-nu2"):
        earl_compliance(iq.__class__(analysis="other", inputs={}, parameters={}, values={}), "earl1")
