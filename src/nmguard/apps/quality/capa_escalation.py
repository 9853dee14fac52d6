"""Escalation of overdue corrective actions: notification records (e-mail-ready rows the mail job sends) at the
steps of ``incident_taxonomy.toml [[escalation]]`` (NMGuard policy), and the dashboard's attention items.

Running the escalation again on the same day, or the next day, adds nothing already there: one notification per
action, step and recipient (a unique constraint, and ``get_or_create`` here). A person gets one notification per
action and run: the highest step passed that is above any step already sent to them. A first run on an action
30 days late, or a quality manager who owns the action, gets one message, not three saying the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.dashboard import AttentionItem
from nmguard.apps.core.roles import Role
from nmguard.apps.quality.capa_models import CorrectiveAction, Notification
from nmguard.apps.quality.capa_services import overdue
from nmguard.reference.incident_taxonomy import incident_taxonomy


def days_late(action: CorrectiveAction, today: dt.date) -> int:
    """Whole days past the due date (the due date is the last day: 1 on the day after)."""
    return (today - action.due_on).days


def quality_managers() -> list:
    return list(get_user_model().objects.filter(is_active=True, groups__name=Role.QUALITY_MANAGER.value).distinct())


@dataclass(frozen=True)
class DueNotification:
    """A notification the escalation owes on a day and has not written yet: the action, the step (days past the
    due date), the recipient and how late the action is that day."""

    action: CorrectiveAction
    step_days: int
    recipient: Any
    days_late: int


@dataclass(frozen=True)
class EscalationRun:
    created: list[Notification]
    overdue_actions: int
    on: dt.date | None = None


def _body(action: CorrectiveAction, late: int) -> str:
    return (
        f"The corrective/preventive action CAPA {action.pk} '{action.title}' (from {action.source} "
        f"{action.source_ref}) owned by {action.owner.get_full_name() or action.owner.get_username()} was due on "
        f"{action.due_on.isoformat()} and is {late} day(s) late. Mark it done, or ask the quality manager to "
        f"change or cancel it: {reverse('quality-action', args=[action.pk])}"
    )


def due_notifications(day: dt.date) -> tuple[list[DueNotification], int]:
    """The notifications due on ``day`` (local date) that are not written yet, and the number of open overdue
    actions; reads only (the dry run shows this list, the run writes it)."""
    steps = incident_taxonomy().escalation
    managers = quality_managers()
    actions = list(overdue(day).select_related("owner"))
    held: dict[tuple[int, int], int] = {}  # (action, recipient) -> the highest step written
    for action_id, step_days, recipient_id in Notification.objects.filter(action__in=actions).values_list(
        "action_id", "step_days", "recipient_id"
    ):
        held[action_id, recipient_id] = max(step_days, held.get((action_id, recipient_id), -1))
    due: list[DueNotification] = []
    for action in actions:
        late = days_late(action, day)
        reached: dict[int, tuple[int, Any]] = {}  # recipient -> (the highest step passed, the user)
        for step in steps:
            if late < max(step.after_days, 1):
                continue
            for recipient in [action.owner] if step.to == "owner" else managers:
                if step.after_days >= reached.get(recipient.pk, (-1, None))[0]:
                    reached[recipient.pk] = (step.after_days, recipient)
        for recipient_pk, (step_days, recipient) in reached.items():
            if step_days > held.get((action.pk, recipient_pk), -1):
                due.append(DueNotification(action, step_days, recipient, late))
    return due, len(actions)


def run_escalation(user, today: dt.date | None = None) -> EscalationRun:
    """Write the notifications due today (local date) for every open overdue action, attributed to ``user``
    (each row is an audited record); idempotent."""
    day = today or timezone.localdate()
    created: list[Notification] = []
    with transaction.atomic(), acting_as(user, reason=f"overdue corrective actions escalated (on {day.isoformat()})"):
        due, overdue_actions = due_notifications(day)
        for d in due:
            note, made = Notification.objects.get_or_create(  # get_or_create: a concurrent run adds nothing
                action=d.action,
                step_days=d.step_days,
                recipient=d.recipient,
                defaults={
                    "subject": f"Overdue action CAPA {d.action.pk} ({d.days_late} d late): {d.action.title[:120]}",
                    "body": _body(d.action, d.days_late),
                },
            )
            if made:
                created.append(note)
    return EscalationRun(created=created, overdue_actions=overdue_actions, on=day)


def capa_attention(user) -> list[AttentionItem]:
    """Overdue open actions for their owner; every overdue action for the quality manager."""
    if not user.is_authenticated:
        return []
    actions = overdue().select_related("owner")
    if not user.groups.filter(name=Role.QUALITY_MANAGER.value).exists():
        actions = actions.filter(owner=user)
    today = timezone.localdate()
    return [
        AttentionItem(
            f"Overdue action: {a.title}",
            f"CAPA {a.pk} from {a.source} {a.source_ref} · owner {a.owner} · due {a.due_on.isoformat()}, "
            f"{days_late(a, today)} d late",
            reverse("quality-action", args=[a.pk]),
        )
        for a in actions[:50]
    ]
