"""Protection events (a contamination, an unplanned exposure) and the investigations of dose alerts.

Both are closed by an e-signature and never deleted. The rules (which alert an investigation answers, who may
open and close) are in :mod:`nmguard.apps.protection.investigation_records` and
:mod:`nmguard.apps.protection.event_records`; these models only store.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from nmguard.apps.core.records import AuditedModel

# the quantities of nmguard.protection.dose_sums (a WorkerEvaluation's ``quantities`` keys)
QUANTITIES = (
    ("effective", "Effective dose"),
    ("lens", "Lens of the eye"),
    ("skin", "Skin"),
    ("extremity", "Extremity"),
)


class Status(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Investigation(AuditedModel):
    """The RPO's investigation of one worker's dose that reached the investigation level or a limit in a year."""

    class Level(models.TextChoices):  # the alert levels of dose_sums (a recording level is no alert)
        INVESTIGATION = "investigation", "Investigation level reached"
        LIMIT_EXCEEDED = "limit_exceeded", "Dose limit exceeded"

    worker = models.ForeignKey("protection.Worker", on_delete=models.PROTECT, related_name="investigations")
    year = models.PositiveSmallIntegerField()
    quantity = models.CharField(max_length=16, choices=QUANTITIES)
    level = models.CharField(max_length=16, choices=Level.choices)
    dose_at_opening_mSv = models.FloatField(help_text="The quantity's annual dose when the investigation opened")
    alert = models.TextField(blank=True, help_text="The evaluation's reason at opening, as the alert said it")
    profile = models.CharField(max_length=16, help_text="The jurisdiction profile that raised the alert")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    findings = models.TextField(blank=True)
    cause = models.TextField(blank=True)
    actions = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closure = models.ForeignKey("core.Signature", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    SIGNATURE_EXCLUDED_FIELDS = ("closure_id",)

    class Meta:
        ordering = ["-year", "-created_at"]
        indexes = [models.Index(fields=["year", "status"], name="protection_investig_year")]

    def __str__(self) -> str:
        return f"Investigation {self.pk}: {self.worker.worker_id} {self.quantity} {self.year}"


class ProtectionEvent(AuditedModel):
    """An event of radiation protection: what happened, when and where, who was involved, the dose estimate.

    ``incident_ref`` is reserved for the quality app's incident register (issue: quality), which will link
    its incident here; until then it holds the register's reference if one is typed.
    """

    class Kind(models.TextChoices):
        """The kinds the RPO records (issue 15 item 7); "other" with the description for the rest."""

        CONTAMINATION_PERSON = "contamination_person", "Contamination of a person"
        CONTAMINATION_AREA = "contamination_area", "Contamination of an area or surface"
        SPILL = "spill", "Spill of radioactive material"
        UNPLANNED_EXPOSURE = "unplanned_exposure", "Unplanned exposure"
        LOST_SOURCE = "lost_source", "Lost or stolen source"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=200)
    description = models.TextField()
    workers = models.ManyToManyField("protection.Worker", blank=True, related_name="events")
    others_involved = models.CharField(max_length=300, blank=True, help_text="People not in the staff register")
    estimated_dose_mSv = models.FloatField(null=True, blank=True, help_text="Largest estimated individual dose")
    actions = models.TextField(blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    incident_ref = models.CharField(
        max_length=64, blank=True, help_text="Reserved: the quality app's incident register links here"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closure = models.ForeignKey("core.Signature", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    SIGNATURE_EXCLUDED_FIELDS = ("closure_id",)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["status", "occurred_at"], name="protection_event_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.location}"
