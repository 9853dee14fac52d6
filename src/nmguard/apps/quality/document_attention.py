"""What document control and peer review put on the dashboard: versions to acknowledge (the staff they apply
to), reviews due or overdue (the quality manager), peer-review feedback not yet read (the reader)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from nmguard.apps.core.dashboard import AttentionItem
from nmguard.apps.core.roles import Role


def documents_attention(user) -> list[AttentionItem]:
    """One item per current version ``user`` must acknowledge; for the quality manager, one per review due."""
    if not user.is_authenticated:
        return []
    from nmguard.apps.quality.document_services import reviews_due, to_acknowledge

    items = [
        AttentionItem(
            f"To acknowledge: {v.document.number} {v.document.title}",
            f"version {v.number} is in force and applies to your role",
            reverse("quality-document-version", args=[v.pk]),
        )
        for v in to_acknowledge(user)
    ]
    if user.groups.filter(name=Role.QUALITY_MANAGER.value).exists():
        items += [
            AttentionItem(
                f"Document review {r.state}: {r.version.document.number} {r.version.document.title}",
                f"version {r.version.number}, review due {r.due_on:%Y-%m-%d}",
                reverse("quality-document-version", args=[r.version.pk]),
            )
            for r in reviews_due(timezone.localdate())
        ]
    return items


def peer_review_attention(user) -> list[AttentionItem]:
    """The reader: discrepancies found in their studies that they have not read; the physicians: studies of
    others waiting for a second reading."""
    if not user.is_authenticated:
        return []
    from nmguard.apps.quality.document_models import PeerReview
    from nmguard.apps.quality.peer_review_services import unread_discrepancies

    items = []
    unread = unread_discrepancies(user)
    if unread:
        items.append(
            AttentionItem(
                f"Peer-review feedback: {unread} discrepanc{'y' if unread == 1 else 'ies'} to read",
                "a second reading of your studies differed",
                reverse("quality-peer-review-mine"),
            )
        )
    if user.groups.filter(name=Role.PHYSICIAN.value).exists():
        waiting = PeerReview.objects.filter(score="").exclude(reader=user).count()
        if waiting:
            items.append(
                AttentionItem(
                    f"Peer review: {waiting} stud{'y' if waiting == 1 else 'ies'} to read a second time",
                    "drawn at random from reported studies",
                    reverse("quality-peer-review"),
                )
            )
    return items
