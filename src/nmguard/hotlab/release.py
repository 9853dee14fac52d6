"""QC release tests and the batch release decision, driven by ``reference/data/release_specifications.csv``.

:func:`evaluate_release` compares each result with the product's specification (USP or Ph. Eur., never mixed)
and decides whether the batch may be released: a failed or missing required test blocks; a test whose
specification allows release before its result (``release_before_result``, e.g. sterility started on the day
of manufacture) may be waived with a recorded reason (parametric release); a waiver without a reason, or for
a test that does not allow it, is refused with an :class:`~nmguard.errors.InputError`.

Result values per test:

- ``rcp``: RCP in % (a number, or a :class:`~nmguard.hotlab.purity.PurityResult`);
- ``ph``: a number; ``endotoxins``: EU/mL (needs ``max_dose_volume_mL`` V: limit = 175/V EU/mL);
- ``radionuclidic_identity``: the half-life in the spec's unit (min), or :class:`HalfLifeReadings`;
- ``appearance``, ``filter_integrity``, ``sterility``: ``True``/``"pass"`` or ``False``/``"fail"``;
  ``None`` (or ``"started"`` for sterility) means no result yet.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nmguard.errors import InputError
from nmguard.hotlab.purity import PurityResult
from nmguard.physics.decay import elapsed_seconds
from nmguard.physics.display import format_sig
from nmguard.reference.citations import Status
from nmguard.reference.release_specs import RELEASE_TESTS, TestSpec, physical_range, release_specification

OUTCOMES = ("pass", "fail", "missing", "waived", "not-tested")
_TIME_UNITS_S = {"s": 1.0, "min": 60.0, "h": 3600.0}
_PASS = {"pass", "passed", "ok", "yes", "true", "conforms", "complies"}
_FAIL = {"fail", "failed", "no", "false", "does not conform", "does not comply"}
_NOT_DONE = {"", "started", "pending", "in progress"}


def half_life_from_readings(activity1: float, time1: dt.datetime, activity2: float, time2: dt.datetime) -> float:
    """Half-life in seconds from two readings of the same source: T = ln2·Δt / ln(A1/A2)."""
    for name, a in (("activity1", activity1), ("activity2", activity2)):
        if not isinstance(a, int | float) or not math.isfinite(a) or a <= 0:
            raise InputError(f"{name} must be a positive activity, got {a!r}", name)
    delta = elapsed_seconds(time1, time2)
    if delta <= 0:
        raise InputError("the second reading must be later than the first", "time2")
    if activity2 >= activity1:
        raise InputError("the second reading is not lower than the first: no decay measured", "activity2")
    return math.log(2.0) * delta / math.log(activity1 / activity2)


@dataclass(frozen=True)
class HalfLifeReadings:
    """Two activity-meter readings of the same source for radionuclidic identity."""

    activity1_Bq: float
    time1: dt.datetime
    activity2_Bq: float
    time2: dt.datetime

    @property
    def half_life_s(self) -> float:
        return half_life_from_readings(self.activity1_Bq, self.time1, self.activity2_Bq, self.time2)


@dataclass(frozen=True)
class TestOutcome:
    test: str
    outcome: str  # one of OUTCOMES
    value: Any
    unit: str
    limit: str
    required: bool
    method: str
    source: str
    source_text: str
    status: str
    edition: str | None
    reason: str | None = None

    @property
    def blocks(self) -> bool:
        return self.outcome == "fail" or (self.outcome == "missing" and self.required)

    def to_dict(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "outcome": self.outcome,
            "value": self.value,
            "unit": self.unit,
            "limit": self.limit,
            "required": self.required,
            "method": self.method,
            "source": self.source,
            "source_text": self.source_text,
            "status": self.status,
            "edition": self.edition,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ReleaseDecision:
    product_id: str
    specification: str
    releasable: bool
    outcomes: tuple[TestOutcome, ...]
    blocking_reasons: tuple[str, ...]
    waivers: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def outcome(self, test: str) -> TestOutcome:
        for o in self.outcomes:
            if o.test == test:
                return o
        raise KeyError(test)

    def to_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "specification": self.specification,
            "releasable": self.releasable,
            "outcomes": [o.to_dict() for o in self.outcomes],
            "blocking_reasons": list(self.blocking_reasons),
            "waivers": dict(self.waivers),
            "warnings": list(self.warnings),
        }


def endotoxin_limit(max_dose_volume_mL: float, spec_value: float = 175.0) -> float:
    """175/V EU/mL, V = the maximum recommended dose volume in mL (USP / Ph. Eur.)."""
    if (
        not isinstance(max_dose_volume_mL, int | float)
        or not math.isfinite(max_dose_volume_mL)
        or max_dose_volume_mL <= 0
    ):
        raise InputError(
            f"maximum dose volume V must be a positive number of mL, got {max_dose_volume_mL!r}", "max_dose_volume_mL"
        )
    return spec_value / max_dose_volume_mL


def _number(value: Any, test: str) -> float:
    if isinstance(value, PurityResult):
        return value.rcp_percent
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{test}: result must be a number, got {value!r}", test)
    return float(value)


def _in_range(x: float, low: float | None, high: float | None) -> bool:
    eps = 1e-9
    if low is not None and x < low - eps * max(1.0, abs(low)):
        return False
    return not (high is not None and x > high + eps * max(1.0, abs(high)))


def _pass_fail(value: Any, test: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _PASS:
            return True
        if key in _FAIL:
            return False
        if key in _NOT_DONE:
            return None
    raise InputError(f"{test}: write pass or fail (or leave empty while pending), got {value!r}", test)


def impossible_value(test: str, value: float) -> str | None:
    """Why ``value`` cannot be a result of ``test`` (outside its physical range), or None.

    An RCP of 150 % or a pH of 20 is an entry error, not a pass: the range is data
    (``release_test_ranges.csv``) with its basis."""
    rng = physical_range(test)
    if rng is None or rng.contains(value):
        return None
    return f"{format_sig(value, 4)} is impossible for {test}: it lies outside {rng.describe()} ({rng.basis})"


def check_result(spec: TestSpec, value: float | None, text: str, waived_reason: str) -> None:
    """Refuse a result that cannot be stored for ``spec`` (the form and the API share this check).

    Numeric tests need a number inside the test's physical range, pass/fail tests need ``pass`` or ``fail``,
    and a waiver (parametric release) is allowed only where the specification allows release before the
    result. Fields named in the errors: ``value``, ``text``, ``waived_reason``."""
    if waived_reason.strip():
        if not spec.release_before_result:
            raise InputError(
                f"{spec.test}: the specification does not allow release before this result ({spec.source.id})",
                "waived_reason",
            )
        if value is not None or text.strip():
            raise InputError("give either a result or a parametric-release reason, not both", "waived_reason")
        return
    if spec.kind == "pass_fail":
        if value is not None:
            raise InputError(f"{spec.test} is a pass/fail test: choose pass or fail, not a number", "value")
        if _pass_fail(text, spec.test) is None:
            raise InputError(f"{spec.test}: choose pass or fail", "text")
        return
    if text.strip():
        raise InputError(f"{spec.test} is a measured value: give the number, not pass/fail", "text")
    if value is None or isinstance(value, bool) or not math.isfinite(value):
        raise InputError(f"{spec.test}: give the measured value in {spec.unit or 'its unit'}", "value")
    if (why := impossible_value(spec.test, float(value))) is not None:
        raise InputError(why, "value")


def _evaluate_one(
    spec: TestSpec, value: Any, volume_mL: float | None, warnings: list[str]
) -> tuple[str, Any, str, str | None]:
    """(outcome, shown value, limit text, reason) for a result that is present."""
    if spec.kind != "pass_fail" and not isinstance(value, HalfLifeReadings):
        number = _number(value, spec.test)
        if (why := impossible_value(spec.test, number)) is not None:
            return "fail", number, spec.describe(volume_mL), why + "; record the test again"
    if spec.kind == "pass_fail":
        ok = _pass_fail(value, spec.test)
        if ok is None:
            return "missing", value, spec.describe(), "no result yet"
        return ("pass" if ok else "fail"), ("pass" if ok else "fail"), spec.describe(), None
    if spec.kind == "half_life":
        if isinstance(value, HalfLifeReadings):
            seconds = value.half_life_s
        else:
            seconds = _number(value, spec.test) * _TIME_UNITS_S[spec.unit]
        shown = seconds / _TIME_UNITS_S[spec.unit]
        ok = _in_range(shown, spec.limit_low, spec.limit_high)
        return ("pass" if ok else "fail"), round(shown, 4), spec.describe(), None
    if spec.kind == "endotoxin":
        x = _number(value, spec.test)
        if volume_mL is None:
            raise InputError(
                "endotoxins: give the maximum recommended dose volume V (mL) for the limit 175/V", "max_dose_volume_mL"
            )
        limit = endotoxin_limit(volume_mL, spec.limit_high)
        ok = x <= limit * (1 + 1e-9)
        return ("pass" if ok else "fail"), x, spec.describe(volume_mL), None
    x = _number(value, spec.test)  # numeric
    ok = _in_range(x, spec.limit_low, spec.limit_high)
    sigma = value.uncertainty_percent if isinstance(value, PurityResult) else None
    if spec.test == "rcp" and sigma and spec.limit_low is not None and abs(x - spec.limit_low) < 2 * sigma:
        warnings.append(
            f"rcp: {x:.2f} % is within 2σ ({2 * sigma:.2f} %) of the limit "
            f"{spec.limit_low:g} %; consider repeating the test"
        )
    return ("pass" if ok else "fail"), x, spec.describe(), None


def evaluate_release(
    product_id: str,
    results: Mapping[str, Any],
    parametric_release_reasons: Mapping[str, str] | None = None,
    *,
    specification: str | None = None,
    max_dose_volume_mL: float | None = None,
) -> ReleaseDecision:
    """Compare the QC results with the product's specification and decide whether the batch is releasable."""
    specs = release_specification(product_id, specification)
    first = next(iter(specs.values()))
    unknown = sorted(set(results) - set(RELEASE_TESTS))
    if unknown:
        raise InputError(
            f"unknown release test {', '.join(map(repr, unknown))}; known: {', '.join(RELEASE_TESTS)}", "results"
        )
    unspecified = [t for t in RELEASE_TESTS if t in results and t not in specs and results[t] is not None]
    reasons = dict(parametric_release_reasons or {})
    for test, reason in reasons.items():
        if test not in specs:
            raise InputError(f"parametric release: {test!r} is not a specified test of {first.product_id}", test)
        if not specs[test].release_before_result:
            raise InputError(
                f"parametric release: the specification does not allow releasing before the "
                f"{test} result ({specs[test].source.id})",
                test,
            )
        if not isinstance(reason, str) or not reason.strip():
            raise InputError(f"parametric release of {test}: a reason must be recorded", test)

    outcomes: list[TestOutcome] = []
    blocking: list[str] = []
    warnings: list[str] = []
    waivers: dict[str, str] = {}
    warnings += [
        f"{t}: not in the {first.specification} specification of {first.product_id}; result recorded, not evaluated"
        for t in unspecified
    ]
    for test in RELEASE_TESTS:
        spec = specs.get(test)
        if spec is None:
            continue
        value = results.get(test)
        reason: str | None = None
        if value is None:
            outcome, shown, limit = (
                ("missing" if spec.required else "not-tested"),
                None,
                spec.describe(max_dose_volume_mL),
            )
        else:
            outcome, shown, limit, reason = _evaluate_one(spec, value, max_dose_volume_mL, warnings)
        if outcome == "missing" and test in reasons:
            outcome, reason = "waived", reasons[test].strip()
            waivers[test] = reason
        elif test in reasons:
            warnings.append(f"{test}: a result is recorded, so the parametric-release reason is not used")
        o = TestOutcome(
            test=test,
            outcome=outcome,
            value=shown,
            unit=spec.result_unit,
            limit=limit,
            required=spec.required,
            method=spec.method,
            source=spec.source.id,
            source_text=spec.source.text,
            status=spec.status.value,
            edition=spec.edition,
            reason=reason,
        )
        outcomes.append(o)
        if o.outcome == "fail":
            blocking.append(f"{test} failed: {shown} outside {limit} [{spec.source.id}, {spec.status.value}]")
        elif o.blocks:
            blocking.append(f"{test} missing: required before release")
        if spec.status is Status.UNVERIFIED and o.outcome in ("pass", "fail"):
            warnings.append(f"{test}: the limit {limit} is unverified ({spec.source.id}); check the monograph")
    return ReleaseDecision(
        product_id=first.product_id,
        specification=first.specification,
        releasable=not blocking,
        outcomes=tuple(outcomes),
        blocking_reasons=tuple(blocking),
        waivers=waivers,
        warnings=tuple(warnings),
    )
