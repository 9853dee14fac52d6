"""QC release specifications per radiopharmaceutical (``data/release_specifications.csv``).

One row per product id (of the radiopharmaceutical catalogue), specification (``usp`` or ``ph-eur``: a
specification never mixes pharmacopoeias) and test. ``kind`` says how a result is compared:

- ``numeric``: the value must lie in ``[limit_low, limit_high]`` (an empty side is open);
- ``half_life``: radionuclidic identity, a half-life in ``unit`` inside ``[limit_low, limit_high]``;
- ``endotoxin``: ``limit_high / V`` EU/mL with V the maximum recommended dose volume in mL;
- ``pass_fail``: a test that passes or fails (appearance, filter integrity, sterility);
- ``shelf_life``: not a release test; the shelf life in ``unit`` (used by expiry).

``required`` tests block release when missing; ``release_before_result`` marks a test whose result may
follow release (parametric release, e.g. sterility), which then needs a recorded reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference._sourced import opt_float, to_bool
from nmguard.reference.citations import Citation, Status, get_citation
from nmguard.reference.radiopharmaceuticals import get_radiopharmaceutical

RELEASE_SPECS_FILE = "release_specifications.csv"
KINDS = frozenset({"numeric", "half_life", "endotoxin", "pass_fail", "shelf_life"})
SPECIFICATIONS = ("ph-eur", "usp")
RELEASE_TESTS = ("appearance", "radionuclidic_identity", "ph", "rcp", "endotoxins", "filter_integrity", "sterility")
RELEASE_TEST_RANGES_FILE = "release_test_ranges.csv"


@dataclass(frozen=True)
class TestSpec:
    product_id: str
    specification: str
    test: str
    kind: str
    limit_low: float | None
    limit_high: float | None
    unit: str
    method: str
    required: bool
    release_before_result: bool
    source: Citation
    status: Status
    edition: str | None
    note: str | None

    @property
    def result_unit(self) -> str:
        """The unit of a result (an endotoxin result is in EU/mL; its limit is per V)."""
        return "EU/mL" if self.kind == "endotoxin" else self.unit

    def describe(self, volume_mL: float | None = None) -> str:
        """The limit as a person reads it, e.g. ``≥ 95 %``, ``105–115 min``, ``≤ 175/V EU/mL``."""
        u = f" {self.unit}" if self.unit else ""
        if self.kind == "pass_fail":
            return f"pass ({self.note})" if self.note and self.test == "appearance" else "pass"
        if self.kind == "endotoxin":
            if volume_mL:
                return f"≤ {self.limit_high:g}/{volume_mL:g} = {self.limit_high / volume_mL:.4g} EU/mL"
            return f"≤ {self.limit_high:g}/V EU/mL"
        if self.limit_low is not None and self.limit_high is not None:
            return f"{self.limit_low:g}–{self.limit_high:g}{u}"
        if self.limit_low is not None:
            return f"≥ {self.limit_low:g}{u}"
        return f"≤ {self.limit_high:g}{u}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "specification": self.specification,
            "test": self.test,
            "kind": self.kind,
            "limit_low": self.limit_low,
            "limit_high": self.limit_high,
            "unit": self.unit,
            "method": self.method,
            "required": self.required,
            "release_before_result": self.release_before_result,
            "source": self.source.id,
            "status": self.status.value,
            "edition": self.edition,
            "note": self.note,
        }


@cache
def _table() -> dict[tuple[str, str], dict[str, TestSpec]]:
    out: dict[tuple[str, str], dict[str, TestSpec]] = {}
    for i, row in enumerate(read_csv(RELEASE_SPECS_FILE), start=2):
        where = f"{RELEASE_SPECS_FILE} line {i}"
        try:
            product = get_radiopharmaceutical(row["product_id"].strip()).id
        except InputError as exc:
            raise ReferenceDataError(f"{where}: {exc.message}") from None
        if product != row["product_id"].strip():
            raise ReferenceDataError(f"{where}: write the catalogue id {product!r}, not an alias")
        spec = row["specification"].strip()
        if spec not in SPECIFICATIONS:
            raise ReferenceDataError(f"{where}: specification {spec!r} is not one of {SPECIFICATIONS}")
        kind, test = row["kind"].strip(), row["test"].strip()
        if kind not in KINDS:
            raise ReferenceDataError(f"{where}: kind {kind!r} is not one of {sorted(KINDS)}")
        if kind != "shelf_life" and test not in RELEASE_TESTS:
            raise ReferenceDataError(f"{where}: test {test!r} is not one of {RELEASE_TESTS}")
        low, high = opt_float(row["limit_low"], where), opt_float(row["limit_high"], where)
        if kind in ("numeric", "half_life") and low is None and high is None:
            raise ReferenceDataError(f"{where}: a {kind} test needs a limit")
        if kind in ("endotoxin", "shelf_life") and (high is None or high <= 0):
            raise ReferenceDataError(f"{where}: a {kind} row needs a positive limit_high")
        if low is not None and high is not None and low > high:
            raise ReferenceDataError(f"{where}: limit_low {low} above limit_high {high}")
        tests = out.setdefault((product, spec), {})
        if test in tests:
            raise ReferenceDataError(f"{where}: duplicate test {test!r} for {product} ({spec})")
        tests[test] = TestSpec(
            product_id=product,
            specification=spec,
            test=test,
            kind=kind,
            limit_low=low,
            limit_high=high,
            unit=row["unit"].strip(),
            method=row["method"].strip(),
            required=to_bool(row["required"], where),
            release_before_result=to_bool(row["release_before_result"], where),
            source=get_citation(row["source"], where),
            status=Status.parse(row["status"], where),
            edition=row["edition"].strip() or None,
            note=row["note"].strip() or None,
        )
    return out


def specifications_for(product: str) -> tuple[str, ...]:
    """The specifications shipped for a product (catalogue id or name), in file order."""
    pid = get_radiopharmaceutical(product).id
    return tuple(spec for (p, spec) in _table() if p == pid)


def release_specification(product: str, specification: str | None = None) -> dict[str, TestSpec]:
    """Release tests (test → spec) of a product; ``specification`` defaults to the first one shipped."""
    pid = get_radiopharmaceutical(product).id
    available = specifications_for(pid)
    if not available:
        raise InputError(f"no release specification is shipped for {pid}", "product")
    spec = available[0] if specification is None else specification.strip().lower()
    if spec not in available:
        raise InputError(f"{pid} has no {spec!r} specification; shipped: {', '.join(available)}", "specification")
    return {t: s for t, s in _table()[(pid, spec)].items() if s.kind != "shelf_life"}


def shelf_life(product: str, specification: str | None = None) -> TestSpec | None:
    """The shelf-life row of a product (``limit_high`` in ``unit``), or None when none is shipped."""
    pid = get_radiopharmaceutical(product).id
    for (p, spec), tests in _table().items():
        if p == pid and (specification is None or spec == specification) and "shelf_life" in tests:
            return tests["shelf_life"]
    return None


@dataclass(frozen=True)
class PhysicalRange:
    """The values a result of ``test`` can physically take (a value outside is an entry error, not a fail)."""

    test: str
    low: float | None
    high: float | None
    low_open: bool
    unit: str
    basis: str
    source: Citation
    status: Status

    def contains(self, value: float) -> bool:
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or value <= self.high

    def describe(self) -> str:
        """``0–100 %``, ``> 0 min``, ``≥ 0 EU/mL``."""
        u = f" {self.unit}" if self.unit else ""
        if self.low is not None and self.high is not None:
            return f"{self.low:g}–{self.high:g}{u}"
        if self.low is not None:
            return f"{'>' if self.low_open else '≥'} {self.low:g}{u}"
        return f"≤ {self.high:g}{u}"


@cache
def physical_ranges() -> dict[str, PhysicalRange]:
    """Physical range per numeric release test (``data/release_test_ranges.csv``)."""
    out: dict[str, PhysicalRange] = {}
    for i, row in enumerate(read_csv(RELEASE_TEST_RANGES_FILE), start=2):
        where = f"{RELEASE_TEST_RANGES_FILE} line {i}"
        test = row["test"].strip()
        if test not in RELEASE_TESTS or test in out:
            raise ReferenceDataError(f"{where}: test {test!r} unknown or listed twice")
        low, high = opt_float(row["low"], where), opt_float(row["high"], where)
        if low is None and high is None:
            raise ReferenceDataError(f"{where}: a range needs a low or a high end")
        out[test] = PhysicalRange(
            test=test,
            low=low,
            high=high,
            low_open=to_bool(row["low_open"], where),
            unit=row["unit"].strip(),
            basis=row["basis"].strip(),
            source=get_citation(row["source"], where),
            status=Status.parse(row["status"], where),
        )
    return out


def physical_range(test: str) -> PhysicalRange | None:
    """The physical range of a numeric release test, or None for a pass/fail test."""
    return physical_ranges().get(test)


def all_release_specs() -> tuple[TestSpec, ...]:
    return tuple(s for tests in _table().values() for s in tests.values())
