"""Therapy courses: eligibility before a cycle and cumulative organ doses against constraints.

Criteria and constraints are data the department sets per protocol, each with the source it cites
(e.g. a product's label or a trial protocol); nothing here holds a clinical number.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from nmguard.errors import InputError

_COMPARATORS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


@dataclass(frozen=True)
class Criterion:
    """An eligibility criterion such as eGFR >= 30 mL/min/1.73 m² (source: the protocol)."""

    quantity: str
    comparator: str
    threshold: float
    unit: str
    source: str

    def __post_init__(self) -> None:
        if self.comparator not in _COMPARATORS:
            raise InputError(f"comparator {self.comparator!r}: use one of {', '.join(_COMPARATORS)}", "comparator")
        if not self.quantity.strip():
            raise InputError("name the quantity", "quantity")
        if not math.isfinite(self.threshold):
            raise InputError("the threshold must be a number", "threshold")
        if not self.source.strip():
            raise InputError(f"{self.quantity}: cite the source of the criterion", "source")

    @classmethod
    def from_dict(cls, d: Mapping) -> Criterion:
        return cls(
            str(d["quantity"]),
            str(d["comparator"]),
            float(d["threshold"]),
            str(d.get("unit", "")),
            str(d.get("source", "")),
        )


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    value: float | None
    met: bool | None  # None: no value given

    def as_dict(self) -> dict:
        c = self.criterion
        return {
            "quantity": c.quantity,
            "rule": f"{c.comparator} {c.threshold:g} {c.unit}".strip(),
            "value": self.value,
            "met": self.met,
            "source": c.source,
        }


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    results: tuple[CriterionResult, ...]
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return {
            "eligible": self.eligible,
            "results": [r.as_dict() for r in self.results],
            "reasons": list(self.reasons),
        }


def evaluate_eligibility(criteria: Sequence[Criterion], values: Mapping[str, float | None]) -> Eligibility:
    """Every criterion must be met by a given value; a missing value makes the patient not (yet) eligible."""
    results, reasons = [], []
    for c in criteria:
        value = values.get(c.quantity)
        if value is None:
            results.append(CriterionResult(c, None, None))
            reasons.append(f"{c.quantity}: no value")
            continue
        if not math.isfinite(value):
            raise InputError(f"{c.quantity}: not a number", c.quantity)
        met = _COMPARATORS[c.comparator](value, c.threshold)
        results.append(CriterionResult(c, value, met))
        if not met:
            reasons.append(f"{c.quantity} {value:g} {c.unit} does not meet {c.comparator} {c.threshold:g} {c.unit}")
    return Eligibility(not reasons, tuple(results), tuple(reasons))


@dataclass(frozen=True)
class Constraint:
    organ: str
    limit_Gy: float
    source: str

    def __post_init__(self) -> None:
        if not self.limit_Gy > 0:
            raise InputError(f"{self.organ}: the dose constraint must be positive", "limit_Gy")
        if not self.source.strip():
            raise InputError(f"{self.organ}: cite the source of the constraint", "source")

    @classmethod
    def from_dict(cls, d: Mapping) -> Constraint:
        return cls(str(d["organ"]), float(d["limit_Gy"]), str(d.get("source", "")))


@dataclass(frozen=True)
class OrganCourse:
    organ: str
    per_cycle_Gy: tuple[float, ...]
    cumulative_Gy: tuple[float, ...]
    limit_Gy: float | None
    source: str | None
    fraction_of_limit: float | None
    exceeded_at_cycle: int | None  # 1-based cycle at which the cumulative dose passes the limit

    def as_dict(self) -> dict:
        return {
            "organ": self.organ,
            "per_cycle_Gy": list(self.per_cycle_Gy),
            "cumulative_Gy": list(self.cumulative_Gy),
            "limit_Gy": self.limit_Gy,
            "source": self.source,
            "fraction_of_limit": self.fraction_of_limit,
            "exceeded_at_cycle": self.exceeded_at_cycle,
        }


def cumulative_organ_doses(
    cycles: Sequence[Mapping[str, float]], constraints: Sequence[Constraint]
) -> list[OrganCourse]:
    """Cycle by cycle cumulative absorbed dose per organ, against each organ's constraint."""
    limits = {c.organ: c for c in constraints}
    organs = sorted({o for cycle in cycles for o in cycle} | set(limits))
    out = []
    for organ in organs:
        per_cycle = []
        for n, cycle in enumerate(cycles, start=1):
            dose = float(cycle.get(organ, 0.0))
            if dose < 0 or not math.isfinite(dose):
                raise InputError(f"cycle {n}: {organ} dose must be a non-negative number", organ)
            per_cycle.append(dose)
        cumulative = tuple(itertools.accumulate(per_cycle))
        limit = limits.get(organ)
        exceeded = next((i + 1 for i, d in enumerate(cumulative) if limit and d > limit.limit_Gy), None)
        out.append(
            OrganCourse(
                organ,
                tuple(per_cycle),
                cumulative,
                limit.limit_Gy if limit else None,
                limit.source if limit else None,
                cumulative[-1] / limit.limit_Gy if limit and cumulative else None,
                exceeded,
            )
        )
    return out
