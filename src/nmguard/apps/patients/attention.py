"""What the administration area asks people to act on: medical events to report or close; and the counts of
prescriptions waiting for their checks or for an override, and of open medical events, each linked to its list."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from nmguard.apps.core.dashboard import AttentionItem, WorkCount, filtered, list_url, listed
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


def _first_deadline(steps_lists) -> dt.datetime | None:
    dues = [dt.datetime.fromisoformat(s["due"]) for steps in steps_lists for s in steps or [] if s.get("due")]
    return min(dues) if dues else None


def administration_counts(user) -> list[WorkCount]:
    """Prescriptions waiting for their checks or held by a failed check (the prescription list's ``needs``
    filter), open medical events with their earliest reporting deadline (the events page's ``status``)."""
    from nmguard.apps.patients.lists import MedicalEventFilter, PrescriptionFilter
    from nmguard.apps.patients.models import MedicalEvent, Prescription

    counts = []
    if user.has_perm("patients.view_prescription"):
        for needs, label in (
            ("checks", "Prescriptions measured, waiting for their checks"),
            ("override", "Prescriptions held by a failed check (override or cancel)"),
        ):
            counts.append(
                listed(
                    f"prescriptions-{needs}",
                    label,
                    "prescription-list",
                    PrescriptionFilter,
                    Prescription.objects.all(),
                    {"needs": needs},
                )
            )
    if user.has_perm("patients.view_medicalevent"):
        params = {"status": MedicalEvent.Status.OPEN}
        events = filtered(MedicalEventFilter, MedicalEvent.objects.all(), params)
        steps = list(events.values_list("reporting_steps", flat=True))  # one query: the count and the deadlines
        first = _first_deadline(steps)
        counts.append(
            WorkCount(
                "medical-events-open",
                "Open medical events",
                len(steps),
                list_url("medical-events", **params),
                "earliest reporting deadline" if first else "",
                first,
            )
        )
    return counts
