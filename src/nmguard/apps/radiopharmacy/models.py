"""The radiopharmaceutical catalogue (its dose coefficients and protocols come with later issues)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from nmguard.apps.core.records import AuditedModel
from nmguard.errors import InputError
from nmguard.reference import normalize_nuclide_name
from nmguard.reference.radiopharmaceuticals import get_radiopharmaceutical


def validate_nuclide(value: str) -> None:
    try:
        canonical = normalize_nuclide_name(value)
    except InputError as exc:
        raise ValidationError(exc.message) from None
    if canonical != value:
        raise ValidationError(f"write the nuclide as {canonical}")


def validate_catalogue_id(value: str) -> None:
    try:
        found = get_radiopharmaceutical(value)
    except InputError as exc:
        raise ValidationError(exc.message) from None
    if found.id != value:
        raise ValidationError(f"use the catalogue id {found.id}")


class Route(models.TextChoices):
    """Routes of administration (the catalogue's route values; DICOM CID 11 codes map from these)."""

    IV = "iv", "Intravenous"
    ORAL = "oral", "Oral"
    INHALATION = "inhalation", "Inhalation"
    INTRADERMAL = "intradermal", "Intradermal"
    SUBCUTANEOUS = "subcutaneous", "Subcutaneous"
    INTRA_ARTERIAL = "intra_arterial", "Intra-arterial"


class Radiopharmaceutical(AuditedModel):
    """A product the department uses, linked to the reference catalogue (dose coefficients etc.)."""

    Route = Route

    name = models.CharField(max_length=120, unique=True)
    catalogue_id = models.CharField(
        max_length=40,
        blank=True,
        validators=[validate_catalogue_id],
        help_text="Reference catalogue id (e.g. f18-fdg): dose coefficients, paediatric cards, codes",
    )
    nuclide = models.CharField(max_length=16, validators=[validate_nuclide])
    route = models.CharField(max_length=20, choices=Route.choices, default=Route.IV)
    is_therapy = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def reference(self):
        """The reference catalogue entry, or None when the product is not linked."""
        return get_radiopharmaceutical(self.catalogue_id) if self.catalogue_id else None


class Generator(AuditedModel):
    """A radionuclide generator from receipt to return (99Mo/99mTc, 68Ge/68Ga, 82Sr/82Rb, 188W/188Re)."""

    class Status(models.TextChoices):
        IN_USE = "in_use", "In use"
        RETIRED = "retired", "Retired / returned"

    name = models.CharField(max_length=120, unique=True)
    parent = models.CharField(max_length=16, validators=[validate_nuclide])
    daughter = models.CharField(max_length=16, validators=[validate_nuclide])
    manufacturer = models.CharField(max_length=120, blank=True)
    lot = models.CharField(max_length=60, blank=True)
    calibrated_activity_Bq = models.FloatField(help_text="Parent activity at the calibration time")
    calibrated_at = models.DateTimeField()
    received_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IN_USE)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.parent}/{self.daughter})"


class Elution(AuditedModel):
    """One elution: the eluted activity against the theoretical, and the breakthrough test."""

    generator = models.ForeignKey(Generator, on_delete=models.PROTECT, related_name="elutions")
    eluted_at = models.DateTimeField()
    eluted_activity_Bq = models.FloatField()
    volume_mL = models.FloatField()
    available_Bq = models.FloatField(help_text="Theoretical available daughter activity (Bateman ingrowth)")
    yield_percent = models.FloatField()
    breakthrough_parent_Bq = models.FloatField(null=True, blank=True)
    breakthrough = models.JSONField(default=dict, blank=True, help_text="Ratio, limit, usable-until, sources")
    aluminium_ok = models.BooleanField(
        null=True, blank=True, help_text="Aluminium ion colour-spot test (empty: answered 'not tested')"
    )
    yield_reason = models.TextField(blank=True, help_text="Why the yield is above the plausible maximum")
    usable = models.BooleanField(default=True)
    performed_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-eluted_at"]
        indexes = [models.Index(fields=["eluted_at", "id"], name="elution_eluted_idx")]

    def __str__(self) -> str:
        from nmguard.physics.units import format_activity

        # The department's local time with its zone name (formatting the stored UTC instant showed a time an
        # hour or two off in the preparation form's drop-down).
        local = timezone.localtime(self.eluted_at)
        return f"{self.generator.name} eluate {local:%Y-%m-%d %H:%M %Z} ({format_activity(self.eluted_activity_Bq)})"

    @property
    def usable_until(self) -> dt.datetime | str | None:
        """When the eluate stops meeting the breakthrough limit: an instant, or "never"/"now", or None."""
        until = (self.breakthrough or {}).get("usable_until")
        if until in (None, "", "never", "now"):
            return until or None
        return dt.datetime.fromisoformat(until)


class Recipe(AuditedModel):
    """How a product is prepared: kit and reagents, activity range, incubation, shelf life."""

    name = models.CharField(max_length=160, unique=True)
    radiopharmaceutical = models.ForeignKey(Radiopharmaceutical, on_delete=models.PROTECT, related_name="recipes")
    kit = models.CharField(max_length=160, blank=True)
    reagents = models.JSONField(default=list, blank=True, help_text='[{"name": ..., "amount": ...}]')
    min_activity_MBq = models.FloatField(null=True, blank=True)
    max_activity_MBq = models.FloatField(null=True, blank=True)
    max_volume_mL = models.FloatField(null=True, blank=True)
    incubation_min = models.PositiveIntegerField(default=0)
    shelf_life_h = models.FloatField(help_text="Shelf life after preparation (SmPC / monograph)")
    max_dose_volume_mL = models.FloatField(default=10.0, help_text="V in the endotoxin limit 175/V EU/mL")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Batch(AuditedModel):
    """One preparation: the batch record, its QC, its release, its expiry."""

    class Status(models.TextChoices):
        PREPARED = "prepared", "Prepared, awaiting QC"
        RELEASED = "released", "Released"
        REJECTED = "rejected", "Rejected"

    SIGNATURE_EXCLUDED_FIELDS = ("release_signature_id",)

    number = models.CharField(max_length=40, unique=True)
    recipe = models.ForeignKey(Recipe, on_delete=models.PROTECT, related_name="batches")
    elution = models.ForeignKey(Elution, null=True, blank=True, on_delete=models.PROTECT, related_name="batches")
    stock = models.ForeignKey(
        "Delivery",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batches",
        help_text="The delivered stock vial the preparation was drawn from (instead of an eluate)",
    )
    prepared_at = models.DateTimeField()
    prepared_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    activity_Bq = models.FloatField(help_text="Activity at the calibration (preparation) time")
    volume_mL = models.FloatField()
    components = models.JSONField(default=list, help_text='[{"name", "lot", "expiry"}] of every component')
    equipment = models.JSONField(default=dict, blank=True, help_text="Hot cell, activity meter")
    environment = models.JSONField(default=dict, blank=True, help_text="Environment checks (e.g. particles, LAF)")
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARED)
    release_decision = models.JSONField(default=dict, blank=True)
    release_signature = models.ForeignKey(
        "core.Signature", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-prepared_at"]
        verbose_name_plural = "batches"
        # the batch list sorts newest first
        indexes = [models.Index(fields=["prepared_at", "id"], name="batch_prepared_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.recipe.radiopharmaceutical}"


class BatchTest(AuditedModel):
    """One QC release test result of a batch (or its documented waiver for parametric release)."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="tests")
    test = models.CharField(max_length=40)
    value = models.FloatField(null=True, blank=True)
    text = models.CharField(max_length=200, blank=True, help_text="For pass/fail tests: 'pass' or 'fail'")
    detail = models.JSONField(default=dict, blank=True, help_text="Strip counts, readings, uncertainty …")
    waived_reason = models.TextField(blank=True, help_text="Parametric release: why released before the result")
    performed_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    performed_at = models.DateTimeField()

    class Meta:
        ordering = ["performed_at"]


class Dispensing(AuditedModel):
    """A patient dose drawn from a released batch, measured on an in-date meter."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="dispensings")
    prescription = models.ForeignKey(
        "patients.Prescription", null=True, blank=True, on_delete=models.PROTECT, related_name="dispensings"
    )
    wanted_activity_Bq = models.FloatField()
    wanted_at = models.DateTimeField()
    volume_mL = models.FloatField()
    measured_activity_Bq = models.FloatField()
    measured_at = models.DateTimeField()
    activity_meter = models.ForeignKey("equipment.Equipment", on_delete=models.PROTECT, related_name="+")
    dispensed_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-measured_at"]


class WasteContainer(AuditedModel):
    """Decay-in-storage: sealed, held until its release date, surveyed, disposed."""

    label = models.CharField(max_length=60, unique=True)
    nuclide = models.CharField(max_length=16, validators=[validate_nuclide])
    sealed_at = models.DateTimeField()
    activity_Bq = models.FloatField(help_text="Estimated activity when sealed")
    limit_Bq = models.FloatField(help_text="Activity below which it may be released (local rule)")
    release_at = models.DateTimeField(null=True, blank=True)
    rule = models.JSONField(default=dict, blank=True)
    disposed_at = models.DateTimeField(null=True, blank=True)
    survey = models.JSONField(default=dict, blank=True, help_text="Background, surface reading, instrument, surveyor")

    class Meta:
        ordering = ["sealed_at"]


class PossessionLimit(AuditedModel):
    """The licence's possession limit for one nuclide (unsealed sources)."""

    nuclide = models.CharField(max_length=16, unique=True, validators=[validate_nuclide])
    limit_Bq = models.FloatField()
    licence = models.CharField(max_length=120, help_text="Licence number and condition")

    def __str__(self) -> str:
        from nmguard.physics.units import format_activity

        return f"{self.nuclide} ≤ {format_activity(self.limit_Bq)} ({self.licence})"


class Delivery(AuditedModel):
    """An unsealed-source delivery with its receipt checks (package dose rate, wipe test)."""

    class Status(models.TextChoices):
        IN_STOCK = "in_stock", "In stock"
        USED = "used", "Used up"
        RETURNED = "returned", "Returned"

    nuclide = models.CharField(max_length=16, validators=[validate_nuclide])
    product = models.CharField(max_length=160)
    activity_Bq = models.FloatField()
    calibrated_at = models.DateTimeField()
    received_at = models.DateTimeField()
    supplier = models.CharField(max_length=120, blank=True)
    package_surface_uSv_h = models.FloatField(null=True, blank=True)
    package_1m_uSv_h = models.FloatField(null=True, blank=True)
    wipe_Bq_per_cm2 = models.FloatField(null=True, blank=True)
    receipt_ok = models.BooleanField(help_text="Package intact, labels match, readings within the local limits")
    receipt_note = models.TextField(blank=True)
    received_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IN_STOCK)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        from nmguard.physics.units import format_activity

        at = timezone.localtime(self.calibrated_at)
        return f"{self.product} ({format_activity(self.activity_Bq)} {self.nuclide} at {at:%Y-%m-%d %H:%M %Z})"


class Discharge(AuditedModel):
    """Activity released to the sewer or to the air (summed per year, nuclide and pathway)."""

    at = models.DateTimeField()
    pathway = models.CharField(max_length=8, choices=[("sewer", "Sewer"), ("air", "Air")])
    nuclide = models.CharField(max_length=16, validators=[validate_nuclide])
    activity_Bq = models.FloatField()
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at"]
