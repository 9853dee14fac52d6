"""What sealed sources put on the dashboard: leak tests due or overdue, and the physical inventory when due.

Shown to those who do the work (the RPO and the physicist write protection records); others read the register.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from nmguard.apps.core.dashboard import AttentionItem

ALERT_ROLES = {"rpo", "physicist"}


def sources_attention(user) -> list[AttentionItem]:
    """One item per source whose leak test is due or overdue, and one when the inventory is due."""
    if not user.has_perm("protection.view_sealedsource"):
        return []
    if not set(user.groups.values_list("name", flat=True)) & ALERT_ROLES:
        return []
    from nmguard.apps.protection.source_models import SealedSource
    from nmguard.apps.protection.source_services import inventory_state, leak_tests_due

    today = timezone.localdate()
    items = [
        AttentionItem(
            f"Leak test {'overdue' if r.leak.state == 'overdue' else 'due'}: {r.source}",
            r.leak.reason,
            reverse("protection-source", args=[r.source.pk]),
        )
        for r in leak_tests_due(today)
    ]
    if SealedSource.objects.exists():
        inventory = inventory_state(today)
        if inventory.state in ("due", "overdue"):
            items.append(
                AttentionItem(
                    f"Sealed-source inventory {inventory.state}",
                    inventory.reason,
                    reverse("protection-source-inventory"),
                )
            )
    return items
