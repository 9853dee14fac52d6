"""The audit trail: append events to the hash chain, and verify it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from nmguard.apps.core.actor import MissingActorError, current_actor, current_reason
from nmguard.integrity.hashchain import GENESIS_HASH, ChainedEvent, ChainReport, chain_hash, verify_chain

# Fields whose values never enter the trail (secrets), shown as "<changed>" / "<set>" instead.
_SECRET_FIELDS = {"password"}


def snapshot(instance: models.Model) -> dict[str, str | None]:
    """The record's concrete field values as strings: stable across databases and JSON."""
    values: dict[str, str | None] = {}
    for field in instance._meta.concrete_fields:
        if field.name in _SECRET_FIELDS:
            values[field.name] = "<set>"
            continue
        raw = field.value_from_object(instance)
        values[field.attname] = None if raw is None else field.value_to_string(instance)
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
        event.save()
        head.last_seq, head.last_hash = event.seq, event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


def verify() -> ChainReport:
    """Recompute the whole chain from the stored events."""
    from nmguard.apps.core.models import AuditEvent, AuditHead

    head = AuditHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    events = (
        ChainedEvent(seq=e.seq, payload=_payload(e), prev_hash=e.prev_hash, hash=e.hash)
        for e in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
    )
    return verify_chain(events, head=tuple(head) if head else (0, GENESIS_HASH))
