"""Protection events: recorded, then closed by e-signature with the actions taken; never deleted, every change audited.

The pages and the API call these functions only, so both check the same things.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.signatures import reauthenticate, sign
from nmguard.apps.protection.dose_import import check_may_write
from nmguard.apps.protection.event_models import ProtectionEvent, Status
from nmguard.apps.protection.models import Worker
from nmguard.errors import InputError
from nmguard.input_bounds import check_instant, check_number, check_text

MAX_EVENT_DOSE_MSV = 100_000.0  # beyond any survivable whole-body dose: a typing error, not an estimate


def _check(values: dict) -> dict:
    """The event's fields checked (field named in the error)."""
    kind = values.get("kind")
    if kind not in ProtectionEvent.Kind.values:
        raise InputError(f"kind: one of {', '.join(ProtectionEvent.Kind.values)}", "kind")
    occurred = values.get("occurred_at")
    if not isinstance(occurred, dt.datetime):
        raise InputError("occurred_at: a date and time expected", "occurred_at")
    check_instant(occurred, "occurred_at")
    if occurred > timezone.now() + dt.timedelta(minutes=5):
        raise InputError("occurred_at: lies in the future", "occurred_at")
    dose = values.get("estimated_dose_mSv")
    if dose is not None:
        dose = check_number(dose, "estimated_dose_mSv", low=0.0, high=MAX_EVENT_DOSE_MSV, unit="mSv")
    return {
        "kind": kind,
        "occurred_at": occurred,
        "location": check_text(values.get("location") or "", "location", max_length=200, required=True).strip(),
        "description": check_text(values.get("description") or "", "description", required=True).strip(),
        "others_involved": check_text(values.get("others_involved") or "", "others_involved", max_length=300).strip(),
        "estimated_dose_mSv": dose,
        "actions": check_text(values.get("actions") or "", "actions").strip(),
        "incident_ref": check_text(values.get("incident_ref") or "", "incident_ref", max_length=64).strip(),
    }


@transaction.atomic
def record_event(values: dict, user, workers: Iterable[Worker] | None = None) -> ProtectionEvent:
    """Record a new, open event."""
    check_may_write(user)
    fields = _check(values)
    with acting_as(user, reason=f"protection event recorded: {fields['kind']}"):
        event = ProtectionEvent.objects.create(**fields, reported_by=user)
        event.workers.set(list(workers or []))
    return event


def close_event(event: ProtectionEvent, actions: str, user, password: str) -> ProtectionEvent:
    """Close by e-signature ("closed"), with the actions taken written."""
    check_may_write(user)
    actions = check_text(actions or "", "actions", required=True).strip()
    if event.status != Status.OPEN:
        raise InputError("password: the event is closed already", "password")
    reauthenticate(user, password, event, "closed")  # outside the transaction: a failure is kept
    with transaction.atomic(), acting_as(user, reason="protection event closed"):
        stored = ProtectionEvent.objects.select_for_update().get(pk=event.pk)
        if stored.status != Status.OPEN:
            raise InputError("password: the event is closed already", "password")
        stored.actions, stored.status = actions, Status.CLOSED
        stored.closed_at, stored.closed_by = timezone.now(), user
        stored.save()
        stored.closure = sign(stored, user, password, "closed", f"Protection event closed: {actions[:200]}")
        stored.save(update_fields=["closure", "updated_at"])
    return stored
