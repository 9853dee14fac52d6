"""Incident taxonomy (``data/incident_taxonomy.toml``): process stages, severity levels, contributing factors,
and the escalation steps of overdue corrective actions, each with its source and status.

Why data: the scale is the department's (or its national learning system's) choice and must be citable and
changeable without touching the forms, the services or the export.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference.citations import Citation, Status, get_citation

TAXONOMY_FILE = "incident_taxonomy.toml"
RECIPIENTS = ("owner", "quality_manager")
NEAR_MISS = "near_miss"  # the severity of a near miss, and of a near miss only (incident_services)


@dataclass(frozen=True)
class Term:
    """One stage, severity or factor: the stored code, the label people read, and where it comes from."""

    code: str
    label: str
    source: Citation
    status: Status
    rank: int = 0
    description: str = ""


@dataclass(frozen=True)
class EscalationStep:
    """Notify ``to`` once an open action is ``after_days`` days past its due date (at least one day late)."""

    after_days: int
    to: str
    source: Citation
    status: Status


@dataclass(frozen=True)
class IncidentTaxonomy:
    stages: tuple[Term, ...]
    severities: tuple[Term, ...]
    factors: tuple[Term, ...]
    escalation: tuple[EscalationStep, ...]

    @staticmethod
    def choices(terms: tuple[Term, ...]) -> list[tuple[str, str]]:
        """(code, label) pairs for a form or a model field."""
        return [(t.code, t.label) for t in terms]

    def label(self, kind: str, code: str) -> str:
        """The label of ``code`` among ``kind`` ("stages", "severities", "factors"); the code itself if unknown
        (a code retired from the data still reads on old records)."""
        return next((t.label for t in getattr(self, kind) if t.code == code), code)


def _terms(data: dict, kind: str, ranked: bool = False) -> tuple[Term, ...]:
    terms = []
    for i, row in enumerate(data.get(kind, [])):
        where = f"{TAXONOMY_FILE} {kind}[{i}]"
        try:
            code, label = str(row["code"]).strip(), str(row["label"]).strip()
            source, status = str(row["source"]), str(row["status"])
        except KeyError as missing:
            raise ReferenceDataError(f"{where}: {missing} missing") from None
        if not code or not label or len(code) > 24:
            raise ReferenceDataError(f"{where}: a code of 1-24 characters and a label expected")
        terms.append(
            Term(
                code=code,
                label=label,
                source=get_citation(source, where),
                status=Status.parse(status, where),
                rank=int(row.get("rank", 0)),
                description=str(row.get("description", "")).strip(),
            )
        )
    codes = [t.code for t in terms]
    if not terms or len(set(codes)) != len(codes):
        raise ReferenceDataError(f"{TAXONOMY_FILE}: {kind} must be non-empty with distinct codes")
    if ranked and [t.rank for t in terms] != sorted({t.rank for t in terms}):
        raise ReferenceDataError(f"{TAXONOMY_FILE}: {kind} must have distinct ranks in increasing order")
    return tuple(terms)


def _escalation(data: dict) -> tuple[EscalationStep, ...]:
    steps = []
    for i, row in enumerate(data.get("escalation", [])):
        where = f"{TAXONOMY_FILE} escalation[{i}]"
        days, to = row.get("after_days"), row.get("to")
        if not isinstance(days, int) or days < 0 or to not in RECIPIENTS:
            raise ReferenceDataError(f"{where}: after_days >= 0 (whole days) and to in {RECIPIENTS} expected")
        steps.append(
            EscalationStep(days, to, get_citation(str(row["source"]), where), Status.parse(str(row["status"]), where))
        )
    if [s.after_days for s in steps] != sorted({s.after_days for s in steps}):
        raise ReferenceDataError(f"{TAXONOMY_FILE}: escalation steps need distinct after_days in increasing order")
    return tuple(steps)


@cache
def incident_taxonomy() -> IncidentTaxonomy:
    """The taxonomy, checked (a duplicate code, a missing source or an unordered scale is a data bug)."""
    data = read_toml(TAXONOMY_FILE)
    severities = _terms(data, "severities", ranked=True)
    if NEAR_MISS not in {t.code for t in severities}:
        raise ReferenceDataError(
            f"{TAXONOMY_FILE}: severities need the code {NEAR_MISS!r} (a replacement scale keeps it: the incident "
            "report ties its near-miss answer to that code)"
        )
    return IncidentTaxonomy(
        stages=_terms(data, "stages"),
        severities=severities,
        factors=_terms(data, "factors"),
        escalation=_escalation(data),
    )
