"""Seals and checkpoints: what the database owner cannot forge without the audit key (pure layer)."""

from __future__ import annotations

import os
import stat

import pytest

from nmguard.integrity.hashchain import GENESIS_HASH, chain_hash
from nmguard.integrity.seal import (
    AuditKeyError,
    SealedEvent,
    append_checkpoint,
    checkpoint_file,
    load_key,
    read_checkpoints,
    seal,
    sign_checkpoint,
    verify_seals,
)

KEY = bytes(range(32))


def _trail(n, key=KEY, sealed_from=1, what="event"):
    events, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        h = chain_hash(prev, {"seq": seq, "what": f"{what} {seq}"})
        events.append(SealedEvent(seq, h, seal(key, seq, h) if seq >= sealed_from else None))
        prev = h
    return events


def test_intact_sealed_trail_with_checkpoints():
    events = _trail(6)
    cps = [sign_checkpoint(KEY, 3, events[2].hash, "2026-12-06T05:00:00+00:00", 1)]
    report = verify_seals(events, KEY, cps)
    assert report.ok and report.sealed_events == 6 and report.checkpoints == 1


def test_a_trail_rewritten_and_rehashed_without_the_key_is_found():
    """The owner rewrites event 4 and rehashes the chain after it: the SHA-256 chain verifies, the seals do not."""
    events = _trail(6)
    forged = _trail(6, key=b"guessed key", what="forged")
    trail = events[:3] + [SealedEvent(e.seq, e.hash, e.seal) for e in forged[3:]]
    report = verify_seals(trail, KEY, [])
    assert not report.ok and report.first_bad_event == 4 and "without the audit key" in report.problem


def test_seals_removed_to_look_like_an_older_trail_are_found():
    events = _trail(5)
    stripped = events[:2] + [SealedEvent(e.seq, e.hash, None) for e in events[2:]]
    report = verify_seals(stripped, KEY, [])
    assert not report.ok and report.first_bad_event == 3 and "no seal" in report.problem
    # every seal removed: the checkpoint still says sealing began at event 1
    bare = [SealedEvent(e.seq, e.hash, None) for e in events]
    cps = [sign_checkpoint(KEY, 2, events[1].hash, "t", 1)]
    report = verify_seals(bare, KEY, cps)
    assert not report.ok and report.first_bad_event == 1


def test_unsealed_events_before_sealing_began_are_accepted():
    """A trail from before the upgrade: events 1-3 unsealed, sealed from 4."""
    report = verify_seals(_trail(6, sealed_from=4), KEY, [])
    assert report.ok and report.sealed_events == 3


def test_a_truncated_trail_is_found_by_its_checkpoint():
    events = _trail(8)
    cps = [sign_checkpoint(KEY, 8, events[-1].hash, "2026-12-06T05:00:00+00:00", 1)]
    report = verify_seals(events[:5], KEY, cps)
    assert not report.ok and report.first_bad_event == 6 and "recorded 8" in report.problem
    assert not verify_seals([], KEY, cps).ok  # an emptied trail too


def test_a_checkpoint_with_another_hash_is_found():
    events = _trail(4)
    cps = [sign_checkpoint(KEY, 2, "0" * 64, "t", 1)]
    report = verify_seals(events, KEY, cps)
    assert not report.ok and report.first_bad_event == 2 and "rewritten" in report.problem


def test_checkpoint_file_is_appended_and_forged_lines_are_refused(tmp_path):
    path = checkpoint_file(tmp_path)
    append_checkpoint(path, sign_checkpoint(KEY, 1, "1" * 64, "t1", 1, "sqlite:/x.sqlite3"))
    append_checkpoint(path, sign_checkpoint(b"other key", 9, "9" * 64, "t2", 1))
    with path.open("a") as f:
        f.write("not json\n")
    good, problems = read_checkpoints(path, KEY)
    assert [(c.seq, c.database) for c in good] == [(1, "sqlite:/x.sqlite3")]
    assert problems == ["checkpoint line 2 is not signed with this audit key", "checkpoint line 3 is not readable"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_key_file_is_made_once_private_and_env_wins(tmp_path, monkeypatch):
    monkeypatch.delenv("NMGUARD_AUDIT_KEY", raising=False)
    assert load_key(tmp_path, create=False) is None
    key = load_key(tmp_path, create=True)
    assert len(key) == 32 and load_key(tmp_path, create=True) == key
    assert stat.S_IMODE(os.stat(tmp_path / "audit_key").st_mode) == 0o600
    monkeypatch.setenv("NMGUARD_AUDIT_KEY", "00ff")
    assert load_key(tmp_path, create=True) == b"\x00\xff"
    monkeypatch.setenv("NMGUARD_AUDIT_KEY", "not hex")
    with pytest.raises(AuditKeyError):
        load_key(tmp_path, create=True)


def test_a_full_disk_mid_line_leaves_the_checkpoint_file_as_it_was(tmp_path, monkeypatch):
    """The drill's full disk left half a line that no later verification could read: now the whole line or
    nothing (the file is cut back and the error goes to the caller)."""
    import errno

    import nmguard.integrity.seal as seal_module

    path = checkpoint_file(tmp_path)
    append_checkpoint(path, sign_checkpoint(KEY, 1, "1" * 64, "t1", 1))
    before = path.read_bytes()
    real_write = os.write
    calls = {"n": 0}

    def half_then_full(fd, data):
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(seal_module.os, "write", half_then_full)
    with pytest.raises(OSError):
        append_checkpoint(path, sign_checkpoint(KEY, 2, "2" * 64, "t2", 1))
    monkeypatch.undo()
    assert path.read_bytes() == before
    good, problems = read_checkpoints(path, KEY)
    assert [c.seq for c in good] == [1] and problems == []
