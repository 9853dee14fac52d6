"""The list of decision-path reference values and their status, checked against the data files read directly."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from importlib import resources

from nmguard.reference.citations import Citation, SourcedValue, Status, citations
from nmguard.reference.decision_path import _walk, decision_values, unverified_decision_values

DATA = resources.files("nmguard.reference") / "data"


def _by_rule(prefix: str):
    return [v for v in decision_values() if v.rule.startswith(prefix)]


def test_qc_catalogue_entries_and_statuses_equal_the_toml_read_directly():
    """Every frequency, tolerance band and action band of qc_tests.toml is one entry with its own status."""
    tests = tomllib.loads((DATA / "qc_tests.toml").read_text("utf-8"))["test"]
    raw = [f["status"] for t in tests for f in t["frequencies"]]
    raw += [t[band]["status"] for t in tests for band in ("tolerance", "action") if band in t]
    listed = _by_rule("QC frequency")
    assert len(listed) == len(raw) > 0
    assert sum(v.status != Status.VERIFIED for v in listed) == sum(s != "verified" for s in raw)


def test_release_specifications_and_ranges_equal_the_csv_rows():
    with (DATA / "release_specifications.csv").open(encoding="utf-8") as f:
        specs = [row["status"] for row in csv.DictReader(f)]
    with (DATA / "release_test_ranges.csv").open(encoding="utf-8") as f:
        ranges = [row["status"] for row in csv.DictReader(f)]
    listed = _by_rule("Batch release")
    assert len(listed) == len(specs) + len(ranges)
    assert sum(not v.verified for v in listed) == sum(s != "verified" for s in specs + ranges)


def test_unverified_are_exactly_those_not_verified_and_every_source_is_a_known_citation():
    values = decision_values()
    unverified = unverified_decision_values()
    assert 0 < len(unverified) < len(values)
    assert {v.status for v in unverified} <= {Status.DERIVED, Status.SECONDARY, Status.UNVERIFIED}
    assert len(unverified) == sum(v.status != Status.VERIFIED for v in values)
    known = citations()
    assert all(known[v.source.id] == v.source for v in values)
    areas = {v.area for v in values}
    assert areas == {"Equipment QC", "Administrations", "Hot lab", "Therapy", "Protection"}


def test_walk_finds_sourced_values_sourced_objects_and_source_status_pairs():
    cite = Citation("c1", "A source", None, None)

    @dataclass(frozen=True)
    class Step:
        id: str
        action: str
        source: Citation
        status: Status

    @dataclass(frozen=True)
    class Rule:
        limit: SourcedValue
        by_key: dict
        steps: tuple
        hold_source: Citation
        hold_status: Status
        hold_note: str
        name: str = "not sourced"

    rule = Rule(
        limit=SourcedValue(2.0, "d", cite, Status.SECONDARY),
        by_key={"a": SourcedValue(1.0, "Bq/g", cite, Status.VERIFIED)},
        steps=(Step("notify", "call", cite, Status.UNVERIFIED),),
        hold_source=cite,
        hold_status=Status.DERIVED,
        hold_note="ten half-lives",
    )
    found = {name: (value, status) for name, value, _, status, _ in _walk(rule, "r")}
    assert found == {
        "r.limit": ("2 d", Status.SECONDARY),
        "r.by_key.a": ("1 Bq/g", Status.VERIFIED),
        "r.steps[notify]": ("call", Status.UNVERIFIED),
        "r.hold": ("ten half-lives", Status.DERIVED),
    }
