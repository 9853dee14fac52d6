"""What the equipment area puts on the dashboard: QC drift, devices awaiting return, overdue QC; and the
counts of QC due and overdue and of devices out of service, each linked to its filtered list."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from nmguard.apps.core.dashboard import AttentionItem, WorkCount, list_url, listed

# who does or oversees the QC programme (roles that read the rest of the area see it on its pages)
QC_ROLES = {"technologist", "physicist", "administrator"}


def qc_attention(user) -> list[AttentionItem]:
    """Drifting trends and overdue tests for the QC roles; devices eligible for return for physicists."""
    from nmguard.apps.equipment import qc_services

    if not user.has_perm("equipment.view_qcresult"):
        return []
    roles = set(user.groups.values_list("name", flat=True))
    if not roles & QC_ROLES:
        return []
    today = timezone.localdate()
    items: list[AttentionItem] = []
    for i in qc_services.due_items(today):
        where = f"{i.schedule.test.name} · {i.schedule.equipment}"
        url = reverse("qc-schedule", args=[i.schedule.pk])
        if i.drift is not None and i.drift.drifting:
            items.append(AttentionItem(f"QC drift: {where}", i.drift.warnings[0].message, url))
        if i.overdue and not i.exempt:
            items.append(AttentionItem(f"QC overdue: {where}", f"overdue {i.days_overdue} d", url))
    if "physicist" in roles:
        from nmguard.apps.equipment.models import Equipment

        for device in Equipment.objects.filter(locked_by_qc=True):
            if qc_services.eligible_for_return(device):
                items.append(
                    AttentionItem(
                        f"Return to service: {device}",
                        "passed again after an action-level result; awaiting your e-signature",
                        reverse("qc-today"),
                    )
                )
    return items


def qc_due_counts(day: dt.date) -> tuple[int, int]:
    """(due on ``day``, overdue on ``day``) over the active schedules of devices not marked "not in use".

    The same rule as the day's QC list (:func:`qc_services.due_items`: the latest result's local day, the
    frequency, the grace window, an exempt device owes nothing), from two queries whatever the number of
    schedules: the schedules with their latest result's time annotated, and the day's "not in use" marks.
    """
    from nmguard.apps.equipment.models import QCExemption, QCSchedule
    from nmguard.rules.qc_schedule import due_state

    exempt = QCExemption.objects.filter(day=day, withdrawn_at__isnull=True).values_list("equipment_id", flat=True)
    rows = (
        QCSchedule.objects.filter(active=True, test__active=True)
        .exclude(equipment_id__in=exempt)
        .annotate(last_at=Max("results__performed_at"))
        .values_list("last_at", "frequency", "test__frequency", "test__window_days", "created_at")
    )
    due = overdue = 0
    for last_at, frequency, test_frequency, window, created_at in rows:
        state = due_state(
            timezone.localdate(last_at) if last_at else None,
            frequency or test_frequency,
            day,
            window,
            first_due=timezone.localdate(created_at),
        )
        due += state.due_today
        overdue += state.overdue
    return due, overdue


def equipment_counts(user) -> list[WorkCount]:
    """QC due today and overdue (the day's QC list filtered), devices out of service (the register filtered)."""
    from nmguard.apps.equipment.models import Equipment

    if not user.has_perm("equipment.view_equipment"):
        return []
    today = timezone.localdate()
    counts = []
    if user.has_perm("equipment.view_qcresult"):
        due, overdue = qc_due_counts(today)
        counts += [
            WorkCount("qc-due-today", "QC tests due today", due, list_url("qc-today", due="today")),
            WorkCount("qc-overdue", "QC tests overdue", overdue, list_url("qc-today", due="overdue")),
        ]
    from nmguard.apps.equipment.lists import RegisterFilter

    counts.append(
        listed(
            "devices-out-of-service",
            "Devices out of service",
            "equipment",
            RegisterFilter,
            Equipment.objects.all(),
            {"status": Equipment.Status.OUT_OF_SERVICE},
        )
    )
    return counts
