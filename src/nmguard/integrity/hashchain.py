"""The audit trail's hash chain, independent of any database.

Each event's hash is ``sha256(previous_hash || canonical_json(payload))``. Changing, removing or
reordering any stored event changes every later hash, so :func:`verify_chain` finds the first
event whose stored values no longer match what was chained.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no spaces, UTF-8 kept, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_hash(previous_hash: str, payload: Mapping[str, Any]) -> str:
    """The hash that links ``payload`` to the event before it."""
    return sha256_hex(previous_hash + canonical_json(dict(payload)))


@dataclass(frozen=True)
class ChainedEvent:
    """What the verifier needs of one stored event."""

    seq: int
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_bad_event: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "first_bad_event": self.first_bad_event,
            "problem": self.problem,
        }


def verify_chain(events: Iterable[ChainedEvent], head: tuple[int, str] | None = None) -> ChainReport:
    """Recompute the chain in ``seq`` order; report the first event that breaks it.

    ``head`` is the (last seq, last hash) recorded separately when the last event was written;
    it lets the verifier notice events cut off the end of the chain.
    """
    expected_prev = GENESIS_HASH
    count = 0
    first_bad: tuple[int, str] | None = None
    for event in events:
        count += 1
        problem = None
        if event.seq != count:
            problem = f"sequence gap: expected event {count}"
        elif event.prev_hash != expected_prev:
            problem = "previous-hash link does not match"
        elif chain_hash(event.prev_hash, event.payload) != event.hash:
            problem = "stored content does not match its hash"
        if problem and first_bad is None:
            first_bad = (event.seq, problem)
        expected_prev = event.hash
    if first_bad is None and head is not None:
        head_seq, head_hash = head
        if head_seq != count:
            first_bad = (min(head_seq, count) + 1, f"chain head records {head_seq} events, {count} are stored")
        elif head_hash != expected_prev:
            first_bad = (count, "chain head hash does not match the last event")
    if first_bad is not None:
        return ChainReport(False, count, first_bad[0], first_bad[1])
    return ChainReport(True, count)
