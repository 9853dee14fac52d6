"""The audit trail against its database's owner: with the triggers dropped, a trail rewritten and rehashed,
stripped of its seals, cut short or emptied is found by the seals and checkpoints kept with a key outside the
database (issue 12 item 2; the pure checks are in tests/integrity/test_seal.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from nmguard.apps.core import audit
from nmguard.apps.core.append_only import drop_statements
from nmguard.apps.core.models import AuditEvent, AuditHead
from nmguard.apps.equipment.models import Equipment
from nmguard.integrity.hashchain import GENESIS_HASH, chain_hash
from nmguard.integrity.seal import checkpoint_file, seal

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path, monkeypatch):
    """A data folder of the test's own (the key and the checkpoint file live there), set before any event."""
    monkeypatch.delenv("NMGUARD_AUDIT_KEY", raising=False)
    settings.DATA_DIR = tmp_path
    audit._KEYS.clear()
    yield tmp_path
    audit._KEYS.clear()


def _events(n=6):
    for i in range(n):
        Equipment.objects.create(name=f"Meter {i}", kind="activity_meter")


def _drop_triggers():
    with connection.cursor() as cursor:
        for sql in drop_statements(connection.vendor):
            cursor.execute(sql)


def _rewrite_and_rehash(from_seq: int, key: bytes | None = None):
    """What an owner who knows the scheme (but not the key) does: edit an event, recompute every later hash
    and the head, and seal with the key they have (none: keep the old seals)."""
    _drop_triggers()
    prev = AuditEvent.objects.get(seq=from_seq - 1).hash if from_seq > 1 else GENESIS_HASH
    for e in AuditEvent.objects.filter(seq__gte=from_seq).order_by("seq"):
        if e.seq == from_seq:
            e.reason = "rewritten by the database owner"
        new_hash = chain_hash(prev, audit._payload(e))
        new_seal = seal(key, e.seq, new_hash) if key else e.seal
        AuditEvent.objects.filter(pk=e.pk).update(reason=e.reason, prev_hash=prev, hash=new_hash, seal=new_seal)
        prev = new_hash
    AuditHead.objects.filter(pk=1).update(last_hash=prev)


def test_every_event_is_sealed_and_an_intact_trail_verifies(data_dir, as_physicist):
    _events()
    result = audit.verify_all()
    assert result.ok, result.as_dict()
    assert result.sealed_events == AuditEvent.objects.count() > 0
    assert set(audit.expected_triggers()) <= set(result.triggers)
    assert (data_dir / "audit_key").is_file()


def test_a_rewritten_and_rehashed_trail_passes_the_chain_but_not_the_seals(data_dir, as_physicist):
    _events()
    target = AuditEvent.objects.order_by("seq")[3].seq
    _rewrite_and_rehash(target, key=b"the owner's guess")
    result = audit.verify_all()
    assert result.chain.ok  # the SHA-256 chain alone is fooled
    assert not result.ok
    assert any(f"event {target}:" in p and "without the audit key" in p for p in result.problems)
    assert any("triggers missing" in p for p in result.problems)


def test_seals_stripped_from_the_rewritten_events_are_found(data_dir, as_physicist):
    _events()
    target = AuditEvent.objects.order_by("seq")[3].seq
    _rewrite_and_rehash(target)
    AuditEvent.objects.filter(seq__gte=target).update(seal=None)
    result = audit.verify_all()
    assert not result.ok and any("has no seal" in p for p in result.problems)


def test_a_tail_cut_with_its_head_is_found_by_the_checkpoint(data_dir, as_physicist):
    _events()
    checkpoint = audit.write_checkpoint()
    assert checkpoint.seq == AuditEvent.objects.count()
    _drop_triggers()
    keep = checkpoint.seq - 2
    AuditEvent.objects.filter(seq__gt=keep).delete()
    AuditHead.objects.filter(pk=1).update(last_seq=keep, last_hash=AuditEvent.objects.get(seq=keep).hash)
    result = audit.verify_all()
    assert result.chain.ok and not result.ok
    assert any(f"recorded {checkpoint.seq}" in p and "removed" in p for p in result.problems)


def test_an_emptied_trail_is_not_ok(data_dir, as_physicist):
    _events()
    _drop_triggers()
    AuditEvent.objects.all().delete()
    AuditHead.objects.all().delete()
    result = audit.verify_all()
    assert result.chain.ok and result.chain.events == 0
    assert not result.ok and any("trail is empty, yet the database holds users" in p for p in result.problems)


def test_a_missing_key_is_reported(data_dir, as_physicist):
    _events()
    (data_dir / "audit_key").unlink()
    audit._KEYS.clear()
    result = audit.verify_all()
    assert not result.ok and any("audit key is missing" in p for p in result.problems)


def test_checkpoints_of_another_database_are_set_aside(data_dir, as_physicist):
    from nmguard.integrity.seal import append_checkpoint, sign_checkpoint

    _events()
    key = audit.audit_key(create=False)
    append_checkpoint(checkpoint_file(data_dir), sign_checkpoint(key, 10_000, "f" * 64, "t", 1, "sqlite:/elsewhere"))
    result = audit.verify_all()
    assert result.ok and result.checkpoints_of_other_databases == 1
