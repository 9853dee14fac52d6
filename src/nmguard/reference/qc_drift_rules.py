"""Drift rules for QC trends (``data/qc_drift_rules.toml``): run length and slope-test parameters, each sourced.

A trend that still passes can be heading for the action level; these parameters decide when NMGuard says so
(:mod:`nmguard.qc.drift`). The run rule is Nelson's test 3 (six results in a row rising or falling); the slope
rule is a least-squares slope test (NIST/SEMATECH e-Handbook 7.1.7) projected to the action level.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference._sourced import sourced_entry
from nmguard.reference.citations import Citation, SourcedValue, Status, get_citation

QC_DRIFT_FILE = "qc_drift_rules.toml"


@dataclass(frozen=True)
class Method:
    """Which published rule a drift check follows, with its source and status."""

    name: str
    source: Citation
    status: Status
    note: str | None = None


@dataclass(frozen=True)
class DriftRules:
    rationale: Method
    run: Method
    run_length: SourcedValue  # results
    slope: Method
    window: SourcedValue  # results
    min_points: SourcedValue  # results
    alpha: SourcedValue  # 1
    horizon: SourcedValue  # d

    def sources(self) -> tuple[Citation, ...]:
        seen: dict[str, Citation] = {}
        for c in (self.rationale.source, self.run.source, self.slope.source):
            seen.setdefault(c.id, c)
        for v in (self.run_length, self.window, self.min_points, self.alpha, self.horizon):
            seen.setdefault(v.source.id, v.source)
        return tuple(seen.values())

    def to_dict(self) -> dict[str, Any]:
        def sv(v: SourcedValue) -> dict[str, Any]:
            return {"value": v.value, "unit": v.unit, "source": v.source.id, "status": v.status.value}

        return {
            "run": {"name": self.run.name, "source": self.run.source.id, "status": self.run.status.value},
            "run_length": sv(self.run_length),
            "slope": {"name": self.slope.name, "source": self.slope.source.id, "status": self.slope.status.value},
            "window": sv(self.window),
            "min_points": sv(self.min_points),
            "alpha": sv(self.alpha),
            "horizon": sv(self.horizon),
        }


def _method(entry: Any, name: str, where: str) -> Method:
    if not isinstance(entry, dict) or not {"source", "status"} <= set(entry):
        raise ReferenceDataError(f"{where}: needs a table with source and status")
    return Method(
        name,
        get_citation(str(entry["source"]), where),
        Status.parse(str(entry["status"]), where),
        (entry.get("note") or "").strip() or None,
    )


def _value(table: dict[str, Any], key: str, unit: str, where: str, low: float, high: float) -> SourcedValue:
    if key not in table:
        raise ReferenceDataError(f"{where}: missing {key!r}")
    v = sourced_entry(table[key], f"{where} {key}")
    if v.unit != unit:
        raise ReferenceDataError(f"{where} {key}: unit {v.unit!r}, expected {unit!r}")
    if not low <= v.value <= high:
        raise ReferenceDataError(f"{where} {key}: {v.value:g} outside {low:g}..{high:g}")
    return v


@cache
def drift_rules() -> DriftRules:
    """The shipped drift rules (validated on load: sources resolve, statuses valid, values in range)."""
    data = read_toml(QC_DRIFT_FILE)
    run, slope = data.get("run"), data.get("slope")
    if not isinstance(run, dict) or not isinstance(slope, dict):
        raise ReferenceDataError(f"{QC_DRIFT_FILE}: needs [run] and [slope]")
    rules = DriftRules(
        rationale=_method(data.get("rationale"), "why QC trends are watched", f"{QC_DRIFT_FILE} rationale"),
        run=_method(run.get("method"), str(run.get("name", "")), f"{QC_DRIFT_FILE} run"),
        run_length=_value(run, "length", "results", f"{QC_DRIFT_FILE} run", 3, 50),
        slope=_method(slope.get("method"), str(slope.get("name", "")), f"{QC_DRIFT_FILE} slope"),
        window=_value(slope, "window", "results", f"{QC_DRIFT_FILE} slope", 3, 200),
        min_points=_value(slope, "min_points", "results", f"{QC_DRIFT_FILE} slope", 3, 200),
        alpha=_value(slope, "alpha", "1", f"{QC_DRIFT_FILE} slope", 1e-6, 0.5),
        horizon=_value(slope, "horizon", "d", f"{QC_DRIFT_FILE} slope", 1, 3650),
    )
    if rules.min_points.value > rules.window.value:
        raise ReferenceDataError(f"{QC_DRIFT_FILE} slope: min_points exceeds window")
    if not rules.run.name or not rules.slope.name:
        raise ReferenceDataError(f"{QC_DRIFT_FILE}: each rule needs a name")
    return rules
