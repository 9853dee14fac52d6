"""Air-kerma-rate constant: interpolation, derivation, choice of delta, ICRP-107 cross-check."""

import math

import pytest

from nmguard.reference import air_kerma_rate_constant, all_nuclides, get_nuclide
from nmguard.reference.air_kerma import mu_en_over_rho_air

from .icrp107 import ICRP107, ICRP107_L_XRAYS_ABOVE_10_KEV


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


# Nuclides whose shipped lines are complete enough for a fair comparison (no omitted daughter lines; the L
# X-rays of Tl-201, Lu-177 and Ac-225 split into lines, see nmguard-l-xray-split).
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
    "Tl-201",
    "Lu-177",
    "Ac-225",
]


def _lines(name):
    return [(p.energy_keV, p.yield_per_decay) for p in get_nuclide(name).photon_lines]


def _log_rms(delta_keV):
    devs = [math.log(air_kerma_rate_constant(_lines(n), delta_keV) / ICRP107[n][2]) for n in WELL_DESCRIBED]
    return math.sqrt(sum(d * d for d in devs) / len(devs))


def test_delta_10_kev_reproduces_icrp107_better_than_20_kev():
    # delta = 10 keV: RMS deviation ~1 %; delta = 20 keV drops the Tc K X-rays (Tc-99m -20 %), the Y K X-rays
    # (Zr-89 -23 %) and the Hg L X-rays (Tl-201).
    assert _log_rms(10) < 0.015
    assert _log_rms(20) > 0.05


# Tolerance (relative) against the ICRP-107 coefficient (REFERENCE_DATA 6.1), delta = 10 keV, for EVERY nuclide
# of section 6.1 that has a coefficient there, with the reason. Measured deviations in brackets.
AIR_KERMA_TOL = {
    # lines complete: evaluation differences in line intensities (<= 1 %) and log-log interpolation of
    # mu_en/rho (< 0.5 %): Tc-99m +0.7, F-18 -0.2, I-131 -0.8, Ga-68 -0.3, I-123 -0.2, In-111 -0.2,
    # Rb-82 -0.4, N-13 -0.1, O-15 -0.1, C-11 -0.2, Cu-64 +0.5, Zr-89 -0.4, Cr-51 -0.5 %
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
    "Sm-153": 0.06,  # DDEP 103 keV intensity below ICRP-107 (-4.2 %; mean photon energy -4.5 %)
    # L X-rays split by the stated model (nmguard-l-xray-split); they carry most of Gamma for Tl-201 and
    # Ac-225. LARA's L total is uncertain by 4 % (Tl-201 42.7 +- 1.8 %); the model's L1 assumption is the
    # rest: Tl-201 +0.4 %, Ac-225 +0.3 %.
    "Tl-201": 0.05,
    "Ac-225": 0.05,
    # +0.9 %, partly by compensation: the split's Hf L-gamma lines above delta (14.5 % of Gamma) are 56 % above
    # ICRP-107's (+5 % of Gamma, see test_split_l_lines_above_delta_against_icrp107), DDEP's 208 keV intensity
    # 10.38 % against ICRP-107's 11.0 % is -4 % of Gamma
    "Lu-177": 0.05,
    # -5.7 %: parent only in both; gamma intensities differ (mean photon energy -3.0 %), Rn L X-rays split
    "Ra-223": 0.08,
    # -13.3 %, NOT resolved here: the Mo-99 LARA lines lack the prompt 140.5 keV part and the Tc K/L X-rays
    # (nuclides.csv note); the constant is marked in its note
    "Mo-99": 0.16,
}

# Pure beta emitters: both constants are below 1e-4 of Tc-99m's, so they are compared in absolute terms.
# Y-90: ours 4.4e-6 (internal-pair 511 keV only), ICRP-107 6.0e-6; Sr-89: ours 9.1e-5 (LARA's Y K-alpha1
# line, 0.086 %, which ICRP-107 lacks, is 7/8 of it), ICRP-107 1.14e-5; P-32: 0 in both.
NEGLIGIBLE_ABS = 1e-4  # uGy m2 MBq-1 h-1


def test_every_section_6_1_nuclide_is_compared():
    # Sr-82, Sr-85 and Ge-68 have no coefficient in section 6.1 ("-") and are not in ICRP107.
    compared = set(AIR_KERMA_TOL) | {"Y-90", "Sr-89", "P-32"}
    assert compared == set(ICRP107)


@pytest.mark.parametrize("name", sorted(AIR_KERMA_TOL))
def test_air_kerma_against_icrp107(name):
    ours = get_nuclide(name).air_kerma_rate_constant.value
    assert ours == pytest.approx(ICRP107[name][2], rel=AIR_KERMA_TOL[name])


@pytest.mark.parametrize("name", ["Y-90", "Sr-89", "P-32"])
def test_pure_beta_emitters_against_icrp107_in_absolute_terms(name):
    ours = get_nuclide(name).air_kerma_rate_constant.value
    assert abs(ours - ICRP107[name][2]) < NEGLIGIBLE_ABS


@pytest.mark.parametrize(("name", "lara_total"), [("Tl-201", 0.427), ("Lu-177", 0.0318), ("Ra-223", 0.221),
                                                   ("Ac-225", 0.19), ("Re-188", 0.03), ("W-188", 0.00151)])  # fmt: skip
def test_split_l_xrays_keep_the_lara_total(name, lara_total):
    # The split lines carry LARA's L X-ray intensity (lines under 1e-5 per decay dropped, as elsewhere).
    split = [p for p in get_nuclide(name).photon_lines if p.source.id == "nmguard-l-xray-split"]
    assert len(split) >= 8
    assert all(p.kind == "xray" and p.status.value == "derived" for p in split)
    assert sum(p.yield_per_decay for p in split) == pytest.approx(lara_total, rel=0.01)


# The split's L lines at or above delta against ICRP-107's, line level (photons per decay). Tolerance on the yield
# where the model's assumption (other L vacancies start in L1) fits: Tl-201 (EC: L capture takes 2s electrons)
# and Re-188 (measured +0.3 %, -0.8 %). For Lu-177 and W-188 (beta- decay, L vacancies from conversion of
# transitions with E2 admixture, which starts more often in L2/L3) the split over-counts the L-gamma lines
# (measured +56 %, +27 %): a known limit of the model, held by its effect on Gamma (yield excess x the lines'
# share of Gamma), which must stay under 10 %.
L_LINE_YIELD_TOL = {"Tl-201": 0.05, "Re-188": 0.05}
L_LINE_GAMMA_EFFECT = 0.10


W188_OVER = pytest.mark.xfail(
    strict=True,
    reason="W-188: the split's Re L-gamma lines are 27 % above ICRP-107's and carry 39 % of Gamma, so Gamma is "
    "about +10.5 % (no ICRP-107 coefficient in REFERENCE_DATA 6.1; said in the value's note)",
)


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=W188_OVER) if n == "W-188" else n for n in sorted(ICRP107_L_XRAYS_ABOVE_10_KEV)]
)
def test_split_l_lines_above_delta_against_icrp107(name):
    n = get_nuclide(name)
    split = [(p.energy_keV, p.yield_per_decay) for p in n.photon_lines if p.source.id == "nmguard-l-xray-split"]
    above = sum(y for e, y in split if e >= 10.0)
    excess = above / ICRP107_L_XRAYS_ABOVE_10_KEV[name] - 1.0
    share = air_kerma_rate_constant(split, 10) / n.air_kerma_rate_constant.value
    if name in L_LINE_YIELD_TOL:
        assert abs(excess) <= L_LINE_YIELD_TOL[name]
    assert abs(excess * share) < L_LINE_GAMMA_EFFECT


@pytest.mark.parametrize(
    ("name", "lumped_keV", "lara_total", "low", "high"),
    [("Tl-201", 11.785, 0.427, 1.6, 2.0), ("Lu-177", 8.925, 0.0318, 0.80, 0.90)],
)
def test_lumped_lara_l_line_was_the_cause(name, lumped_keV, lara_total, low, high):
    # The numbers (Tl-201 +84 %, Lu-177 -14 % against ICRP-107) come back when the split lines are
    # replaced by LARA's single L line at the midpoint of the L range; the split brings both within 1 %.
    n = get_nuclide(name)
    other = [(p.energy_keV, p.yield_per_decay) for p in n.photon_lines if p.source.id != "nmguard-l-xray-split"]
    lumped = air_kerma_rate_constant([*other, (lumped_keV, lara_total)], 10) / ICRP107[name][2]
    assert low < lumped < high
    assert n.air_kerma_rate_constant.value / ICRP107[name][2] == pytest.approx(1.0, abs=0.01)


def test_pure_beta_emitters_have_negligible_constant():
    assert get_nuclide("P-32").air_kerma_rate_constant.value == 0.0
    assert get_nuclide("Y-90").air_kerma_rate_constant.value < 1e-4
    assert get_nuclide("Cs-137").air_kerma_rate_constant.value == 0.0  # lines on Ba-137m
