"""Evaluate a QC result against a test's bands: ``ok``, ``tolerance`` or ``action``.

The compared quantity follows the test's ``basis`` (see :mod:`nmguard.reference.qc_tests`): the value itself,
the difference from a reference value, or the percent deviation from it. Outside the action band → ``action``;
else outside the tolerance band → ``tolerance``; else ``ok``. Bands are inclusive (exactly +5 % is within ±5 %).

A department may replace the catalogue's bands (:class:`BandOverride`, with a reason that the result keeps);
a test whose catalogue entry has no bands can only be evaluated with the department's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from nmguard.errors import InputError
from nmguard.qc.catalogue import Band, QCTest, resolve
from nmguard.reference.citations import Status

OUTCOMES = ("ok", "tolerance", "action")
DEPARTMENT = "department"


@dataclass(frozen=True)
class BandOverride:
    """The department's bands for a test, replacing the catalogue's band of the same role; ``reason`` is kept."""

    reason: str
    tolerance: Band | None = None
    action: Band | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise InputError("say why the department's bands differ from the catalogue", "reason")
        if self.tolerance is None and self.action is None:
            raise InputError("a band override needs a tolerance or an action band", "bands")

    @classmethod
    def from_limits(
        cls,
        reason: str,
        *,
        unit: str = "",
        tolerance_low: float | None = None,
        tolerance_high: float | None = None,
        action_low: float | None = None,
        action_high: float | None = None,
    ) -> BandOverride:
        tol = None if tolerance_low is None and tolerance_high is None else Band(tolerance_low, tolerance_high, unit)
        act = None if action_low is None and action_high is None else Band(action_low, action_high, unit)
        return cls(reason=reason, tolerance=tol, action=act)


@dataclass(frozen=True)
class Evaluation:
    outcome: str  # "ok" | "tolerance" | "action"
    deviation: float  # the compared quantity (value, difference or percent), in ``deviation_unit``
    deviation_unit: str
    decided_by: str  # "tolerance" | "action": the band that decided
    band: Band
    source: str | None  # the deciding band's citation id, or "department"
    status: str | None  # the deciding band's status; None for a department band
    tolerance: Band | None = None
    action: Band | None = None
    test_id: str | None = None
    value: float | None = None
    reference_value: float | None = None
    override_reason: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return self.outcome == "ok"

    def to_dict(self) -> dict[str, Any]:
        return {
            "test": self.test_id,
            "outcome": self.outcome,
            "deviation": self.deviation,
            "deviation_unit": self.deviation_unit,
            "decided_by": self.decided_by,
            "band": self.band.to_dict(),
            "tolerance": self.tolerance.to_dict() if self.tolerance else None,
            "action": self.action.to_dict() if self.action else None,
            "source": self.source,
            "status": self.status,
            "value": self.value,
            "reference_value": self.reference_value,
            "override_reason": self.override_reason,
            "warnings": list(self.warnings),
        }


def _number(x: Any, name: str) -> float:
    if isinstance(x, bool):
        raise InputError(f"{name} {x!r} is not a number", name)
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{name} {x!r} is not a number", name) from None
    if not math.isfinite(v):
        raise InputError(f"{name} must be a finite number", name)
    return v


def deviation(basis: str, value: float, reference_value: float | None = None) -> float:
    """The compared quantity: ``value``, ``value − reference`` or ``(value / reference − 1) × 100``."""
    v = _number(value, "value")
    if basis == "value":
        return v
    if reference_value is None:
        raise InputError("this test compares with a reference value; give reference_value", "reference_value")
    ref = _number(reference_value, "reference_value")
    if basis == "difference":
        return v - ref
    if basis == "percent":
        if ref == 0:
            raise InputError("the reference value cannot be zero for a percent deviation", "reference_value")
        return (v / ref - 1.0) * 100.0
    raise InputError(f"unknown basis {basis!r}", "basis")


def _within(inner: Band, outer: Band) -> bool:
    if outer.low is not None and (inner.low is None or inner.low < outer.low):
        return False
    return not (outer.high is not None and (inner.high is None or inner.high > outer.high))


def _decide(
    dev: float,
    tolerance: Band | None,
    action: Band | None,
    unit: str,
    test_id: str | None,
    value: float | None,
    reference_value: float | None,
    reason: str | None,
    overridden: set[str],
) -> Evaluation:
    if tolerance is None and action is None:
        raise InputError(
            f"QC test {test_id!r} has no bands in the catalogue; the department must set them (with a reason)"
            if test_id
            else "no tolerance or action band given",
            "bands",
        )
    if tolerance is not None and action is not None and not _within(tolerance, action):
        raise InputError("the action band must contain the tolerance band", "bands")
    if action is not None and not action.contains(dev):
        outcome, role, band = "action", "action", action
    elif tolerance is not None and not tolerance.contains(dev):
        outcome, role, band = "tolerance", "tolerance", tolerance
    else:
        outcome = "ok"
        role, band = ("tolerance", tolerance) if tolerance is not None else ("action", action)
    assert band is not None
    warnings = []
    for name, b in (("tolerance", tolerance), ("action", action)):
        if b is not None and name not in overridden and b.status is not None and b.status is not Status.VERIFIED:
            src = b.source.id if b.source else "?"
            warnings.append(f"{name} band {b.describe()} has status {b.status.value} ({src})")
    department = role in overridden or band.source is None
    return Evaluation(
        outcome=outcome,
        deviation=dev,
        deviation_unit=unit,
        decided_by=role,
        band=band,
        source=DEPARTMENT if department else band.source.id,  # type: ignore[union-attr]
        status=None if department or band.status is None else band.status.value,
        tolerance=tolerance,
        action=action,
        test_id=test_id,
        value=value,
        reference_value=reference_value,
        override_reason=reason,
        warnings=tuple(warnings),
    )


def evaluate(
    test: QCTest | str,
    value: float,
    reference_value: float | None = None,
    bands: BandOverride | None = None,
) -> Evaluation:
    """Evaluate ``value`` (with ``reference_value`` where the test's basis needs one) against the test's bands.

    ``bands`` replaces the catalogue's tolerance and/or action band with the department's; its reason is kept.
    """
    t = resolve(test)
    dev = deviation(t.basis, value, reference_value)
    tolerance, action, reason, overridden = t.tolerance, t.action, None, set()
    if bands is not None:
        reason = bands.reason.strip()
        if bands.tolerance is not None:
            tolerance = Band(bands.tolerance.low, bands.tolerance.high, t.band_unit, note=bands.tolerance.note)
            overridden.add("tolerance")
        if bands.action is not None:
            action = Band(bands.action.low, bands.action.high, t.band_unit, note=bands.action.note)
            overridden.add("action")
    return _decide(
        dev,
        tolerance,
        action,
        t.band_unit,
        t.id,
        float(value),
        None if reference_value is None else float(reference_value),
        reason,
        overridden,
    )


def evaluate_bands(
    value: float,
    tolerance_low: float | None = None,
    tolerance_high: float | None = None,
    action_low: float | None = None,
    action_high: float | None = None,
    unit: str = "",
    reason: str | None = None,
) -> Evaluation:
    """Evaluate an already-compared quantity against plain limits (the department's stored bands)."""
    dev = _number(value, "value")
    tol = None if tolerance_low is None and tolerance_high is None else Band(tolerance_low, tolerance_high, unit)
    act = None if action_low is None and action_high is None else Band(action_low, action_high, unit)
    return _decide(dev, tol, act, unit, None, dev, None, reason, {"tolerance", "action"})
