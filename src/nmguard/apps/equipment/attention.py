"""What the equipment area puts on the dashboard: QC drift, devices awaiting return, overdue QC."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from nmguard.apps.core.dashboard import AttentionItem

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
