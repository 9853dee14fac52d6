"""What training and competence put on the dashboard: a person's own trainings and competences that lapse within
the data's alert days (30) or have lapsed; the quality manager sees everyone's."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from nmguard.apps.core.dashboard import AttentionItem

MANAGER_ROLES = {"quality_manager"}


def training_attention(user) -> list[AttentionItem]:
    """One item per training or competence of a person that is expiring or lapsed today (local date)."""
    from nmguard.apps.quality.competence_services import person_competences
    from nmguard.apps.quality.training_services import required_trainings, training_standing

    if not user.has_perm("quality.view_trainingrecord"):
        return []
    day = timezone.localdate()
    manager = bool(set(user.groups.values_list("name", flat=True)) & MANAGER_ROLES)
    people = get_user_model().objects.filter(is_active=True).order_by("username") if manager else [user]
    items = []
    for person in people:
        url = reverse("quality-training-person", args=[person.pk])
        standings = [training_standing(person, t, day) for t in required_trainings(person)]
        standings += [s for _, s, enforced in person_competences(person, day) if enforced and s.expires_on]
        for s in standings:
            if s.state in ("expiring", "lapsed"):
                items.append(AttentionItem(f"Training and competence: {s.name} — {person}", s.text, url))
    return items
