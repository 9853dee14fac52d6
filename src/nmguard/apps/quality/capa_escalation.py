"""Escalation of overdue corrective actions: notification records (e-mail-ready rows the mail job sends) at the
steps of ``incident_taxonomy.toml [[escalation]]`` (NMGuard policy), and the dashboard's attention items.

Running the escalation again on the same day, or the next day, adds nothing already there: one notification per
action, step and recipient (a unique constraint, and ``get_or_create`` here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
class EscalationRun:
    created: list[Notification]
    overdue_actions: int


def _body(action: CorrectiveAction, late: int) -> str:
    return (
        f"The corrective/preventive action CAPA {action.pk} '{action.title}' (from {action.source} "
        f"{action.source_ref}) owned by {action.owner.get_full_name() or action.owner.get_username()} was due on "
        f"{action.due_on.isoformat()} and is {late} day(s) late. Mark it done, or ask the quality manager to "
        f"change or cancel it: {reverse('quality-action', args=[action.pk])}"
    )


def run_escalation(user, today: dt.date | None = None) -> EscalationRun:
    """Write the notifications due today (local date) for every open overdue action; idempotent."""
    day = today or timezone.localdate()
    steps = incident_taxonomy().escalation
    managers = quality_managers()
    created: list[Notification] = []
    actions = list(overdue(day).select_related("owner"))
    with transaction.atomic(), acting_as(user, reason="overdue corrective actions escalated"):
        for action in actions:
            late = days_late(action, day)
            for step in steps:
                if late < max(step.after_days, 1):
                    continue
                recipients = [action.owner] if step.to == "owner" else managers
                for recipient in recipients:
                    note, made = Notification.objects.get_or_create(
                        action=action,
                        step_days=step.after_days,
                        recipient=recipient,
                        defaults={
                            "subject": f"Overdue action CAPA {action.pk} ({late} d late): {action.title[:120]}",
                            "body": _body(action, late),
                        },
                    )
                    if made:
                        created.append(note)
    return EscalationRun(created=created, overdue_actions=len(actions))


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
