"""The pure hash chain: any change, removal, reordering or truncation is found."""

import hashlib
import json

from nmguard.integrity.hashchain import GENESIS_HASH, ChainedEvent, chain_hash, verify_chain


def _chain(n):
    events, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        payload = {"seq": seq, "what": f"event {seq}", "before": None, "after": {"x": str(seq)}}
        h = chain_hash(prev, payload)
        events.append(ChainedEvent(seq, payload, prev, h))
        prev = h
    return events


def test_hash_is_sha256_of_prev_and_canonical_json():
    payload = {"b": 1, "a": "ä"}
    expected = hashlib.sha256((GENESIS_HASH + '{"a":"ä","b":1}').encode()).hexdigest()
    assert chain_hash(GENESIS_HASH, payload) == expected
    assert json.loads('{"a":"ä","b":1}') == payload


def test_intact_chain():
    events = _chain(5)
    report = verify_chain(events, head=(5, events[-1].hash))
    assert report.ok and report.events == 5 and report.first_bad_event is None


def test_changed_content_found():
    events = _chain(5)
    bad = events[2]
    events[2] = ChainedEvent(bad.seq, {**bad.payload, "what": "edited"}, bad.prev_hash, bad.hash)
    report = verify_chain(events, head=(5, events[-1].hash))
    assert not report.ok and report.first_bad_event == 3 and report.events == 5


def test_rehashed_edit_breaks_next_link():
    """An editor who also recomputes the edited event's hash breaks the following link."""
    events = _chain(5)
    bad = events[1]
    payload = {**bad.payload, "what": "edited"}
    events[1] = ChainedEvent(bad.seq, payload, bad.prev_hash, chain_hash(bad.prev_hash, payload))
    report = verify_chain(events, head=(5, events[-1].hash))
    assert not report.ok and report.first_bad_event == 3


def test_removed_event_found():
    events = _chain(5)
    del events[3]
    report = verify_chain(events, head=(5, events[-1].hash))
    assert not report.ok and report.first_bad_event == 5


def test_truncated_tail_found_by_head():
    events = _chain(5)
    report = verify_chain(events[:4], head=(5, events[-1].hash))
    assert not report.ok and report.first_bad_event == 5


def test_empty_chain():
    assert verify_chain([], head=(0, GENESIS_HASH)).ok
