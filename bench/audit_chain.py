"""Verifying the audit hash chain against a plain loop a competent user would write for the same check.

Baseline: the strongest simple verifier: one loop over the events that serialises each payload with
``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, hashes ``prev + text`` with
``hashlib.sha256`` and compares the link and the hash, stopping at nothing (as NMGuard, it reads the whole
chain). It must accept the same chain, which the script checks. Measured: ``verify_chain`` (sequence
gaps, link, hash, the separately recorded head, the first bad event and why). Both sides are one Python
thread in this process, interleaved. A third, lower bound: SHA-256 alone over texts serialised in
advance, to show how much of the time is hashing. ``nmguard audit verify`` adds reading the database.

    .venv/bin/python bench/audit_chain.py [--events 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _harness import interleave, print_report  # noqa: E402
from nmguard.integrity.hashchain import GENESIS_HASH, ChainedEvent, chain_hash, verify_chain  # noqa: E402


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


def plain_verify(events: list[ChainedEvent]) -> bool:
    """The baseline: what one writes in a few lines, knowing the canonical form."""
    prev, ok = GENESIS_HASH, True
    for e in events:
        text = json.dumps(e.payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        ok &= e.prev_hash == prev and hashlib.sha256((prev + text).encode()).hexdigest() == e.hash
        prev = e.hash
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    events = build_chain(args.events)
    head = (args.events, events[-1].hash)
    assert plain_verify(events) and verify_chain(events, head=head).ok  # same chain accepted by both
    texts = [(e.prev_hash + json.dumps(e.payload, sort_keys=True, separators=(",", ":"))).encode() for e in events]

    def hashing_only() -> None:
        for t in texts:
            hashlib.sha256(t).hexdigest()

    result = interleave(
        {
            "plain loop": lambda: plain_verify(events),
            "nmguard verify_chain": lambda: verify_chain(events, head=head),
            "sha256 only (bound)": hashing_only,
        },
        rounds=args.rounds,
    )
    print_report(
        f"audit chain verify, {args.events} events in memory",
        result,
        baseline="plain loop",
        baseline_text="json.dumps(sort_keys) + hashlib.sha256 + link check per event",
        threads="1 Python thread each (hashlib releases the GIL only for large buffers)",
        per=(args.events, "events"),
    )


if __name__ == "__main__":
    main()
