"""The equipment QC test catalogue (``data/qc_tests.toml``): frequencies and bands, each with source and status.

A test names the equipment kinds it applies to (the Django ``Equipment.Kind`` values), its frequencies, the
measured quantity and unit, how a result is compared (``basis``), an optional tolerance band and an optional
action band. A test without bands needs the department's own before a result can be evaluated
(:func:`nmguard.qc.evaluation.evaluate` with ``bands=``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference.citations import Citation, Status, get_citation

QC_TESTS_FILE = "qc_tests.toml"

#: the values of the Django ``Equipment.Kind`` choices
EQUIPMENT_KINDS = (
    "activity_meter",
    "gamma_camera",
    "spect_ct",
    "pet_ct",
    "uptake_probe",
    "well_counter",
    "survey_meter",
    "contamination_monitor",
)
#: frequencies, most frequent first (``acceptance`` and ``after_repair`` are events, not periods)
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "annual", "after_repair", "acceptance")
PERIODIC = FREQUENCIES[:5]
#: value: the measured value itself; difference: measured − reference; percent: (measured/reference − 1) × 100
BASES = ("value", "difference", "percent")


@dataclass(frozen=True)
class Band:
    """An inclusive interval ``[low, high]`` for the compared quantity; ``None`` leaves that side open.

    ``source``/``status`` are ``None`` for a department's own band (the reason is kept by the evaluation).
    """

    low: float | None
    high: float | None
    unit: str
    source: Citation | None = None
    status: Status | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            v = getattr(self, name)
            if v is not None and not (isinstance(v, int | float) and math.isfinite(v)):
                raise InputError(f"band {name} must be a finite number, got {v!r}", name)
        if self.low is None and self.high is None:
            raise InputError("a band needs a low or a high limit", "band")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise InputError(f"band low {self.low:g} is above high {self.high:g}", "band")

    def contains(self, x: float) -> bool:
        """Inclusive, with a tolerance of 1e-9 of the limit so that exactly 5 % stays within ±5 %."""
        if self.low is not None and x < self.low - 1e-9 * max(1.0, abs(self.low)):
            return False
        return not (self.high is not None and x > self.high + 1e-9 * max(1.0, abs(self.high)))

    def describe(self) -> str:
        u = f" {self.unit}" if self.unit else ""
        if self.low is not None and self.high is not None:
            if self.low == -self.high:
                return f"±{self.high:g}{u}"
            return f"{self.low:g} to {self.high:g}{u}"
        if self.low is not None:
            return f"≥ {self.low:g}{u}"
        return f"≤ {self.high:g}{u}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "source": self.source.id if self.source else None,
            "status": self.status.value if self.status else None,
            "note": self.note,
        }


@dataclass(frozen=True)
class Frequency:
    value: str
    source: Citation
    status: Status
    note: str | None = None


@dataclass(frozen=True)
class QCTest:
    id: str
    name: str
    kinds: tuple[str, ...]
    frequencies: tuple[Frequency, ...]
    quantity: str
    unit: str
    basis: str
    tolerance: Band | None
    action: Band | None
    instructions: str
    analysis: str | None = None

    @property
    def band_unit(self) -> str:
        return "%" if self.basis == "percent" else self.unit

    @property
    def needs_reference(self) -> bool:
        return self.basis != "value"

    @property
    def routine_frequency(self) -> str:
        """The most frequent periodic frequency, else the first event (``acceptance``, ``after_repair``)."""
        values = [f.value for f in self.frequencies]
        periodic = [v for v in PERIODIC if v in values]
        return periodic[0] if periodic else values[0]

    def sources(self) -> tuple[Citation, ...]:
        seen: dict[str, Citation] = {}
        for f in self.frequencies:
            seen.setdefault(f.source.id, f.source)
        for band in (self.tolerance, self.action):
            if band is not None and band.source is not None:
                seen.setdefault(band.source.id, band.source)
        return tuple(seen.values())


# --------------------------------------------------------------------------- loading


def _text(entry: dict[str, Any], key: str, where: str, required: bool = True) -> str:
    value = entry.get(key)
    if value is None:
        if required:
            raise ReferenceDataError(f"{where}: missing {key!r}")
        return ""
    if not isinstance(value, str):
        raise ReferenceDataError(f"{where}: {key!r} must be text")
    return " ".join(value.split())


def _limit(entry: dict[str, Any], key: str, where: str) -> float | None:
    v = entry.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ReferenceDataError(f"{where}: {key} {v!r} is not a finite number")
    return float(v)


def _band(entry: Any, unit: str, where: str) -> Band | None:
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise ReferenceDataError(f"{where}: must be a table")
    unknown = set(entry) - {"low", "high", "source", "status", "note"}
    if unknown:
        raise ReferenceDataError(f"{where}: unknown keys {sorted(unknown)}")
    try:
        return Band(
            low=_limit(entry, "low", where),
            high=_limit(entry, "high", where),
            unit=unit,
            source=get_citation(_text(entry, "source", where), where),
            status=Status.parse(_text(entry, "status", where), where),
            note=_text(entry, "note", where, required=False) or None,
        )
    except InputError as exc:
        raise ReferenceDataError(f"{where}: {exc.message}") from None


def _frequency(entry: Any, where: str) -> Frequency:
    if not isinstance(entry, dict):
        raise ReferenceDataError(f"{where}: must be a table")
    value = _text(entry, "value", where)
    if value not in FREQUENCIES:
        raise ReferenceDataError(f"{where}: frequency {value!r} not in {list(FREQUENCIES)}")
    return Frequency(
        value=value,
        source=get_citation(_text(entry, "source", where), where),
        status=Status.parse(_text(entry, "status", where), where),
        note=_text(entry, "note", where, required=False) or None,
    )


def _inside(inner: Band, outer: Band) -> bool:
    if outer.low is not None and (inner.low is None or inner.low < outer.low):
        return False
    return not (outer.high is not None and (inner.high is None or inner.high > outer.high))


def _test(entry: dict[str, Any], where: str) -> QCTest:
    known = {
        "id",
        "name",
        "kinds",
        "frequencies",
        "quantity",
        "unit",
        "basis",
        "tolerance",
        "action",
        "instructions",
        "analysis",
    }
    unknown = set(entry) - known
    if unknown:
        raise ReferenceDataError(f"{where}: unknown keys {sorted(unknown)}")
    tid = _text(entry, "id", where)
    where = f"{QC_TESTS_FILE} test {tid!r}"
    kinds = entry.get("kinds") or []
    if not kinds or any(k not in EQUIPMENT_KINDS for k in kinds):
        raise ReferenceDataError(f"{where}: kinds {kinds!r} must be among {list(EQUIPMENT_KINDS)}")
    basis = _text(entry, "basis", where)
    if basis not in BASES:
        raise ReferenceDataError(f"{where}: basis {basis!r} not in {list(BASES)}")
    freqs = entry.get("frequencies") or []
    if not freqs:
        raise ReferenceDataError(f"{where}: no frequency")
    unit = entry.get("unit")
    if not isinstance(unit, str):
        raise ReferenceDataError(f"{where}: missing 'unit'")
    band_unit = "%" if basis == "percent" else unit
    tolerance = _band(entry.get("tolerance"), band_unit, f"{where} tolerance")
    action = _band(entry.get("action"), band_unit, f"{where} action")
    if tolerance is not None and action is not None and not _inside(tolerance, action):
        raise ReferenceDataError(f"{where}: the action band must contain the tolerance band")
    return QCTest(
        id=tid,
        name=_text(entry, "name", where),
        kinds=tuple(kinds),
        frequencies=tuple(_frequency(f, f"{where} frequency {i}") for i, f in enumerate(freqs, start=1)),
        quantity=_text(entry, "quantity", where),
        unit=unit,
        basis=basis,
        tolerance=tolerance,
        action=action,
        instructions=_text(entry, "instructions", where),
        analysis=_text(entry, "analysis", where, required=False) or None,
    )


@cache
def _catalogue() -> dict[str, QCTest]:
    data = read_toml(QC_TESTS_FILE)
    out: dict[str, QCTest] = {}
    for i, entry in enumerate(data.get("test", []), start=1):
        test = _test(entry, f"{QC_TESTS_FILE} test {i}")
        if test.id in out:
            raise ReferenceDataError(f"{QC_TESTS_FILE}: duplicate test id {test.id!r}")
        out[test.id] = test
    if not out:
        raise ReferenceDataError(f"{QC_TESTS_FILE}: no tests")
    return out


def qc_tests() -> tuple[QCTest, ...]:
    """All catalogue tests in file order."""
    return tuple(_catalogue().values())


def get_qc_test(test_id: str) -> QCTest:
    """The catalogue test ``test_id``; an unknown id is an :class:`InputError` naming the known ones."""
    key = str(test_id).strip()
    try:
        return _catalogue()[key]
    except KeyError:
        known = ", ".join(_catalogue())
        raise InputError(f"unknown QC test {key!r}; known tests: {known}", "test") from None


def qc_tests_for_kind(kind: str) -> tuple[QCTest, ...]:
    """The tests that apply to an equipment kind (a Django ``Equipment.Kind`` value)."""
    if kind not in EQUIPMENT_KINDS:
        raise InputError(f"unknown equipment kind {kind!r}; use one of {', '.join(EQUIPMENT_KINDS)}", "kind")
    return tuple(t for t in _catalogue().values() if kind in t.kinds)
