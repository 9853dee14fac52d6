"""What the hot lab asks people to act on: possession limits exceeded, stored records whose activity now
cannot be computed (shown flagged, not failing the dashboard); and the count of batches awaiting release, linked
to the batch list filtered by that status."""

from __future__ import annotations

from django.urls import reverse

from nmguard.apps.core.dashboard import AttentionItem, WorkCount, listed
from nmguard.physics.units import format_activity


def possession_attention(user) -> list[AttentionItem]:
    from nmguard.apps.radiopharmacy.inventory import holdings

    names = set(user.groups.values_list("name", flat=True))
    if not names & {"radiopharmacist", "rpo", "administrator"}:
        return []
    rows = holdings()
    flagged = [
        AttentionItem(title=f"Record to correct ({h.nuclide})", detail=why, url=reverse("hotlab"))
        for h in rows
        for why in h.flagged
    ]
    return flagged + [
        AttentionItem(
            title=f"Possession limit exceeded: {h.nuclide}",
            detail=f"{format_activity(h.on_hand_Bq)} on hand, licence limit {format_activity(h.limit_Bq)} "
            f"({h.licence})",
            url=reverse("hotlab"),
        )
        for h in rows
        if h.exceeded
    ]


def hotlab_counts(user) -> list[WorkCount]:
    """Batches prepared and waiting for their QC and release by a qualified person."""
    from nmguard.apps.radiopharmacy.models import Batch

    if not user.has_perm("radiopharmacy.view_batch"):
        return []
    from nmguard.apps.radiopharmacy.lists import BatchFilter

    return [
        listed(
            "batches-awaiting-release",
            "Batches awaiting release",
            "batch-list",
            BatchFilter,
            Batch.objects.all(),
            {"status": Batch.Status.PREPARED},
        )
    ]
