"""Document-control and peer-review policy (``data/peer_review.toml``): review interval of controlled documents,
the default sampling rate of peer review, and the RADPEER-like discrepancy scale with its wording and source.

Why data: the interval and the rate are the department's policy and the scale is ACR RADPEER's; neither belongs
in a view or a service.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference._sourced import sourced_entry
from nmguard.reference.citations import Citation, SourcedValue, Status, get_citation

PEER_REVIEW_FILE = "peer_review.toml"
_UNITS = {"document_review_interval": "month", "document_review_due_soon": "d", "sampling_rate": "1"}


@dataclass(frozen=True)
class Score:
    """One step of the scale: its code ("2a"), rank for ordering, whether it is a discrepancy, its wording."""

    code: str
    rank: int
    discrepancy: bool
    wording: str
    source: Citation
    status: Status


@dataclass(frozen=True)
class PeerReviewPolicy:
    document_review_interval: SourcedValue
    document_review_due_soon: SourcedValue
    sampling_rate: SourcedValue
    scores: tuple[Score, ...]

    def score(self, code: str) -> Score:
        """The score of ``code``; KeyError when the scale has none."""
        for s in self.scores:
            if s.code == code:
                return s
        raise KeyError(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.scores)


@cache
def peer_review_policy() -> PeerReviewPolicy:
    """The policy and the scale, checked (a unit or an order that does not fit is a data bug)."""
    data = read_toml(PEER_REVIEW_FILE)
    where = PEER_REVIEW_FILE
    values = {}
    for key, unit in _UNITS.items():
        try:
            value = sourced_entry(data["policy"][key], f"{where} policy.{key}")
        except KeyError:
            raise ReferenceDataError(f"{where}: policy.{key} missing") from None
        if value.unit != unit or value.value <= 0:
            raise ReferenceDataError(f"{where} policy.{key}: positive value in {unit} expected")
        values[key] = value
    if values["sampling_rate"].value > 1:
        raise ReferenceDataError(f"{where} policy.sampling_rate: a fraction at most 1 expected")
    scores = tuple(
        Score(
            code=str(row["code"]),
            rank=int(row["rank"]),
            discrepancy=bool(row["discrepancy"]),
            wording=str(row["wording"]),
            source=get_citation(str(row["source"]), f"{where} score {row['code']}"),
            status=Status.parse(str(row["status"]), f"{where} score {row['code']}"),
        )
        for row in data.get("scores", [])
    )
    ranks = [s.rank for s in scores]
    if not scores or ranks != sorted(set(ranks)):
        raise ReferenceDataError(f"{where}: scores must have distinct ranks in increasing order")
    return PeerReviewPolicy(scores=scores, **values)
