"""The one result shape every analysis returns (QC image analyses, activity-meter tests, dosimetry runs).

Like pylinac's analyses, a person who has read one result can read them all: what went in, with
which parameters, the numbers with their units (and, where a number is a reference value, its
source and status), the warnings, and a figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Quantity:
    value: float | int | bool | str | None
    unit: str = ""
    source: str | None = None
    status: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        return {"value": value, "unit": self.unit, "source": self.source, "status": self.status, "note": self.note}


@dataclass(frozen=True)
class AnalysisResult:
    analysis: str  # e.g. "nema-nu1-2018-uniformity"
    inputs: dict[str, Any]  # file names, SOP instance UIDs, sizes, the metadata the analysis used
    parameters: dict[str, Any]  # method choices (pixel size targeted, thresholds, standard edition …)
    values: dict[str, Quantity]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    figure_svg: str | None = None
    passed: bool | None = None  # when the analysis itself decides pass/fail (e.g. EARL)

    def flat(self) -> dict[str, Any]:
        """name → value, for the CLI's top-level JSON keys."""
        return {name: q.to_dict()["value"] for name, q in self.values.items()}

    def to_dict(self, with_figure: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "analysis": self.analysis,
            "inputs": self.inputs,
            "parameters": self.parameters,
            **self.flat(),
            "values": {name: q.to_dict() for name, q in self.values.items()},
            "warnings": list(self.warnings),
            "passed": self.passed,
        }
        if with_figure:
            out["figure_svg"] = self.figure_svg
        return out
