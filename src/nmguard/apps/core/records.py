"""The base of every clinical and QC record: audited on every save, versioned, never deleted."""

from __future__ import annotations

from django.db import models, transaction
from simple_history.models import HistoricalRecords


class RecordDeletionError(PermissionError):
    """Clinical records are corrected by a new version with a reason, never deleted."""


class _NoDeleteQuerySet(models.QuerySet):
    def delete(self):  # type: ignore[override]
        raise RecordDeletionError(f"{self.model._meta.label} records are never deleted")


class AuditedModel(models.Model):
    """Subclasses get an audit event per create/update (see ``receivers``) and row history."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(inherit=True)

    objects = _NoDeleteQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # the row and its audit event are written together or not at all
        with transaction.atomic():
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordDeletionError(f"{self._meta.label} records are never deleted")
