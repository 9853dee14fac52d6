"""What workplace monitoring puts on the dashboard: overdue surveys and open decontamination follow-ups, for
the roles that answer for them (the RPO and the physicist)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from nmguard.apps.core.dashboard import AttentionItem

ALERT_ROLES = {"rpo", "physicist"}


def monitoring_attention(user) -> list[AttentionItem]:
    """One item per overdue location (today in the department's zone) and one per open follow-up."""
    from nmguard.apps.protection import survey_services
    from nmguard.apps.protection.survey_models import FollowUp

    if not user.has_perm(survey_services.WRITE_PERMISSION):
        return []
    if not set(user.groups.values_list("name", flat=True)) & ALERT_ROLES:
        return []
    items = [
        AttentionItem(
            f"Survey overdue: {row.location.name}",
            f"{row.location.get_frequency_display()} {row.location.get_survey_kind_display().lower()}, due "
            f"{row.state.due:%Y-%m-%d}, last done {row.state.last_done or 'never'}",
            reverse("protection-monitoring-location", args=[row.location.pk]),
        )
        for row in survey_services.due_surveys(timezone.localdate())
        if row.state.state == "overdue"
    ]
    for f in FollowUp.objects.filter(closed_at__isnull=True).select_related("location"):
        done = "decontamination recorded, re-survey pending" if f.action_taken else "decontamination not recorded"
        items.append(
            AttentionItem(
                f"Contamination follow-up open: {f.location.name}", done, reverse("protection-monitoring-follow-ups")
            )
        )
    return items
