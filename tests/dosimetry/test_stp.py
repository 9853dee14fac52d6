"""Single-time-point TIA (nmguard.dosimetry.stp) against the analytic definitions.

For A(t) = A0 e^(-lambda t) the exact TIA is A0/lambda = A(t) e^(lambda t)/lambda. Hänscheid's 2t/ln2
equals e^(lambda t)/lambda when x e^(-x) = ln2/2 (x = lambda t), i.e. x = ln2 (t = T_eff) and
x = 2 ln2 (t = 2 T_eff): 2 ln2 * 1/2 = ln2 and 2 (2 ln2) * 1/4 = ln2.
"""

from __future__ import annotations

import math

import pytest

from nmguard.dosimetry.stp import haenscheid_ratio, stp_tia
from nmguard.errors import InputError

LN2 = math.log(2)


def test_haenscheid_definition():
    out = stp_tia(96, 1200, "Lu-177").to_dict()
    assert out["tia_MBq_h"] == pytest.approx(1200 * 2 * 96 / LN2, rel=1e-12)
    assert out["method"] == "haenscheid"
    assert any("validity not checked" in w for w in out["warnings"])


@pytest.mark.parametrize("multiple", [1.0, 2.0])
def test_haenscheid_exact_for_mono_exponential_at_one_and_two_effective_half_lives(multiple):
    t_eff, a0 = 50.0, 1000.0
    t = multiple * t_eff
    a_t = a0 * 2 ** (-t / t_eff)
    exact = a0 * t_eff / LN2
    out = stp_tia(t, a_t, "Lu-177", effective_half_life_h=t_eff).to_dict()
    assert out["tia_MBq_h"] == pytest.approx(exact, rel=1e-12)
    assert out["ratio_to_mono_exponential"] == pytest.approx(1.0, rel=1e-12)
    assert out["warnings"] == []


def test_haenscheid_ratio_maximum_and_warning_outside_range():
    # maximum of 2x e^-x / ln2 at x = 1: 2/(e ln2)
    assert haenscheid_ratio(50 / LN2, 50) == pytest.approx(2 / (math.e * LN2), rel=1e-12)
    t_eff, a0, t = 50.0, 1000.0, 200.0  # t = 4 T_eff: ratio 2*(4 ln2)*e^(-4 ln2)/ln2 = 8/16 = 0.5
    out = stp_tia(t, a0 * 2**-4, "Lu-177", effective_half_life_h=t_eff).to_dict()
    assert out["tia_MBq_h"] == pytest.approx(0.5 * a0 * t_eff / LN2, rel=1e-12)
    assert any("outside" in w for w in out["warnings"])


def test_madsen_definition_and_exact_for_mono_exponential():
    t_eff, t, a_t = 60.0, 72.0, 800.0
    lam = LN2 / t_eff
    out = stp_tia(t, a_t, "Lu-177", method="madsen", effective_half_life_h=t_eff).to_dict()
    assert out["tia_MBq_h"] == pytest.approx(a_t * math.exp(lam * t) / lam, rel=1e-12)
    a0 = a_t * 2 ** (t / t_eff)
    assert out["tia_MBq_h"] == pytest.approx(a0 * t_eff / LN2, rel=1e-12)
    assert out["method"] == "madsen" and out["assumptions"]


@pytest.mark.parametrize(
    "args,kw,field",
    [
        ((96, 100, "Lu-177"), {"method": "guess"}, "method"),
        ((96, 100, "Lu-177"), {"method": "madsen"}, "effective_half_life_h"),
        ((0, 100, "Lu-177"), {}, "time_h"),
        ((96, -1, "Lu-177"), {}, "activity"),
        ((96, 100, "Lu-177"), {"effective_half_life_h": 500}, "effective_half_life_h"),
        ((96, 100, "Zz-1"), {}, "nuclide"),
        ((2, 100, "Tc-99m"), {"method": "physical", "effective_half_life_h": 3}, "effective_half_life_h"),
    ],
)
def test_bad_input(args, kw, field):
    with pytest.raises(InputError) as exc:
        stp_tia(*args, **kw)
    assert exc.value.field == field


def test_physical_decay_only_is_the_exact_integral_of_a_trapped_activity():
    """A(τ) = A0·2^(−τ/T½) with A0 = 140 MBq Tc-99m, measured at 1.18 h: the integral is A0·T½/ln2."""
    half_life_h, a0, t = 6.0072, 140.0, 1.18  # T½ from ENSDF (reference/data/nuclides.csv)
    measured = a0 * 2 ** (-t / half_life_h)
    out = stp_tia(t, measured, "Tc-99m", "physical").to_dict()
    assert out["method"] == "physical"
    assert out["tia_MBq_h"] == pytest.approx(a0 * half_life_h / LN2, rel=1e-6)
    assert out["warnings"] == []
    # Hänscheid at t/T½ = 0.2 is far outside its range: 2x·e^(−x)/ln2 = 0.25 of the truth here
    assert stp_tia(t, measured, "Tc-99m").to_dict()["tia_MBq_h"] / out["tia_MBq_h"] == pytest.approx(
        haenscheid_ratio(t, half_life_h), rel=1e-6
    )
