"""Air-kerma-rate constant: interpolation, derivation, choice of delta, ICRP-107 cross-check."""

import math

import pytest

from nmguard.reference import air_kerma_rate_constant, all_nuclides, get_nuclide
from nmguard.reference.air_kerma import mu_en_over_rho_air

from .icrp107 import ICRP107


def test_mu_en_tabulated_points():
    # NIST SRD 126 Table 4, dry air, mu_en/rho (cm2/g), values as printed.
    assert mu_en_over_rho_air(10.0) == pytest.approx(4.742)
    assert mu_en_over_rho_air(100.0) == pytest.approx(2.325e-2)
    assert mu_en_over_rho_air(1000.0) == pytest.approx(2.789e-2)
    assert mu_en_over_rho_air(20000.0) == pytest.approx(1.311e-2)


def test_mu_en_log_log_interpolation():
    # Hand log-log between 600 keV (2.953e-2) and 800 keV (2.882e-2) at 662 keV.
    t = math.log(662 / 600) / math.log(800 / 600)
    expected = math.exp(math.log(2.953e-2) + t * (math.log(2.882e-2) - math.log(2.953e-2)))
    assert mu_en_over_rho_air(662.0) == pytest.approx(expected, rel=1e-12)
    # and close to the commonly quoted 0.0293 cm2/g for Cs-137 photons
    assert mu_en_over_rho_air(661.66) == pytest.approx(0.0293, rel=0.005)
    with pytest.raises(ValueError):
        mu_en_over_rho_air(0.5)


def test_single_line_by_hand():
    # 1 photon of 1 MeV per decay: 1000 keV * 1.602176634e-16 J/keV * 2.789e-3 m2/kg / (4 pi)
    gy_m2_per_bq_s = 1000 * 1.602176634e-16 * 2.789e-3 / (4 * math.pi)
    assert air_kerma_rate_constant([(1000.0, 1.0)], 10) == pytest.approx(gy_m2_per_bq_s * 3.6e15)
    assert air_kerma_rate_constant([(9.0, 1.0)], 10) == 0.0  # below delta


def test_shipped_delta_is_10_kev():
    for n in all_nuclides():
        assert "delta = 10 keV" in n.air_kerma_rate_constant.note, n.name


# Nuclides whose shipped lines are complete enough for a fair comparison (no lumped L X-ray
# line near delta, no omitted daughter lines).
WELL_DESCRIBED = [
    "Tc-99m",
    "F-18",
    "I-131",
    "I-125",
    "Ga-68",
    "I-123",
    "In-111",
    "Ga-67",
    "Rb-82",
    "N-13",
    "O-15",
    "C-11",
    "Cu-64",
    "Zr-89",
    "Cr-51",
]


def _log_rms(delta_keV):
    devs = []
    for name in WELL_DESCRIBED:
        lines = [(p.energy_keV, p.yield_per_decay) for p in get_nuclide(name).photon_lines]
        devs.append(math.log(air_kerma_rate_constant(lines, delta_keV) / ICRP107[name][2]))
    return math.sqrt(sum(d * d for d in devs) / len(devs))


def test_delta_10_kev_reproduces_icrp107_better_than_20_kev():
    # delta = 10 keV: RMS deviation ~1 %; delta = 20 keV drops the Tc K X-rays (Tc-99m -20 %)
    # and the Y K X-rays (Zr-89 -23 %).
    assert _log_rms(10) < 0.015
    assert _log_rms(20) > 0.05


# Tolerances (relative) against the ICRP-107 coefficient, delta = 10 keV:
AIR_KERMA_TOL = {
    # lines complete: evaluation differences in line intensities (<= 1 %) and log-log
    # interpolation of mu_en/rho (< 0.5 %)
    **{
        n: 0.02
        for n in [
            "Tc-99m",
            "F-18",
            "I-131",
            "Ga-68",
            "I-123",
            "In-111",
            "Rb-82",
            "N-13",
            "O-15",
            "C-11",
            "Cu-64",
            "Zr-89",
            "Cr-51",
        ]
    },
    "I-125": 0.03,  # Te K X-ray intensities (-1.7 %)
    "Ga-67": 0.03,  # Zn K X-ray and gamma intensities (-1.6 %)
    "Sm-153": 0.06,  # DDEP 103 keV intensity below ICRP-107 (-4.2 %)
    # -13 %: lumped/omitted low-energy lines near delta (see each value's note)
    "Mo-99": 0.16,  # prompt 140.5 keV part and X-rays omitted
    "Lu-177": 0.16,  # lumped Hf L line below delta; 208 keV 10.38 % vs 11.0 %
    "Ra-223": 0.16,  # lumped Rn L X-rays; parent only
    "Ac-225": 0.16,  # lumped Fr L X-rays; parent only
}


@pytest.mark.parametrize("name", sorted(AIR_KERMA_TOL))
def test_air_kerma_against_icrp107(name):
    ours = get_nuclide(name).air_kerma_rate_constant.value
    assert ours == pytest.approx(ICRP107[name][2], rel=AIR_KERMA_TOL[name])


def test_tl201_lumped_l_xrays_bracket_icrp107():
    # LARA lumps the Hg L X-rays (8.7-14.3 keV) into one 11.785 keV line; ICRP-107 (delta
    # 10 keV) counts only the part above 10 keV. With the whole L line we must be above ICRP-107,
    # without it below: the shipped value is flagged in its note.
    n = get_nuclide("Tl-201")
    lines = [(p.energy_keV, p.yield_per_decay) for p in n.photon_lines]
    without_l = [(e, y) for e, y in lines if not 11 < e < 12.5]
    icrp = ICRP107["Tl-201"][2]
    assert air_kerma_rate_constant(without_l, 10) < icrp < n.air_kerma_rate_constant.value
    assert "CAUTION" in n.air_kerma_rate_constant.note


def test_pure_beta_emitters_have_negligible_constant():
    assert get_nuclide("P-32").air_kerma_rate_constant.value == 0.0
    assert get_nuclide("Y-90").air_kerma_rate_constant.value < 1e-4
    assert get_nuclide("Cs-137").air_kerma_rate_constant.value == 0.0  # lines on Ba-137m
