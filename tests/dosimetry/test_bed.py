"""BED with incomplete repair: hand computations, the limits of G, cycles and a finite uptake phase."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from nmguard.dosimetry.bed import (
    bed_cycles,
    bed_mono_exponential,
    lea_catcheside_exponentials,
    lea_catcheside_mono,
    lea_catcheside_uptake,
)
from nmguard.errors import InputError
from nmguard.reference.radiobiology import radiobiology_parameters, radiobiology_tissues

LN2 = math.log(2)


def test_hand_computation_kidney_like():
    # D = 5 Gy, T_eff = 50 h, T_rep = 2.8 h, alpha/beta = 2.6 Gy
    lam, mu = LN2 / 50, LN2 / 2.8
    g = lam / (lam + mu)  # = 2.8 / 52.8
    assert g == pytest.approx(2.8 / 52.8)
    expected = 5 * (1 + g * 5 / 2.6)
    res = bed_mono_exponential(5.0, 50.0, alpha_beta_Gy=2.6, repair_half_time_h=2.8)
    assert res.values["bed_Gy"].value == pytest.approx(expected, rel=1e-12)
    assert res.values["bed_Gy"].value == pytest.approx(5 + 25 * 2.8 / (52.8 * 2.6), rel=1e-12)  # 5.509907
    assert res.values["alpha_beta_Gy"].source == "user"


def test_g_limits():
    assert lea_catcheside_mono(1e-9, 2.8) == pytest.approx(1.0, abs=1e-8)  # instantaneous delivery
    assert lea_catcheside_mono(1e9, 2.8) == pytest.approx(0.0, abs=1e-8)  # very slow delivery
    acute = bed_mono_exponential(10.0, 1e-9, alpha_beta_Gy=3.0, repair_half_time_h=1.0)
    assert acute.values["bed_Gy"].value == pytest.approx(10 * (1 + 10 / 3.0), rel=1e-8)
    slow = bed_mono_exponential(10.0, 1e9, alpha_beta_Gy=3.0, repair_half_time_h=1.0)
    assert slow.values["bed_Gy"].value == pytest.approx(10.0, rel=1e-8)


def _g_numeric(rate, mu, t_max):
    dose = integrate.quad(rate, 0, t_max, limit=400)[0]

    def inner(t):
        return integrate.quad(lambda w: rate(w) * math.exp(-mu * (t - w)), 0, t, limit=200)[0]

    outer = integrate.quad(lambda t: rate(t) * inner(t), 0, t_max, limit=400)[0]
    return 2 * outer / dose**2


def test_mono_formula_equals_the_double_integral():
    lam, mu = LN2 / 10.0, LN2 / 2.0
    g = _g_numeric(lambda t: math.exp(-lam * t), mu, 400.0)
    assert lea_catcheside_mono(10.0, 2.0) == pytest.approx(g, rel=1e-6)


def test_finite_uptake_equals_the_double_integral():
    t_eff, t_u, t_rep = 30.0, 3.0, 2.8
    lam, lu, mu = LN2 / t_eff, LN2 / t_u, LN2 / t_rep
    g = _g_numeric(lambda t: math.exp(-lam * t) - math.exp(-lu * t), mu, 1500.0)
    assert lea_catcheside_uptake(t_eff, t_u, t_rep) == pytest.approx(g, rel=1e-5)
    # a slower rise spreads the dose: G below the instantaneous-uptake value; a fast rise tends to it
    assert g < lea_catcheside_mono(t_eff, t_rep)
    assert lea_catcheside_uptake(t_eff, 1e-6, t_rep) == pytest.approx(lea_catcheside_mono(t_eff, t_rep), rel=1e-5)


def test_general_sum_of_exponentials_against_numerics():
    a, lams, mu = [2.0, 1.0], [LN2 / 5.0, LN2 / 60.0], LN2 / 1.5
    g = _g_numeric(lambda t: sum(ai * math.exp(-li * t) for ai, li in zip(a, lams, strict=True)), mu, 2000.0)
    assert lea_catcheside_exponentials(a, lams, 1.5) == pytest.approx(g, rel=1e-5)


def test_cycles_add():
    doses, t_effs = [4.0, 5.0, 3.5], [40.0, 45.0, 50.0]
    total = bed_cycles(doses, t_effs, alpha_beta_Gy=2.6, repair_half_time_h=2.8)
    parts = [
        bed_mono_exponential(d, t, alpha_beta_Gy=2.6, repair_half_time_h=2.8)
        for d, t in zip(doses, t_effs, strict=True)
    ]
    assert total.values["bed_Gy"].value == pytest.approx(sum(p.values["bed_Gy"].value for p in parts))
    assert total.values["dose_Gy"].value == pytest.approx(12.5)
    # fractionation spares: one cycle of the summed dose has a larger BED
    one = bed_mono_exponential(12.5, 45.0, alpha_beta_Gy=2.6, repair_half_time_h=2.8)
    assert one.values["bed_Gy"].value > total.values["bed_Gy"].value
    eqd2 = total.values["eqd2_Gy"].value
    assert eqd2 == pytest.approx(total.values["bed_Gy"].value / (1 + 2 / 2.6))


def test_tissue_parameters_come_with_their_source():
    assert {"kidney", "red_marrow"} <= set(radiobiology_tissues())
    kidney = radiobiology_parameters("kidneys")
    res = bed_mono_exponential(10.0, 50.0, tissue="kidney")
    ab = res.values["alpha_beta_Gy"]
    assert ab.value == kidney.alpha_beta.value and ab.source == kidney.alpha_beta.source.id
    assert ab.status == kidney.alpha_beta.status.value
    if ab.status == "unverified":
        assert res.warnings
    marrow = bed_mono_exponential(1.0, 60.0, tissue="red marrow")
    assert marrow.values["repair_half_time_h"].unit == "h"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"dose_Gy": -1.0, "effective_half_life_h": 50.0, "alpha_beta_Gy": 2.6, "repair_half_time_h": 2.8},
        {"dose_Gy": float("nan"), "effective_half_life_h": 50.0, "alpha_beta_Gy": 2.6, "repair_half_time_h": 2.8},
        {"dose_Gy": 1.0, "effective_half_life_h": 0.0, "alpha_beta_Gy": 2.6, "repair_half_time_h": 2.8},
        {"dose_Gy": 1.0, "effective_half_life_h": 50.0, "alpha_beta_Gy": 0.0, "repair_half_time_h": 2.8},
        {"dose_Gy": 1.0, "effective_half_life_h": 50.0},
        {"dose_Gy": 1.0, "effective_half_life_h": 50.0, "tissue": "spleen"},
        {"dose_Gy": 1.0, "effective_half_life_h": 5.0, "tissue": "kidney", "uptake_half_life_h": 6.0},
    ],
)
def test_bad_input_is_refused(kwargs):
    with pytest.raises(InputError):
        bed_mono_exponential(**kwargs)


def test_cycle_lengths_must_match():
    with pytest.raises(InputError):
        bed_cycles([1.0, 2.0], [40.0], tissue="kidney")
    assert np.isfinite(bed_cycles([1.0, 2.0], 40.0, tissue="kidney").values["bed_Gy"].value)
