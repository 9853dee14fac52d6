"""Sealed sources: the register, leak tests and the six-monthly inventory.

The rules (decay, exemptions, due dates, the wipe's pass/fail) live in :mod:`nmguard.protection.sealed_sources`;
these models store what it judged. Nothing is deleted: a source is withdrawn or disposed with the reason kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from nmguard.apps.core.records import AuditedModel


class SealedSource(AuditedModel):
    """A sealed source the department holds: what it is, where, who answers for it, and whether it may be used."""

    class Use(models.TextChoices):
        CHECK = "check", "Check source (constancy)"
        FLOOD = "flood", "Flood source"
        MARKER = "marker", "Marker"
        CALIBRATION = "calibration", "Calibration source"

    class Status(models.TextChoices):
        IN_USE = "in_use", "In use"
        STORED = "stored", "Stored, not in use"
        WITHDRAWN = "withdrawn", "Withdrawn from use"
        DISPOSED = "disposed", "Disposed"

    class Emission(models.TextChoices):
        BETA_GAMMA = "beta_gamma", "Beta/gamma"
        ALPHA = "alpha", "Alpha"

    nuclide = models.CharField(max_length=16)
    serial_number = models.CharField(max_length=120, unique=True)
    model_number = models.CharField(max_length=120, blank=True)
    activity_Bq = models.FloatField(help_text="Certified activity at the reference date (Bq)")
    reference_at = models.DateTimeField(help_text="Reference date of the certified activity")
    form = models.CharField(max_length=120, blank=True, help_text="Physical form, e.g. 'sealed vial', 'rod'")
    gaseous = models.BooleanField(default=False)
    emission = models.CharField(max_length=16, choices=Emission.choices, default=Emission.BETA_GAMMA)
    use = models.CharField(max_length=16, choices=Use.choices)
    location = models.CharField(max_length=200)
    custodian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(help_text="The first leak test is due on this day (before first use)")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_USE)
    status_reason = models.TextField(blank=True, help_text="Why the source was withdrawn, stored or disposed")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    check_source = models.OneToOneField(
        "equipment.CheckSource",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sealed_source",
        help_text="The QC constancy source this sealed source is",
    )

    class Meta:
        ordering = ["nuclide", "serial_number"]

    def __str__(self) -> str:
        return f"{self.nuclide} {self.serial_number} ({self.get_use_display().lower()})"


class LeakTest(AuditedModel):
    """One wipe of a source: the removable activity against the limit, with the counter's MDA."""

    source = models.ForeignKey(SealedSource, on_delete=models.PROTECT, related_name="leak_tests")
    wiped_at = models.DateTimeField()
    wiped_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    removable_Bq = models.FloatField()
    mda_Bq = models.FloatField()
    gross_cpm = models.FloatField(null=True, blank=True, help_text="Counts, when entered as counts")
    background_cpm = models.FloatField(null=True, blank=True)
    efficiency = models.FloatField(null=True, blank=True)
    limit_Bq = models.FloatField()
    passed = models.BooleanField()
    reason = models.TextField(help_text="The judgement with the rule's source")
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-wiped_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} wiped {self.wiped_at:%Y-%m-%d}: {'pass' if self.passed else 'FAIL'}"


class SourceInventory(AuditedModel):
    """A physical inventory: every source in the register seen at its location or missing; e-signed."""

    performed_on = models.DateField()
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    signature = models.ForeignKey("core.Signature", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    SIGNATURE_EXCLUDED_FIELDS = ("signature_id",)

    class Meta:
        ordering = ["-performed_on", "-pk"]
        verbose_name_plural = "source inventories"

    def __str__(self) -> str:
        return f"Source inventory {self.performed_on:%Y-%m-%d}"


class InventoryItem(AuditedModel):
    """One source in an inventory: found at its location, or missing (with the location it was expected at)."""

    inventory = models.ForeignKey(SourceInventory, on_delete=models.PROTECT, related_name="items")
    source = models.ForeignKey(SealedSource, on_delete=models.PROTECT, related_name="inventory_items")
    present = models.BooleanField()
    location = models.CharField(max_length=200, help_text="Where it was found (or expected)")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["inventory", "source"]
        constraints = [models.UniqueConstraint(fields=["inventory", "source"], name="protection_inventory_once")]
