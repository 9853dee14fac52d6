"""What staff dosimetry puts on the RPO's dashboard: workers at the investigation level or over a limit this
year (the same evaluation as the staff-dose page and the CLI report)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from nmguard.apps.core.dashboard import AttentionItem

# who answers for staff doses (the physicist reads them on the page; the alert is the RPO's work)
ALERT_ROLES = {"rpo"}


def staff_dose_attention(user) -> list[AttentionItem]:
    """One item per worker whose annual dose reached the investigation level or passed a limit."""
    if not user.has_perm("protection.view_dosereading"):
        return []
    if not set(user.groups.values_list("name", flat=True)) & ALERT_ROLES:
        return []
    from nmguard.apps.protection.staff_sums import evaluate_year

    year = timezone.localdate().year
    items = []
    for r in evaluate_year(year):
        status = r.row["status"]
        if status == "ok":
            continue
        what = "Dose limit exceeded" if status == "limit_exceeded" else "Investigation level reached"
        detail = "; ".join(r.evaluation.reasons) or status
        items.append(AttentionItem(f"{what}: {r.worker}", detail, reverse("protection-worker", args=[r.worker.pk])))
    return items
