"""Incidents and near misses: report, classification, investigation, links, lessons.

Stage, severity and contributing factors are codes from ``reference/data/incident_taxonomy.toml`` (checked by
the services, not by field choices, so the department can change its taxonomy without a migration)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from nmguard.apps.core.records import AuditedModel


class Incident(AuditedModel):
    """One incident or near miss. Any member of staff but the read-only accounts reports it (few fields); the
    quality manager or the RPO investigates and closes it by e-signature. Actions are CorrectiveAction rows with
    ``source="incident"`` and ``source_ref=reference``."""

    class Status(models.TextChoices):
        REPORTED = "reported", "Reported"
        INVESTIGATING = "investigating", "Under investigation"
        CLOSED = "closed", "Closed (signed)"

    reference = models.CharField(max_length=20, unique=True, help_text="IR-<year>-<number>, given when reported")
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=200, help_text="Where it happened (room, area)")
    stage = models.CharField(max_length=24, help_text="Process stage (taxonomy code)")
    severity = models.CharField(max_length=24, help_text="Severity (taxonomy code)")
    near_miss = models.BooleanField(help_text="Caught before it reached anyone")
    description = models.TextField(help_text="What happened")
    immediate_action = models.TextField(help_text="What was done straight away")
    radiopharmaceutical = models.CharField(max_length=120, blank=True)
    shareable = models.BooleanField(
        default=False, help_text="The free text contains no names or identifiers and may go to a learning system"
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.REPORTED)

    root_cause = models.TextField(blank=True)
    factors = models.JSONField(default=list, blank=True, help_text="Contributing factors (taxonomy codes)")
    lessons = models.TextField(blank=True, help_text="Lessons shared with the staff")
    investigated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    medical_event = models.ForeignKey(
        "patients.MedicalEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    protection_event = models.ForeignKey(
        "protection.ProtectionEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    qc_result = models.ForeignKey(
        "equipment.QCResult", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closure = models.ForeignKey("core.Signature", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    SIGNATURE_EXCLUDED_FIELDS = ("closure_id",)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["status", "occurred_at"], name="quality_incident_status_idx")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.description[:60]}"
