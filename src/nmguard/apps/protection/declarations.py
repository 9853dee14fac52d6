"""Pregnancy declarations: recorded and ended by the roles that write protection records, attributed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.protection.dose_import import check_may_write
from nmguard.apps.protection.models import PregnancyDeclaration, Worker
from nmguard.errors import InputError
from nmguard.input_bounds import check_date


@transaction.atomic
def declare(worker: Worker, declared_on: dt.date, pregnancy_start: dt.date | None, user) -> PregnancyDeclaration:
    """Record a declaration (not in the future; one open declaration per worker)."""
    check_may_write(user)
    check_date(declared_on, "declared_on", latest=timezone.localdate())
    if pregnancy_start is not None and pregnancy_start > declared_on:
        raise InputError("pregnancy_start: after the declaration date", "pregnancy_start")
    if worker.pregnancies.filter(ended_on__isnull=True).exists():
        raise InputError("declared_on: this worker has an open declaration; record its end first", "declared_on")
    with acting_as(user, reason="pregnancy declared"):
        return PregnancyDeclaration.objects.create(
            worker=worker, declared_on=declared_on, pregnancy_start=pregnancy_start
        )


@transaction.atomic
def end(declaration: PregnancyDeclaration, ended_on: dt.date, user) -> PregnancyDeclaration:
    """Record the end of the pregnancy (on or after the declaration, not in the future)."""
    check_may_write(user)
    check_date(ended_on, "ended_on", latest=timezone.localdate())
    if ended_on < declaration.declared_on:
        raise InputError("ended_on: before the declaration date", "ended_on")
    if declaration.ended_on is not None:
        raise InputError("ended_on: already recorded", "ended_on")
    with acting_as(user, reason="pregnancy ended"):
        declaration.ended_on = ended_on
        declaration.save(update_fields=["ended_on", "updated_at"])
    return declaration


@transaction.atomic
def update_worker(
    worker: Worker, *, name: str, category: str, active: bool, reason: str, user, linked_user=None
) -> Worker:
    """Change the register's entry (the category chooses the limits, so the change needs a reason)."""
    check_may_write(user)
    if category not in Worker.Category.values:
        raise InputError(f"category: one of {', '.join(Worker.Category.values)}", "category")
    if not (reason or "").strip():
        raise InputError("reason: say why the register changes", "reason")
    with acting_as(user, reason=reason.strip()):
        worker.name, worker.category, worker.active = name.strip(), category, active
        worker.user = linked_user
        worker.save()
    return worker
