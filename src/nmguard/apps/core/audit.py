"""The audit trail: append events to the hash chain, seal them, checkpoint the head, and verify it all.

Sealing and checkpoints (:mod:`nmguard.integrity.seal`) use a key kept outside the database, so that the
database's owner cannot rewrite, cut or empty the trail unseen; ``verify`` also checks that the append-only
triggers are still in place and that a database with users has a trail at all.

Why one module of about 420 lines: append, seal, checkpoint and verify share the canonical form of an event and the
chain's rules; kept together so that one reading shows what makes the trail trustworthy.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from nmguard.apps.core.actor import MissingActorError, current_actor, current_reason
from nmguard.integrity.hashchain import GENESIS_HASH, ChainedEvent, ChainReport, chain_hash, verify_chain
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

WITNESS = logging.getLogger("nmguard.audit.witness")  # route to syslog or a remote store in LOGGING
CHECKPOINT_EVERY_DEFAULT = 100  # events between automatic checkpoints (settings.NMGUARD_AUDIT_CHECKPOINT_EVERY)

# Fields whose values never enter the trail (secrets), shown as "<changed>" / "<set>" instead.
_SECRET_FIELDS = {"password"}


def snapshot(instance: models.Model) -> dict[str, str | None]:
    """The record's concrete field values as strings: stable across databases and JSON."""
    values: dict[str, str | None] = {}
    for model_field in instance._meta.concrete_fields:
        if model_field.name in _SECRET_FIELDS:
            values[model_field.name] = "<set>"
            continue
        raw = model_field.value_from_object(instance)
        values[model_field.attname] = None if raw is None else model_field.value_to_string(instance)
    return values


def _payload(event: Any) -> dict[str, Any]:
    """What the chain hashes for an event (every stored field but the hashes themselves)."""
    return {
        "seq": event.seq,
        "at": event.at.astimezone(dt.UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "action": event.action,
        "model_label": event.model_label,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
    }


def record_event(
    action: str,
    *,
    instance: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
    actor: Any = None,
    actor_username: str | None = None,
):
    """Append one event to the chain, attributed to ``actor`` (default: the current actor)."""
    from nmguard.apps.core.models import AuditEvent, AuditHead

    actor = actor if actor is not None else current_actor()
    if actor is None and actor_username is None:
        raise MissingActorError(f"no actor for {action} of {instance._meta.label if instance else '?'}")
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH}
        )
        event = AuditEvent(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_username=actor_username or getattr(actor, "username", str(actor)),
            action=action,
            model_label=instance._meta.label if instance is not None else "",
            object_id=str(instance.pk) if instance is not None and instance.pk is not None else "",
            before=before,
            after=after,
            reason=reason if reason is not None else current_reason(),
            prev_hash=head.last_hash,
        )
        event.hash = chain_hash(event.prev_hash, _payload(event))
        event.seal = seal(audit_key(create=True), event.seq, event.hash)
        event.save()
        head.last_seq, head.last_hash = event.seq, event.hash
        head.save(update_fields=["last_seq", "last_hash"])
        every = int(getattr(settings, "NMGUARD_AUDIT_CHECKPOINT_EVERY", CHECKPOINT_EVERY_DEFAULT) or 0)
        if automatic_checkpoints() and every and event.seq % every == 0:
            transaction.on_commit(lambda seq=event.seq, h=event.hash: _checkpoint_quietly(seq, h))
    return event


def automatic_checkpoints() -> bool:
    """Checkpoints every CHECKPOINT_EVERY events and after each passing verification (off in the test settings,
    whose databases come and go while the data folder stays)."""
    return bool(getattr(settings, "NMGUARD_AUDIT_CHECKPOINTS", True))


def _data_dir() -> Path:
    return Path(settings.DATA_DIR)


_KEYS: dict[tuple[str, str | None], bytes] = {}


def audit_key(create: bool) -> bytes | None:
    """The key that seals events: NMGUARD_AUDIT_KEY or ``audit_key`` in the data folder (outside the database);
    read once per data folder and process."""
    import os

    where = (str(_data_dir()), os.environ.get("NMGUARD_AUDIT_KEY"))
    if where not in _KEYS:
        key = load_key(_data_dir(), create=create)
        if key is None:
            return None
        _KEYS[where] = key
    return _KEYS[where]


def database_name() -> str:
    """Which database a checkpoint belongs to: the engine and the database's name (file or server/name)."""
    s = connection.settings_dict
    where = (
        s.get("NAME")
        if connection.vendor == "sqlite"
        else f"{s.get('HOST') or 'localhost'}:{s.get('PORT') or ''}/{s.get('NAME')}"
    )
    return f"{connection.vendor}:{where}"


def _keyed_since() -> int | None:
    from nmguard.apps.core.models import AuditEvent

    return AuditEvent.objects.filter(seal__isnull=False).order_by("seq").values_list("seq", flat=True).first()


def _checkpoint_quietly(seq: int, event_hash: str) -> None:
    """An automatic checkpoint: a full disk or a read-only data folder must not fail the write that was
    committed; the next checkpoint (or ``audit checkpoint``) covers this one."""
    try:
        write_checkpoint(seq, event_hash)
    except OSError:
        logging.getLogger(__name__).exception("audit checkpoint at event %s not written", seq)


def write_checkpoint(seq: int | None = None, event_hash: str | None = None):
    """Append the chain head (or the given seq and hash) as a signed line outside the database, and tell the
    log witness. Returns the checkpoint, or None for an empty trail."""
    from nmguard.apps.core.models import AuditHead

    if seq is None:
        head = AuditHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
        if not head or not head[0]:
            return None
        seq, event_hash = head
    cp = sign_checkpoint(
        audit_key(create=True),
        int(seq),
        str(event_hash),
        timezone.now().astimezone(dt.UTC).isoformat(),
        _keyed_since(),
        database_name(),
    )
    append_checkpoint(checkpoint_file(_data_dir()), cp)
    WITNESS.info("audit checkpoint %s", cp.body())
    return cp


@dataclass
class AuditVerification:
    """Everything ``audit verify`` checks, and the first problem of each kind."""

    chain: ChainReport
    problems: list[str] = field(default_factory=list)
    sealed_events: int = 0
    checkpoints: int = 0
    checkpoints_of_other_databases: int = 0
    triggers: list[str] = field(default_factory=list)
    records_checked: int = 0

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.chain.as_dict(),
            "ok": self.ok,
            "problems": ([] if self.chain.ok else [f"event {self.chain.first_bad_event}: {self.chain.problem}"])
            + self.problems,
            "sealed_events": self.sealed_events,
            "checkpoints": self.checkpoints,
            "checkpoints_of_other_databases": self.checkpoints_of_other_databases,
            "triggers": self.triggers,
            "records_checked": self.records_checked,
        }


def verify() -> ChainReport:
    """Recompute the whole hash chain from the stored events (the chain alone; see :func:`verify_all`)."""
    from nmguard.apps.core.models import AuditEvent, AuditHead

    head = AuditHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    events = (
        ChainedEvent(seq=e.seq, payload=_payload(e), prev_hash=e.prev_hash, hash=e.hash)
        for e in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
    )
    return verify_chain(events, head=tuple(head) if head else (0, GENESIS_HASH))


def installed_triggers() -> list[str]:
    """The append-only triggers present in the database now."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            return []
        return sorted(str(row[0]) for row in cursor.fetchall())


def expected_triggers() -> list[str]:
    from nmguard.apps.core.append_only import APPEND_ONLY_TABLES

    if connection.vendor == "sqlite":
        return sorted(f"{t}_no_{op}" for t in APPEND_ONLY_TABLES for op in ("update", "delete"))
    if connection.vendor == "postgresql":
        return sorted(f"{t}_append_only" for t in APPEND_ONLY_TABLES)
    return []


def verify_all(*, checkpoint: bool = False) -> AuditVerification:
    """The chain, the seals under the key outside the database, the checkpoints outside it, the triggers, and
    that a database with users has a trail. With ``checkpoint``, a trail found intact is checkpointed (where
    automatic checkpoints are on)."""
    from django.contrib.auth import get_user_model

    from nmguard.apps.core.models import AuditEvent

    result = AuditVerification(chain=verify())
    present = installed_triggers()
    result.triggers = present
    missing = [t for t in expected_triggers() if t not in present]
    if missing:
        result.problems.append(f"append-only triggers missing: {', '.join(missing)} (dropped?)")
    if result.chain.events == 0 and get_user_model().objects.exists():
        result.problems.append("the trail is empty, yet the database holds users: the trail was emptied")
    result.records_checked, record_problems = verify_records()
    result.problems += [f"changed outside NMGuard: {p}" for p in record_problems]
    try:
        key = audit_key(create=False)
    except AuditKeyError as exc:
        result.problems.append(str(exc))
        return result
    sealed = AuditEvent.objects.filter(seal__isnull=False).exists()
    if key is None:
        if sealed:
            result.problems.append(
                "the audit key is missing (NMGUARD_AUDIT_KEY or audit_key in the data folder): seals cannot be checked"
            )
        return result
    here = database_name()
    lines, line_problems = read_checkpoints(checkpoint_file(_data_dir()), key)
    result.problems += line_problems
    mine = [cp for cp in lines if cp.database == here]
    result.checkpoints_of_other_databases = len(lines) - len(mine)
    events = (
        SealedEvent(seq, h, s)
        for seq, h, s in AuditEvent.objects.order_by("seq").values_list("seq", "hash", "seal").iterator(chunk_size=5000)
    )
    report = verify_seals(events, key, mine)
    result.sealed_events, result.checkpoints = report.sealed_events, report.checkpoints
    if not report.ok:
        result.problems.append(f"event {report.first_bad_event}: {report.problem}")
    if checkpoint and result.ok and automatic_checkpoints():
        write_checkpoint()
    return result


# ----------------------------------------------------------------------------------------- records' audited state

#: The records whose stored values must equal their audited state (the `after` of their last create or update
#: event): what a direct SQL edit of an administration, a batch, a QC value or a birth date would change.
CLINICAL_RECORDS = (
    "patients.Patient",
    "patients.Prescription",
    "patients.DoseMeasurement",
    "patients.SafetyCheck",
    "patients.Administration",
    "patients.MedicalEvent",
    "radiopharmacy.Generator",
    "radiopharmacy.Elution",
    "radiopharmacy.Batch",
    "radiopharmacy.BatchTest",
    "radiopharmacy.Dispensing",
    "equipment.Equipment",
    "equipment.QCResult",
    "therapy.TherapyCycle",
    "therapy.CycleDoseRecord",
)


@dataclass(frozen=True)
class Difference:
    """A field whose stored value is not the value the audit trail last recorded for it."""

    field: str
    stored: Any
    audited: Any

    def __str__(self) -> str:
        return f"{self.field} is {self.stored} in the database but {self.audited} in the audit trail"


def _same(field_obj, stored: Any, audited: Any) -> bool:
    """Equal as values of the field (an offset, a trailing zero or a key order is not a change)."""
    if stored == audited:
        return True
    try:
        return field_obj.to_python(stored) == field_obj.to_python(audited)
    except Exception:  # noqa: BLE001 - a value the field cannot read is a difference
        return False


def compare_with_audited(instance: models.Model, audited: dict[str, Any] | None) -> list[Difference]:
    """The fields of ``instance`` (as stored) that differ from ``audited`` (a snapshot from the trail)."""
    if audited is None:
        return [Difference("(record)", "present", "no create event in the audit trail")]
    fields = {f.attname: f for f in instance._meta.concrete_fields}
    out = []
    for name, stored in snapshot(instance).items():
        if name not in audited or name not in fields or stored == "<set>":
            continue
        if not _same(fields[name], stored, audited[name]):
            out.append(Difference(name, stored, audited[name]))
    return out


def audited_state(instance: models.Model) -> dict[str, Any] | None:
    """The record as the audit trail last recorded it (the `after` of its latest create/update event)."""
    from nmguard.apps.core.models import AuditEvent

    return (
        AuditEvent.objects.filter(
            model_label=instance._meta.label, object_id=str(instance.pk), action__in=("create", "update")
        )
        .order_by("-seq")
        .values_list("after", flat=True)
        .first()
    )


def record_differences(instance: models.Model) -> list[Difference]:
    """How the stored record differs from its audited state: empty unless it was changed outside NMGuard.
    The instance is read afresh from the database, so an unsaved in-memory change does not count."""
    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    if stored is None:
        return []
    return compare_with_audited(stored, audited_state(stored))


def verify_records(
    labels: tuple[str, ...] = CLINICAL_RECORDS, batch: int = 2000, listed: int = 20
) -> tuple[int, list[str]]:
    """Compare every clinical record with its audited state; (records checked, the first ``listed`` problems
    and a count of the rest)."""
    from django.apps import apps

    from nmguard.apps.core.models import AuditEvent

    checked, problems, more = 0, [], 0
    for label in labels:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), batch):
            chunk = pks[start : start + batch]
            latest: dict[str, Any] = {}
            events = (
                AuditEvent.objects.filter(
                    model_label=label, object_id__in=[str(pk) for pk in chunk], action__in=("create", "update")
                )
                .order_by("seq")
                .values_list("object_id", "after")
            )
            for object_id, after in events.iterator(chunk_size=batch):
                latest[object_id] = after
            for record in model._default_manager.filter(pk__in=chunk):
                checked += 1
                diffs = compare_with_audited(record, latest.get(str(record.pk)))
                if diffs:
                    if len(problems) < listed:
                        problems.append(
                            f"{label} {record.pk}: {diffs[0]}" + (f" (+{len(diffs) - 1})" if len(diffs) > 1 else "")
                        )
                    else:
                        more += 1
    if more:
        problems.append(f"... and {more} more records changed outside NMGuard")
    return checked, problems
