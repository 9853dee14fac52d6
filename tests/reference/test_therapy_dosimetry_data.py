"""therapy_dosimetry.toml [tia_model_selection]: the thresholds of the automatic TIA model choice come from
reference data with their sources, and fit_tia reports the values it used."""

from __future__ import annotations

import math

from nmguard.dosimetry.tia import fit_tia
from nmguard.reference.citations import Status
from nmguard.reference.therapy_dosimetry import tia_selection


def test_thresholds_are_sourced():
    s = tia_selection()
    assert s.misfit_alpha.value == 0.01 and s.misfit_alpha.source.id == "bevington-robinson-2003"
    assert (
        s.distinguishable_delta_aicc.value == 2.0 and s.distinguishable_delta_aicc.source.id == "burnham-anderson-2002"
    )
    assert s.extrapolated_max_fraction.value == 0.5
    assert s.extrapolated_max_fraction.status is Status.UNVERIFIED  # NMGuard's own rule, said so


def test_fit_reports_the_thresholds_it_used():
    times = [4.0, 24.0, 48.0, 96.0, 168.0]
    acts = [100 * math.exp(-0.3 * t) + 50 * math.exp(-0.01 * t) for t in times]
    out = fit_tia(times, acts, "Lu-177", "auto")
    assert out.parameters["misfit_alpha"] == tia_selection().misfit_alpha.value
    assert out.parameters["distinguishable_delta_aicc"] == tia_selection().distinguishable_delta_aicc.value
    assert out.parameters["extrapolated_max_fraction"] == tia_selection().extrapolated_max_fraction.value
    assert out.values["tia_MBq_h"].value > 0
