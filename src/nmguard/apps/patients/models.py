"""Patients and the administration path: protocol → prescription → measurement → checks → administration.

Activities are stored in Bq, times as aware UTC datetimes. Every row is an audited record.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from nmguard.apps.core.records import AuditedModel
from nmguard.apps.radiopharmacy.models import Route


class Patient(AuditedModel):
    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        OTHER = "O", "Other"
        UNKNOWN = "U", "Unknown"

    mrn = models.CharField("patient ID (MRN)", max_length=64, unique=True)
    family_name = models.CharField(max_length=120)
    given_name = models.CharField(max_length=120)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)

    class Meta:
        ordering = ["family_name", "given_name"]
        # the patient list sorts on the name: at a million records an unindexed sort reads the whole table
        indexes = [models.Index(fields=["family_name", "given_name", "id"], name="patient_name_idx")]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name} ({self.mrn})"

    def age_years(self, on: dt.date) -> float:
        """Age in years (decimal) on the given day."""
        return (on - self.birth_date).days / 365.2425


class Protocol(AuditedModel):
    """A department's standard for one examination or therapy with one radiopharmaceutical."""

    class ActivityMode(models.TextChoices):
        FIXED = "fixed", "Fixed activity"
        PER_KG = "per_kg", "MBq per kg (with minimum and maximum)"

    class PaediatricMethod(models.TextChoices):
        NONE = "none", "None (adults only)"
        EANM_2016 = "eanm-2016", "EANM paediatric dosage card (2016)"
        NA_2016 = "na-2016", "North American consensus guidelines (2016)"

    name = models.CharField(max_length=160, unique=True)
    radiopharmaceutical = models.ForeignKey("radiopharmacy.Radiopharmaceutical", on_delete=models.PROTECT)
    activity_mode = models.CharField(max_length=8, choices=ActivityMode.choices, default=ActivityMode.FIXED)
    adult_activity_MBq = models.FloatField(help_text="Standard adult activity (fixed mode) or the adult cap")
    activity_per_kg_MBq = models.FloatField(null=True, blank=True)
    min_activity_MBq = models.FloatField(null=True, blank=True)
    max_activity_MBq = models.FloatField(null=True, blank=True)
    tolerance_percent = models.FloatField(
        null=True, blank=True, help_text="Allowed deviation; empty = the jurisdiction profile's value"
    )
    drl_MBq = models.FloatField("DRL (MBq)", null=True, blank=True)
    drl_source = models.CharField("DRL source", max_length=300, blank=True)
    paediatric_method = models.CharField(max_length=12, choices=PaediatricMethod.choices, default=PaediatricMethod.NONE)
    paediatric_indication = models.CharField(
        max_length=80, blank=True, help_text="Card row, where the card has several"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Prescription(AuditedModel):
    """What an authorised physician prescribed for one patient, and where it stands."""

    class Status(models.TextChoices):
        PRESCRIBED = "prescribed", "Prescribed"
        MEASURED = "measured", "Dose measured"
        CHECKED = "checked", "Checks passed"
        ADMINISTERED = "administered", "Administered"
        CANCELLED = "cancelled", "Cancelled"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="prescriptions")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT)
    scheduled_for = models.DateTimeField()
    weight_kg = models.FloatField(null=True, blank=True)
    protocol_activity_Bq = models.FloatField(help_text="What the protocol rule gives")
    activity_rule = models.TextField(help_text="How the protocol activity was computed, with its source")
    prescribed_activity_Bq = models.FloatField()
    override_reason = models.TextField(blank=True)
    override_signature = models.ForeignKey(
        "core.Signature",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The prescriber's e-signature over an activity far above the protocol",
    )
    prescribed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PRESCRIBED)

    SIGNATURE_EXCLUDED_FIELDS = ("override_signature_id",)

    class Meta:
        ordering = ["scheduled_for"]
        # the worklist (one day) and the prescription list (newest first) filter and sort on the schedule;
        # the dashboard counts and the status filter read the few open prescriptions among a million closed
        indexes = [
            models.Index(fields=["scheduled_for", "id"], name="prescription_scheduled_idx"),
            models.Index(fields=["status", "scheduled_for"], name="prescription_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.protocol} for {self.patient}"


class DoseMeasurement(AuditedModel):
    """An activity-meter reading of the syringe before injection, and the residual after."""

    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT, related_name="measurements")
    activity_meter = models.ForeignKey("equipment.Equipment", on_delete=models.PROTECT, related_name="+")
    measured_activity_Bq = models.FloatField()
    measured_at = models.DateTimeField()
    residual_activity_Bq = models.FloatField(null=True, blank=True)
    residual_measured_at = models.DateTimeField(null=True, blank=True)
    measured_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["measured_at"]


class SafetyCheck(AuditedModel):
    """One check before administration, with who answered and, if it failed, any override."""

    class Kind(models.TextChoices):
        IDENTITY = "identity", "Patient identity (two identifiers)"
        PREGNANCY = "pregnancy", "Pregnancy"
        BREASTFEEDING = "breastfeeding", "Breast-feeding"
        ALLERGY = "allergy", "Allergies / previous reactions"
        RADIOPHARMACEUTICAL = "radiopharmaceutical", "Right radiopharmaceutical"
        ACTIVITY = "activity", "Activity within tolerance"
        MEASUREMENT_DAY = "measurement_day", "Dose measured on the day of injection"
        METER_QC = "meter_qc", "Activity meter QC in date"

    class Outcome(models.TextChoices):
        PASS = "pass", "Pass"
        FAIL = "fail", "Fail"
        NOT_APPLICABLE = "n/a", "Not applicable"

    SIGNATURE_EXCLUDED_FIELDS = ("override_signature_id",)

    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT, related_name="checks")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    message = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_reason = models.TextField(blank=True)
    override_signature = models.ForeignKey("core.Signature", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["created_at"]

    @property
    def blocks(self) -> bool:
        return self.outcome == self.Outcome.FAIL and self.overridden_by_id is None


class Administration(AuditedModel):
    Route = Route

    prescription = models.OneToOneField(Prescription, on_delete=models.PROTECT, related_name="administration")
    administered_at = models.DateTimeField()
    route = models.CharField(max_length=20, choices=Route.choices)
    site = models.CharField(max_length=120, blank=True)
    administered_activity_Bq = models.FloatField(help_text="Net activity, decay-corrected to the injection time")
    administered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    extravasation = models.BooleanField(default=False)
    extravasation_follow_up = models.TextField(blank=True)
    adverse_reaction = models.TextField(blank=True)
    effective_dose_mSv = models.FloatField(null=True, blank=True)
    dose_basis = models.JSONField(default=dict, blank=True, help_text="Coefficient, age group, edition, source, status")
    organ_doses = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-administered_at"]
        # the DRL audit selects a period of administrations
        indexes = [models.Index(fields=["administered_at"], name="administration_at_idx")]

    def __str__(self) -> str:
        return f"{self.prescription} at {self.administered_at:%Y-%m-%d %H:%M}"


class MedicalEvent(AuditedModel):
    """An administration that met the active jurisdiction's reporting criteria."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REPORTED = "reported", "Reported"
        CLOSED = "closed", "Closed"

    administration = models.ForeignKey(Administration, on_delete=models.PROTECT, related_name="medical_events")
    profile = models.CharField(max_length=32)
    criteria = models.JSONField(default=list)
    reporting_steps = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    detected_at = models.DateTimeField()
    notes = models.TextField(blank=True, help_text="Report references, findings, corrective actions")

    class Meta:
        ordering = ["-detected_at"]
        indexes = [models.Index(fields=["detected_at", "id"], name="medical_event_detected_idx")]


class ImportedDoseReport(AuditedModel):
    """An administration reported by another system (an RRDSR received or uploaded)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="imported_doses")
    sop_instance_uid = models.CharField(max_length=64, unique=True)
    administered_at = models.DateTimeField()
    radiopharmaceutical_name = models.CharField(max_length=160)
    catalogue_id = models.CharField(max_length=40, blank=True)
    nuclide = models.CharField(max_length=16)
    administered_activity_Bq = models.FloatField()
    route = models.CharField(max_length=20)
    effective_dose_mSv = models.FloatField(null=True, blank=True)
    effective_dose_method = models.CharField(max_length=200, blank=True)
    institution = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-administered_at"]
