"""Verifying the audit hash chain against the cost of hashing the same bytes.

Baseline: SHA-256 over pre-serialised event texts (the irreducible work). Measured: the full
verification (canonical JSON of each payload, hash, link checks). The ratio shows the overhead of
canonicalisation; ``nmguard audit verify`` adds database reading on top.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _harness import report  # noqa: E402
from nmguard.integrity.hashchain import GENESIS_HASH, ChainedEvent, canonical_json, chain_hash, verify_chain  # noqa: E402

N = 20_000


def build_chain(n: int) -> list[ChainedEvent]:
    events, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        payload = {
            "seq": seq,
            "at": "2026-11-26T08:00:00.123456+00:00",
            "actor_id": 3,
            "actor_username": "physicist",
            "action": "update",
            "model_label": "equipment.Equipment",
            "object_id": str(seq % 50),
            "before": {"status": "clinical", "location": "Room 1", "name": f"Device {seq % 50}"},
            "after": {"status": "out_of_service", "location": "Room 1", "name": f"Device {seq % 50}"},
            "reason": "uniformity out of tolerance",
        }
        h = chain_hash(prev, payload)
        events.append(ChainedEvent(seq, payload, prev, h))
        prev = h
    return events


def main() -> None:
    events = build_chain(N)
    texts = [(e.prev_hash + canonical_json(e.payload)).encode() for e in events]
    head = (N, events[-1].hash)

    def baseline() -> None:
        for t in texts:
            hashlib.sha256(t).hexdigest()

    def measured() -> None:
        assert verify_chain(events, head=head).ok

    report(f"audit chain verify, {N} events", measured, baseline)


if __name__ == "__main__":
    main()
