"""What the administration area asks people to act on: medical events to report or close."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from nmguard.apps.core.dashboard import AttentionItem
from nmguard.apps.patients.permissions import step_responsible
from nmguard.apps.patients.services import open_medical_events


def medical_event_attention(user) -> list[AttentionItem]:
    """Open medical events, for those who report them (physicians, the RPO) and who oversee them."""
    if not user.has_perm("patients.view_medicalevent"):
        return []
    names = set(user.groups.values_list("name", flat=True))
    if not names & {"physician", "rpo", "administrator", "quality_manager"}:
        return []
    items = []
    for event in open_medical_events():
        patient = event.administration.prescription.patient
        pending = [s for s in event.reporting_steps if s.get("due")]
        step = pending[0] if pending else None
        items.append(
            AttentionItem(
                title=f"Medical event ({event.get_status_display().lower()}): {patient}",
                detail=f"{step['action']} ({step_responsible(step.get('id', '')).label})"
                if step
                else "report and close",
                url=reverse("medical-events"),
                due=dt.datetime.fromisoformat(step["due"]) if step else None,
            )
        )
    return items
