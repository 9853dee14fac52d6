"""Audit trail: every change is attributed and chained; direct edits in the database are found."""

import pytest
from django.db import DatabaseError, connection, transaction

from nmguard.apps.core import audit
from nmguard.apps.core.actor import MissingActorError, acting_as
from nmguard.apps.core.append_only import drop_statements
from nmguard.apps.core.models import AuditEvent
from nmguard.apps.core.records import RecordDeletionError
from nmguard.apps.equipment.models import Equipment

pytestmark = pytest.mark.django_db


def _drop_append_only_triggers():
    """What a database administrator could do before editing the trail by hand."""
    with connection.cursor() as cursor:
        for sql in drop_statements(connection.vendor):
            cursor.execute(sql)


def _camera(**extra):
    return Equipment.objects.create(name="Camera X", kind="gamma_camera", **extra)


def test_create_and_update_are_attributed_with_before_after(as_physicist):
    camera = _camera(location="Room 1")
    with acting_as(as_physicist, reason="moved to room 2"):
        camera.location = "Room 2"
        camera.save()
    events = list(AuditEvent.objects.filter(model_label="equipment.Equipment"))
    assert [e.action for e in events] == ["create", "update"]
    create, update = events
    assert create.actor == as_physicist and create.before is None and create.after["location"] == "Room 1"
    assert update.before["location"] == "Room 1" and update.after["location"] == "Room 2"
    assert update.reason == "moved to room 2" and update.actor_username == "phys1"
    assert camera.history.count() == 2  # row history (django-simple-history) too


def test_unattributed_change_is_refused():
    with pytest.raises(MissingActorError):
        _camera()
    assert not Equipment.objects.exists()


def test_records_are_never_hard_deleted(as_physicist):
    camera = _camera()
    with pytest.raises(RecordDeletionError):
        camera.delete()
    with pytest.raises(RecordDeletionError):
        Equipment.objects.all().delete()
    assert Equipment.objects.count() == 1


def test_audit_events_are_append_only(as_physicist):
    _camera()
    event = AuditEvent.objects.last()
    event.reason = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_chain_verifies(as_physicist):
    for i in range(5):
        Equipment.objects.create(name=f"Meter {i}", kind="activity_meter")
    report = audit.verify()
    assert report.ok and report.events == AuditEvent.objects.count() >= 5


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("reason", "'nothing happened'"),
        ("actor_username", "'someone else'"),
        ("object_id", "'999'"),
        ("at", "'2001-01-01 00:00:00'"),
    ],
)
def test_direct_database_edit_is_detected(as_physicist, column, value):
    for i in range(4):
        Equipment.objects.create(name=f"Meter {i}", kind="activity_meter")
    target = AuditEvent.objects.order_by("seq")[2]
    table = AuditEvent._meta.db_table
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = {value} WHERE seq = %s", [target.seq])
    report = audit.verify()
    assert not report.ok
    assert report.first_bad_event == target.seq


def test_json_edit_is_detected(as_physicist):
    camera = _camera(location="Room 1")
    target = AuditEvent.objects.get(model_label="equipment.Equipment", object_id=str(camera.pk))
    table = AuditEvent._meta.db_table
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET after = %s WHERE seq = %s", ['{"location": "Room 9"}', target.seq])
    assert audit.verify().first_bad_event == target.seq


def test_deleted_event_is_detected(as_physicist):
    for i in range(4):
        Equipment.objects.create(name=f"Meter {i}", kind="activity_meter")
    target = AuditEvent.objects.order_by("seq")[1]
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq = %s", [target.seq])
    report = audit.verify()
    assert not report.ok and report.first_bad_event == target.seq + 1


def test_truncated_tail_is_detected(as_physicist):
    for i in range(3):
        Equipment.objects.create(name=f"Meter {i}", kind="activity_meter")
    last = AuditEvent.objects.order_by("seq").last()
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq = %s", [last.seq])
    report = audit.verify()
    assert not report.ok and report.first_bad_event == last.seq


@pytest.mark.parametrize("statement", ["UPDATE core_auditevent SET reason = 'x'", "DELETE FROM core_auditevent"])
def test_database_refuses_edits_of_the_trail(as_physicist, statement):
    _camera()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert audit.verify().ok
