"""What staff dosimetry puts on the RPO's dashboard: each alert of this year (a worker's quantity at the
investigation level or over a limit, the same evaluation as the staff-dose page and the CLI report) with the
state of its investigation: none yet, open, or closed and by whom."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from nmguard.apps.core.dashboard import AttentionItem

# who answers for staff doses (the physicist reads them on the page; the alert is the RPO's work)
ALERT_ROLES = {"rpo"}


def staff_dose_attention(user) -> list[AttentionItem]:
    """One item per alert; an alert without an investigation says so and links to the RPO dashboard."""
    if not user.has_perm("protection.view_dosereading"):
        return []
    if not set(user.groups.values_list("name", flat=True)) & ALERT_ROLES:
        return []
    from nmguard.apps.protection.investigation_records import alerts_of
    from nmguard.apps.protection.staff_sums import evaluate_year

    items = []
    for a in alerts_of(evaluate_year(timezone.localdate().year)):
        what = "Dose limit exceeded" if a.level == "limit_exceeded" else "Investigation level reached"
        inv = a.investigation
        if inv is None:
            state, url = "no investigation yet", reverse("protection-rpo")
        elif inv.status == "open":
            state, url = f"investigation {inv.pk} open", reverse("protection-investigation", args=[inv.pk])
        else:
            closed = timezone.localtime(inv.closed_at)
            state = f"investigation {inv.pk} closed {closed:%Y-%m-%d} by {inv.closed_by}"
            url = reverse("protection-investigation", args=[inv.pk])
        items.append(AttentionItem(f"{what}: {a.worker}", f"{a.reason} · {state}", url))
    return items
