"""The equipment register: every device whose performance the QC programme looks after."""

from __future__ import annotations

from django.db import models

from nmguard.apps.core.records import AuditedModel


class Equipment(AuditedModel):
    class Kind(models.TextChoices):
        ACTIVITY_METER = "activity_meter", "Activity meter (dose calibrator)"
        GAMMA_CAMERA = "gamma_camera", "Gamma camera"
        SPECT_CT = "spect_ct", "SPECT/CT"
        PET_CT = "pet_ct", "PET/CT"
        UPTAKE_PROBE = "uptake_probe", "Thyroid uptake probe"
        WELL_COUNTER = "well_counter", "Well counter"
        SURVEY_METER = "survey_meter", "Survey meter"
        CONTAMINATION_MONITOR = "contamination_monitor", "Contamination monitor"

    class Status(models.TextChoices):
        CLINICAL = "clinical", "Clinical use"
        RESTRICTED = "restricted", "Restricted use"
        OUT_OF_SERVICE = "out_of_service", "Out of service"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    manufacturer = models.CharField(max_length=120, blank=True)
    model_name = models.CharField(max_length=120, blank=True)
    serial_number = models.CharField(max_length=120, blank=True)
    location = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CLINICAL)
    # Until the QC programme (issue 4) computes it, the date up to which the device's QC is valid
    # is a stored value that the physicist maintains.
    qc_valid_until = models.DateField(null=True, blank=True, help_text="QC in date up to and including this day")

    class Meta:
        verbose_name_plural = "equipment"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clinical_use_refusal(self, on_day) -> str | None:
        """Why the device may not be used clinically on ``on_day``, or None when it may."""
        if self.status != self.Status.CLINICAL:
            return f"{self.name} is {self.get_status_display().lower()}"
        if self.qc_valid_until is None:
            return f"{self.name} has no QC on record"
        if self.qc_valid_until < on_day:
            return f"{self.name}: QC overdue since {self.qc_valid_until:%Y-%m-%d}"
        return None
