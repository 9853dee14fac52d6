"""Time-activity fits and trapezoid integration (nmguard.dosimetry.tia) against closed forms.

Lu-177 half-life 6.647 d = 159.528 h is written out here (independent of the reference loader).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nmguard.dosimetry.tia import fit_tia
from nmguard.errors import InputError

LAM_P = math.log(2) / (6.647 * 24)  # Lu-177, 1/h
T8 = [1.0, 4.0, 24.0, 48.0, 96.0, 168.0, 240.0, 336.0]


def mono(t, a1=100.0, l1=0.02):
    return a1 * np.exp(-l1 * np.asarray(t))


def bi(t, a1=100.0, l1=0.02, l2=0.3):
    t = np.asarray(t)
    return a1 * (np.exp(-l1 * t) - np.exp(-l2 * t))


def tri(t, a1=60.0, a2=40.0, l1=0.01, l2=0.08, l3=0.5):
    t = np.asarray(t)
    return a1 * np.exp(-l1 * t) + a2 * np.exp(-l2 * t) - (a1 + a2) * np.exp(-l3 * t)


CASES = {
    "mono": (mono, {"A1": 100.0, "lambda1": 0.02}, 100 / 0.02),
    "bi": (bi, {"A1": 100.0, "lambda1": 0.02, "lambda2": 0.3}, 100 * (1 / 0.02 - 1 / 0.3)),
    "tri": (
        tri,
        {"A1": 60.0, "A2": 40.0, "lambda1": 0.01, "lambda2": 0.08, "lambda3": 0.5},
        60 / 0.01 + 40 / 0.08 - 100 / 0.5,
    ),
}


@pytest.mark.parametrize("model", ["mono", "bi", "tri"])
def test_fit_recovers_exact_parameters_and_closed_form_tia(model):
    f, truth, tia = CASES[model]
    out = fit_tia(T8, f(T8), "Lu-177", model=model).to_dict()
    assert out["model"] == model
    for name, value in truth.items():
        assert out["parameters"][name] == pytest.approx(value, rel=1e-4), name
    assert out["tia_MBq_h"] == pytest.approx(tia, rel=1e-4)
    assert out["values"]["tia_MBq_h"]["unit"] == "MBq·h"


@pytest.mark.parametrize("model", ["mono", "bi", "tri"])
def test_auto_selects_generating_model_on_exact_data(model):
    f, _, tia = CASES[model]
    out = fit_tia(T8, f(T8), "Lu-177").to_dict()
    assert out["model"] == model
    assert out["tia_MBq_h"] == pytest.approx(tia, rel=1e-4)
    cands = {c["model"]: c for c in out["candidates"]}
    assert set(cands) == {"mono", "bi", "tri", "bi_clearance", "trapezoid", "hybrid"}
    assert cands[model]["aicc_weight"] > 0.9
    assert all(c["bic"] is not None for m, c in cands.items() if m not in ("trapezoid", "hybrid"))
    assert sum(c["aicc_weight"] for c in cands.values() if c["aicc_weight"] is not None) == pytest.approx(1.0)


def test_auto_prefers_simple_model_when_complex_unjustified():
    # mono-exponential data with 1 % deterministic "noise": bi and tri cannot pay for their parameters
    noise = np.array([1.01, 0.99, 1.0, 1.01, 0.99, 1.0, 1.01, 0.99])
    out = fit_tia(T8, mono(T8) * noise, "Lu-177").to_dict()
    assert out["model"] == "mono"
    cands = {c["model"]: c for c in out["candidates"]}
    assert cands["tri"]["aicc"] > cands["mono"]["aicc"] and "higher AICc" in cands["tri"]["reason"]


def test_decay_constant_never_below_physical():
    # activity that does not decay at all: the fit must stop at the physical decay constant
    out = fit_tia([4, 24, 96, 168], [100, 100, 100, 100], "Lu-177", model="mono").to_dict()
    assert out["parameters"]["lambda1"] == pytest.approx(LAM_P, rel=1e-6)
    assert out["parameters"]["lambda1"] >= LAM_P * (1 - 1e-12)


def test_rejections_are_explained_with_few_points():
    out = fit_tia([4, 24, 96, 168], [120, 300, 180, 90], "Lu-177").to_dict()
    cands = {c["model"]: c for c in out["candidates"]}
    assert cands["tri"]["status"] == "rejected" and "too few points" in cands["tri"]["reason"]
    assert cands["bi"]["aicc"] is None and "AICc undefined" in cands["bi"]["reason"]
    assert out["model"] == "hybrid" and "rises" in out["model_reason"]


def test_hybrid_recovers_an_uptake_curve_that_mono_overestimates():
    # A(t) = f (e^(-lb t) - e^(-lu t)) e^(-lp t), uptake half-life 2 h, biological 125 h, sampled at
    # 4/24/72/168 h (still rising at 4 h). Exact integral f (1/(lb+lp) - 1/(lu+lp)). Mono-exponential through
    # the uptake point over-estimates by 12 %; the hybrid's trapezoids + fitted tail are within 1 % here
    # (trapezoid error of the curved segments; the tail rate is exact for the single-exponential washout).
    lb, lu = math.log(2) / 125, math.log(2) / 2
    t = np.array([4.0, 24.0, 72.0, 168.0])
    a = 370 * (np.exp(-lb * t) - np.exp(-lu * t)) * np.exp(-LAM_P * t)
    exact = 370 * (1 / (lb + LAM_P) - 1 / (lu + LAM_P))
    out = fit_tia(t, a, "Lu-177", activity_uncertainty_percent=5).to_dict()
    assert out["model"] == "hybrid"
    assert out["tia_MBq_h"] == pytest.approx(exact, rel=0.01)
    assert 0 < out["tia_uncertainty_percent"] < 10
    mono_only = fit_tia(t, a, "Lu-177", model="mono").to_dict()
    assert mono_only["tia_MBq_h"] / exact > 1.1


def test_trapezoid_hand_computation_four_points():
    t, a = [4, 24, 96, 168], [10, 20, 8, 3]
    # (0,0)-(4,10): 20; (4,10)-(24,20): 300; (24,20)-(96,8): 1008; (96,8)-(168,3): 396; tail 3/lambda_phys
    expected = 20 + 300 + 1008 + 396 + 3 / LAM_P
    out = fit_tia(t, a, "Lu-177", model="trapezoid").to_dict()
    assert out["model"] == "trapezoid"
    assert out["tia_MBq_h"] == pytest.approx(expected, rel=1e-6)
    assert out["tia_uncertainty_percent"] is None


def test_trapezoid_converges_to_analytical_integral():
    # physically decaying source: A0 e^(-lambda_p t); the tail is then exact and only the trapezoids err
    exact = 100 / LAM_P
    errors = []
    for n in (4, 16, 64, 256):
        t = np.linspace(600 / n, 600, n)
        out = fit_tia(t, 100 * np.exp(-LAM_P * t), "Lu-177", model="trapezoid").to_dict()
        errors.append(abs(out["tia_MBq_h"] / exact - 1))
    assert all(e2 < e1 for e1, e2 in zip(errors, errors[1:], strict=False))
    assert errors[-1] < 1e-2 and errors[0] > 0.05


def test_trapezoid_uncertainty_is_linear_propagation():
    t, a = [4, 24, 96, 168], [10, 20, 8, 3]
    w = np.array([(4 + 20) / 2, (20 + 72) / 2, (72 + 72) / 2, 72 / 2 + 1 / LAM_P])
    sigma = math.sqrt(np.sum((w * 0.05 * np.array(a)) ** 2))
    out = fit_tia(t, a, "Lu-177", model="trapezoid", activity_uncertainty_percent=5).to_dict()
    assert out["tia_uncertainty_MBq_h"] == pytest.approx(sigma, rel=1e-9)


@pytest.mark.parametrize("model,f", [("mono", mono), ("bi", bi)])
def test_propagated_uncertainty_matches_monte_carlo(model, f):
    rng = np.random.default_rng(20240607)
    pct = 5.0
    clean = f(T8)
    sigma_prop = fit_tia(T8, clean, "Lu-177", model=model, activity_uncertainty_percent=pct).to_dict()[
        "tia_uncertainty_MBq_h"
    ]
    tias = []
    for _ in range(150):
        noisy = clean * (1 + pct / 100 * rng.standard_normal(len(T8)))
        tias.append(fit_tia(T8, noisy, "Lu-177", model=model, activity_uncertainty_percent=pct).to_dict()["tia_MBq_h"])
    spread = float(np.std(tias, ddof=1))
    assert spread == pytest.approx(sigma_prop, rel=0.2)


def test_unweighted_fit_uncertainty_from_residuals():
    noise = np.array([1.02, 0.98, 1.0, 1.02, 0.98, 1.0, 1.02, 0.98])
    out = fit_tia(T8, mono(T8) * noise, "Lu-177", model="mono").to_dict()
    assert 0 < out["tia_uncertainty_percent"] < 10


@pytest.mark.parametrize(
    "times,acts,kw,field",
    [
        ([4], [10], {}, "times_h"),
        ([4, 24, 24], [1, 2, 3], {}, "times_h"),
        ([24, 4, 96], [1, 2, 3], {}, "times_h"),
        ([-1, 4, 96], [1, 2, 3], {}, "times_h"),
        ([4, 24, 96], [1, 2], {}, "activities_MBq"),
        ([4, 24, 96], [1, -2, 3], {}, "activities_MBq"),
        ([4, 24, 96], [1, 2, 3], {"model": "quad"}, "model"),
        ([4, 24, 96, 168], [1, 2, 3, 4], {"model": "tri"}, "times_h"),
        ([4, 24], [1, 2], {"nuclide": "Xx-999"}, "nuclide"),
        ([4, 24], [1, 2], {"activity_uncertainty_percent": -5}, "activity_uncertainty_percent"),
    ],
)
def test_bad_input_names_the_field(times, acts, kw, field):
    nuclide = kw.pop("nuclide", "Lu-177")
    with pytest.raises(InputError) as exc:
        fit_tia(times, acts, nuclide, **kw)
    assert exc.value.field == field
