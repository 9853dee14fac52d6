"""Competences: signed off by e-signature (the quality manager, or a role the data names for the task), and the
block — a guarded task needs, on its local day, a valid competence and its required trainings in date.

The block applies only to tasks the department switched on (:class:`TaskGuard`): a department upgrading without
competence records is not locked out. Registered in ``nmguard.apps.core.competence`` by the quality AppConfig.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.guards import require_role
from nmguard.apps.core.roles import Role
from nmguard.apps.core.signatures import reauthenticate, sign
from nmguard.apps.quality.training_models import Competence, TaskGuard, Training
from nmguard.apps.quality.training_services import Standing, state_on, training_standing
from nmguard.errors import InputError
from nmguard.input_bounds import check_text
from nmguard.reference.training_requirements import GuardedTask, add_months, training_requirements

MAX_BACKDATE_DAYS = 366  # a competence assessed more than a year ago is a new assessment, not a late entry


def task_of(key: str, field: str = "task") -> GuardedTask:
    """The data's guarded task ``key`` (field named in the error)."""
    tasks = training_requirements().tasks
    if key not in tasks:
        raise InputError(f"{field}: one of {', '.join(tasks)}", field)
    return tasks[key]


def signer_roles(task: GuardedTask) -> tuple[Role, ...]:
    """Who may sign the competence: the quality manager always, and the roles the data names."""
    return (Role.QUALITY_MANAGER, *(Role(r) for r in task.signers))


def sign_competence(person, task_key: str, valid_from: dt.date, assessment: str, signer, password: str) -> Competence:
    """Store and sign ("approved") a competence valid from ``valid_from`` for the task's validity in months."""
    task = task_of(task_key)
    require_role(signer, *signer_roles(task), what=f"signing the competence '{task.competence}'")
    if signer.pk == person.pk:
        raise InputError("person: nobody signs their own competence", "person")
    if not isinstance(valid_from, dt.date) or isinstance(valid_from, dt.datetime):
        raise InputError("valid_from: a date expected", "valid_from")
    today = timezone.localdate()
    if valid_from > today or (today - valid_from).days > MAX_BACKDATE_DAYS:
        raise InputError(f"valid_from: from {today - dt.timedelta(days=MAX_BACKDATE_DAYS)} to {today}", "valid_from")
    assessment = check_text(assessment or "", "assessment", required=True).strip()
    reauthenticate(signer, password, person, "approved")  # outside the transaction: a failure is kept
    with transaction.atomic(), acting_as(signer, reason=f"competence signed: {task.key} for {person}"):
        competence = Competence.objects.create(
            person=person,
            task=task.key,
            valid_from=valid_from,
            expires_on=add_months(valid_from, task.validity_months),
            assessment=assessment,
            signed_by=signer,
        )
        statement = f"Competence '{task.competence}' of {person} from {valid_from}"
        competence.signature = sign(competence, signer, password, "approved", statement)
        competence.save(update_fields=["signature", "updated_at"])
    return competence


def set_task_guard(task_key: str, enforced: bool, reason: str, user) -> TaskGuard:
    """Switch the block on or off for a task (quality manager; audited with the reason)."""
    require_role(user, Role.QUALITY_MANAGER, Role.ADMINISTRATOR, what="switching the competence block")
    task = task_of(task_key)
    reason = check_text(reason or "", "reason", max_length=2000, required=not enforced).strip()
    with acting_as(user, reason=f"competence block {'on' if enforced else 'off'}: {task.key}"):
        guard, _ = TaskGuard.objects.get_or_create(task=task.key)
        guard.enforced, guard.reason = bool(enforced), reason
        guard.save()
    return guard


def is_enforced(task_key: str) -> bool:
    return TaskGuard.objects.filter(task=task_key, enforced=True).exists()


def competence_standing(person, task: GuardedTask, day: dt.date) -> Standing:
    """The signed competence valid on ``day`` with the latest expiry, else the last one begun before it."""
    signed = Competence.objects.filter(person=person, task=task.key, signature__isnull=False, valid_from__lte=day)
    latest = signed.order_by("-expires_on").values_list("expires_on", flat=True).first()
    return Standing(task.competence, latest, state_on(latest, day))


def task_refusal(person, task_key: str, day: dt.date) -> str | None:
    """Why ``person`` may not do the task on local ``day`` (competence, then each training), or None.

    The registered guard: None for a task the data does not know or the department has not switched on.
    """
    task = training_requirements().tasks.get(task_key)
    if task is None or not is_enforced(task_key):
        return None
    standing = competence_standing(person, task, day)
    if standing.state in ("lapsed", "missing"):
        return f"{task.label} needs the competence '{task.competence}' — {_why(standing, person)}"
    for training in Training.objects.filter(key__in=task.trainings).order_by("name"):
        t = training_standing(person, training, day)
        if t.state in ("lapsed", "missing"):
            return f"{task.label} needs the training '{training.name}' in date — {_why(t, person)}"
    return None


def _why(standing: Standing, person) -> str:
    return f"lapsed on {standing.expires_on}" if standing.expires_on else f"{person} has none"


def person_competences(person, day: dt.date) -> list[tuple[GuardedTask, Standing, bool]]:
    """Each guarded task with the person's competence standing and whether the block is on."""
    return [
        (t, competence_standing(person, t, day), is_enforced(t.key)) for t in training_requirements().tasks.values()
    ]
