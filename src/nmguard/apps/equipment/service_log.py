"""The service log of a device: acceptance, repairs, maintenance and software changes, entered on its page.

The Django admin used to be the only way to write it; since the admin is read-only for clinical records
(issue 12), this is. Entries are added, never edited or deleted: a wrong entry is answered by a later one
that says so, as in a paper log book."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.equipment.models import Equipment, ServiceLogEntry
from nmguard.errors import InputError
from nmguard.input_bounds import check_date


@transaction.atomic
def add_entry(
    equipment: Equipment, *, performed_on: dt.date, kind: str, description: str, performed_by: str, user
) -> ServiceLogEntry:
    """Record work done on ``equipment`` (the day it was done: not in the future)."""
    check_date(performed_on, "performed_on", latest=timezone.localdate())
    if kind not in ServiceLogEntry.Kind.values:
        raise InputError(f"kind must be one of {', '.join(ServiceLogEntry.Kind.values)}", "kind")
    if not description.strip():
        raise InputError("say what was done", "description")
    if not performed_by.strip():
        raise InputError("name the engineer or company who did it", "performed_by")
    with acting_as(user, reason="service log entry"):
        return ServiceLogEntry.objects.create(
            equipment=equipment,
            performed_on=performed_on,
            kind=kind,
            description=description.strip(),
            performed_by=performed_by.strip(),
        )
