"""Eligibility and cumulative organ doses of a therapy course (hand-computed expectations)."""

import pytest

from nmguard.errors import InputError
from nmguard.rules.therapy_course import Constraint, Criterion, cumulative_organ_doses, evaluate_eligibility

EGFR = Criterion("eGFR", ">=", 30.0, "mL/min/1.73m2", "trial protocol §5.1 (example)")
PLT = Criterion("platelets", ">=", 75.0, "10^9/L", "trial protocol §5.1 (example)")


def test_eligibility():
    ok = evaluate_eligibility([EGFR, PLT], {"eGFR": 55.0, "platelets": 180.0})
    assert ok.eligible and all(r.met for r in ok.results)
    low = evaluate_eligibility([EGFR, PLT], {"eGFR": 25.0, "platelets": 180.0})
    assert not low.eligible and low.reasons == ("eGFR 25 mL/min/1.73m2 does not meet >= 30 mL/min/1.73m2",)
    missing = evaluate_eligibility([EGFR, PLT], {"eGFR": 55.0})
    assert not missing.eligible and missing.results[1].met is None


def test_criteria_need_a_source_and_a_known_comparator():
    with pytest.raises(InputError, match="cite"):
        Criterion("eGFR", ">=", 30, "", "")
    with pytest.raises(InputError, match="comparator"):
        Criterion("eGFR", "=>", 30, "", "x")


def test_cumulative_doses_and_the_cycle_that_exceeds():
    kidney = Constraint("kidneys", 23.0, "example constraint (department)")
    cycles = [{"kidneys": 4.0, "red marrow": 0.2}] * 6
    courses = {c.organ: c for c in cumulative_organ_doses(cycles, [kidney])}
    k = courses["kidneys"]
    assert k.cumulative_Gy == (4.0, 8.0, 12.0, 16.0, 20.0, 24.0)
    assert k.exceeded_at_cycle == 6 and k.fraction_of_limit == pytest.approx(24 / 23)
    assert courses["red marrow"].limit_Gy is None and courses["red marrow"].cumulative_Gy[-1] == pytest.approx(1.2)
    with pytest.raises(InputError):
        cumulative_organ_doses([{"kidneys": -1.0}], [kidney])
