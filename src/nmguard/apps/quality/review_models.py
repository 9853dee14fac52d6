"""Stored management-review meetings (ISO 9001 clause 9.3 style minutes; the QUANUM audit asks for them).

The indicators shown on /quality/review/ are recomputed from the records at every visit; a meeting instead keeps
the values it discussed (``indicator_snapshot``, frozen when the chair signs), so that later corrections of the
records do not rewrite the minutes. A signed meeting is read-only: a correction is a new meeting that
``supersedes`` it, nothing is deleted."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from nmguard.apps.core.records import AuditedModel


class ManagementReviewMeeting(AuditedModel):
    """One management review: when it met, the period reviewed, who attended, the indicators, the decisions.
    Actions decided are CorrectiveAction rows with ``source="management review"`` and ``source_ref=reference``."""

    SIGNATURE_EXCLUDED_FIELDS = ("signature_id",)

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINAL = "final", "Final (signed)"

    held_on = models.DateField(help_text="The day the meeting was held (local date)")
    period_start = models.DateField(help_text="First day of the period reviewed")
    period_end = models.DateField(help_text="Last day of the period reviewed")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attendees = models.TextField(help_text="Who attended (names and roles)")
    inputs_reviewed = models.TextField(blank=True, help_text="Inputs reviewed: audits, incidents, feedback, …")
    decisions = models.TextField(blank=True, help_text="What was decided")
    indicator_snapshot = models.JSONField(
        default=list, blank=True, help_text="The indicators of the period as computed when signed (Series.as_dict)"
    )
    snapshot_at = models.DateTimeField(null=True, blank=True, help_text="When the snapshot was computed")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    signature = models.ForeignKey("core.Signature", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference}: management review held {self.held_on}"

    @property
    def reference(self) -> str:
        return f"MR-{self.pk}"
