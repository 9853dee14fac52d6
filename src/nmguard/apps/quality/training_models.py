"""Training and competence: required trainings per role and task, records with expiry, signed competence.

Dates are local calendar dates. ``expires_on`` is the first day a record is no longer valid (completed on D with a
12-month interval: valid through D + 12 months - 1 day, lapsed on D + 12 months). The rules live in
:mod:`nmguard.apps.quality.training_services`; these models only store.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from nmguard.apps.core.records import AuditedModel


class Task(models.TextChoices):
    """The tasks a competence guards (``tasks`` of training_requirements.toml)."""

    QP_RELEASE = "qp_release", "QP release"
    ADMINISTRATION = "administration", "Administration"
    QC_APPROVAL = "qc_approval", "QC approval"
    DOSIMETRY_SIGNOFF = "dosimetry_signoff", "Dosimetry sign-off"


class Training(AuditedModel):
    """A training the department requires; created from the data file, its interval overridable with a reason."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    renewal_months = models.PositiveSmallIntegerField()
    data_renewal_months = models.PositiveSmallIntegerField(help_text="The interval the data file gives")
    override_reason = models.TextField(blank=True, help_text="Why the department's interval differs from the data")
    source_id = models.CharField(max_length=80, help_text="The legal basis (sources.toml id)")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TrainingRecord(AuditedModel):
    """One completed training of one person, with its evidence; a renewal is a new record."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_records")
    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="records")
    completed_on = models.DateField()
    expires_on = models.DateField(help_text="First day no longer valid")
    evidence = models.CharField(max_length=300, help_text="Certificate, course, attendance list")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-completed_on"]
        indexes = [models.Index(fields=["person", "training", "expires_on"], name="quality_training_valid")]

    def __str__(self) -> str:
        return f"{self.training} — {self.person} ({self.completed_on})"


class Competence(AuditedModel):
    """A person's signed-off competence for a task, valid from ``valid_from`` until before ``expires_on``."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="competences")
    task = models.CharField(max_length=24, choices=Task.choices)
    valid_from = models.DateField()
    expires_on = models.DateField(help_text="First day no longer valid")
    assessment = models.TextField(help_text="How the competence was assessed")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signature = models.ForeignKey("core.Signature", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    SIGNATURE_EXCLUDED_FIELDS = ("signature_id",)

    class Meta:
        ordering = ["-valid_from"]
        indexes = [models.Index(fields=["person", "task", "expires_on"], name="quality_competence_valid")]

    def __str__(self) -> str:
        return f"{self.get_task_display()} — {self.person} (until {self.expires_on})"


class TaskGuard(AuditedModel):
    """Whether the department enforces the competence block for a task (off until switched on: no lock-out on
    upgrade for a department without competence records)."""

    task = models.CharField(max_length=24, choices=Task.choices, unique=True)
    enforced = models.BooleanField(default=False)
    reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.get_task_display()}: {'enforced' if self.enforced else 'off'}"
