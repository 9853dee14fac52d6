"""Corrective and preventive actions (CAPA): the one record that incidents, audit findings, clinical audits and
management reviews all turn into, so that every action has an owner, a due date and a signed closure."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from nmguard.apps.core.records import AuditedModel


class CorrectiveAction(AuditedModel):
    """One action: what is to be done, by whom, by when, where it came from, and whether it worked.

    ``source``/``source_ref`` name the record that raised it (e.g. "incident", "IR-2026-014") as text, so the
    parts of the quality system can raise actions without this model depending on each of them."""

    class Kind(models.TextChoices):
        CORRECTIVE = "corrective", "Corrective (removes the cause of a problem that happened)"
        PREVENTIVE = "preventive", "Preventive (removes the cause of a problem that could happen)"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done, effectiveness to be checked"
        CLOSED = "closed", "Closed (signed)"
        CANCELLED = "cancelled", "Cancelled (with reason)"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CORRECTIVE)
    source = models.CharField(max_length=40, help_text="What raised it: incident, audit finding, clinical audit, …")
    source_ref = models.CharField(max_length=80, blank=True, help_text="The raising record's reference")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(null=True, blank=True)
    effectiveness_check = models.TextField(blank=True, help_text="How and when it was checked that it worked")
    effective = models.BooleanField(null=True, blank=True)
    closure = models.ForeignKey("core.Signature", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cancel_reason = models.CharField(max_length=500, blank=True, help_text="Why it was cancelled or superseded")

    SIGNATURE_EXCLUDED_FIELDS = ("closure_id",)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="quality_capa_status_due_idx")]

    def __str__(self) -> str:
        return f"CAPA {self.pk}: {self.title}"


class Notification(AuditedModel):
    """An e-mail-ready notification the mail job sends (``sent`` set then): one per overdue action and escalation
    step (unique), so running the escalation again adds nothing."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    action = models.ForeignKey(CorrectiveAction, on_delete=models.PROTECT, related_name="notifications")
    step_days = models.PositiveIntegerField(help_text="The escalation step: days past the due date")
    sent = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "step_days", "recipient"], name="quality_notification_once_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"to {self.recipient}: {self.subject}"
