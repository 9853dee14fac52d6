"""What the administration area asks people to act on: medical events to report or close; and the counts of
prescriptions waiting for their checks or for an override, and of open medical events, each linked to its list."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from nmguard.apps.core.dashboard import AttentionItem, WorkCount, list_url
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


def _pending():
    """Prescriptions not yet administered nor cancelled (the ones whose checks still matter)."""
    from nmguard.apps.patients.models import Prescription

    return Prescription.objects.filter(status__in=(Prescription.Status.PRESCRIBED, Prescription.Status.MEASURED))


def _blocking_check():
    """A failed check of the outer prescription that no physician has overridden."""
    from django.db.models import Exists, OuterRef

    from nmguard.apps.patients.models import SafetyCheck

    return Exists(
        SafetyCheck.objects.filter(
            prescription=OuterRef("pk"), outcome=SafetyCheck.Outcome.FAIL, overridden_by__isnull=True
        )
    )


def prescriptions_needing_override():
    """Pending prescriptions held by a failed check: a physician must override it (or the dose is not given)."""
    return _pending().filter(_blocking_check())


def prescriptions_needing_checks():
    """Pending prescriptions whose checks are not passed yet and that no failed check holds (any day)."""
    return _pending().exclude(_blocking_check())


def _first_deadline(steps_lists) -> dt.datetime | None:
    dues = [dt.datetime.fromisoformat(s["due"]) for steps in steps_lists for s in steps or [] if s.get("due")]
    return min(dues) if dues else None


def administration_counts(user) -> list[WorkCount]:
    """Prescriptions waiting for checks or an override; open medical events with their earliest deadline."""
    from nmguard.apps.patients.models import MedicalEvent

    counts = []
    if user.has_perm("patients.view_prescription"):
        counts += [
            WorkCount(
                "prescriptions-checks",
                "Prescriptions waiting for their checks",
                prescriptions_needing_checks().count(),
                list_url("prescription-list", needs="checks"),
            ),
            WorkCount(
                "prescriptions-override",
                "Prescriptions held by a failed check (override or cancel)",
                prescriptions_needing_override().count(),
                list_url("prescription-list", needs="override"),
            ),
        ]
    if user.has_perm("patients.view_medicalevent"):
        steps = list(
            MedicalEvent.objects.filter(status=MedicalEvent.Status.OPEN).values_list("reporting_steps", flat=True)
        )
        first = _first_deadline(steps)
        counts.append(
            WorkCount(
                "medical-events-open",
                "Open medical events",
                len(steps),
                list_url("medical-events", status=MedicalEvent.Status.OPEN),
                "earliest reporting deadline" if first else "",
                first,
            )
        )
    return counts
