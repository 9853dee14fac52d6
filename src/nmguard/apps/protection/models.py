"""Staff dosimetry records: the register of monitored workers, their dosimeter readings, the imports that
brought them, and pregnancy declarations.

The rules (validation, sums, limits, the embryo/fetus dose) live in the pure package
:mod:`nmguard.protection`; these models only store what it judges. Nothing is deleted: a corrected reading
points at its successor (``superseded_by``) with the reason kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from nmguard.apps.core.records import AuditedModel
from nmguard.protection import readings as pure


class Worker(AuditedModel):
    """A person who wears a dosimeter, under the dosimetry service's id."""

    class Category(models.TextChoices):  # the categories of reference/dose_limits.py
        WORKER = "worker", "Adult occupationally exposed worker"
        APPRENTICE = "apprentice", "Apprentice or student aged 16-18"
        PUBLIC = "public", "Member of the public (e.g. a visitor wearing a dosimeter)"

    worker_id = models.CharField(max_length=pure.MAX_CELL, unique=True, help_text="The dosimetry service's id")
    name = models.CharField(max_length=pure.MAX_CELL, blank=True)
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.WORKER)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["worker_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.worker_id})" if self.name else self.worker_id


class DoseImport(AuditedModel):
    """One file from the dosimetry service: who imported it and what became of each row."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    skip_invalid = models.BooleanField(default=False, help_text="The good rows were stored, the bad ones not")
    rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    new_workers = models.JSONField(default=list, blank=True)
    rejected = models.JSONField(default=list, blank=True, help_text="[{row, field, reason}] of the bad rows")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d})" if self.created_at else self.file_name


class DoseReading(AuditedModel):
    """One dosimeter's reading for one wear period (mSv; null: not measured, never zero)."""

    class Dosimeter(models.TextChoices):
        WHOLE_BODY = "whole_body", "Whole body"
        EXTREMITY = "extremity", "Extremity (ring)"
        EYE = "eye", "Eye (lens)"

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="readings")
    dosimeter = models.CharField(max_length=16, choices=Dosimeter.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    hp10_mSv = models.FloatField(null=True, blank=True)
    hp007_mSv = models.FloatField(null=True, blank=True)
    hp3_mSv = models.FloatField(null=True, blank=True)
    batch = models.ForeignKey(DoseImport, null=True, blank=True, on_delete=models.PROTECT, related_name="readings")
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    supersede_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["worker", "dosimeter", "period_start"]
        indexes = [models.Index(fields=["period_end"], name="protection_reading_end")]

    def __str__(self) -> str:
        return f"{self.worker.worker_id} {self.dosimeter} {self.period_start}..{self.period_end}"

    @property
    def current(self) -> bool:
        return self.superseded_by_id is None

    def as_pure(self, worker_id: str | None = None, name: str = "") -> pure.DoseReading:
        """The pure module's reading (``worker_id`` given avoids a query for the worker)."""
        return pure.DoseReading(
            worker_id=worker_id or self.worker.worker_id,
            name=name,
            dosimeter=self.dosimeter,
            period_start=self.period_start,
            period_end=self.period_end,
            hp10_mSv=self.hp10_mSv,
            hp007_mSv=self.hp007_mSv,
            hp3_mSv=self.hp3_mSv,
        )


class PregnancyDeclaration(AuditedModel):
    """A worker's written declaration of pregnancy: the embryo/fetus dose is followed from ``declared_on``."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="pregnancies")
    declared_on = models.DateField()
    pregnancy_start = models.DateField(null=True, blank=True, help_text="If known (NRC: the entire pregnancy)")
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-declared_on"]

    def __str__(self) -> str:
        return f"{self.worker.worker_id} declared {self.declared_on}"


# The other protection records live in one module each (one per part of the RPO's work); importing them here
# registers their models with the app.
from nmguard.apps.protection import event_models, room_models, source_models, survey_models  # noqa: E402, F401
