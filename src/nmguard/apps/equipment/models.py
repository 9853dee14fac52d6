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
    locked_by_qc = models.BooleanField(default=False, help_text="Taken out of use by an action-level QC result")

    class Meta:
        verbose_name_plural = "equipment"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clinical_use_refusal(self, on_day) -> str | None:
        """Why the device may not be used clinically on ``on_day``, or None when it may.

        The QC part is the QC programme's own verdict (the same facts as the QC pages), so that the
        register, the day's QC list and the administration path never disagree.
        """
        from nmguard.apps.equipment import qc_services

        if self.status != self.Status.CLINICAL:
            if self.locked_by_qc:
                return f"{self.name} is {self.get_status_display().lower()} after an action-level QC result" + (
                    " (passed again: awaiting a physicist's return to service)"
                    if qc_services.eligible_for_return(self)
                    else ""
                )
            return f"{self.name} is {self.get_status_display().lower()}"
        if qc_services.active_exemption(self, on_day):
            return f"{self.name} is marked not in use on {on_day:%Y-%m-%d}"
        return qc_services.qc_refusal(self, on_day)


class CheckSource(AuditedModel):
    """A long-lived reference source used for constancy checks (e.g. Cs-137, Co-57, Ba-133)."""

    name = models.CharField(max_length=120, unique=True)
    nuclide = models.CharField(max_length=16)
    serial_number = models.CharField(max_length=120, blank=True)
    certified_activity_Bq = models.FloatField()
    certified_at = models.DateTimeField()
    certificate = models.CharField(max_length=200, blank=True, help_text="Calibration certificate reference")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.nuclide})"


class QCTest(AuditedModel):
    """A test of the department's QC programme, from the reference catalogue; bands may be adjusted
    by the department with a reason (audited)."""

    catalogue_id = models.CharField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    frequency = models.CharField(max_length=20)
    tolerance_low = models.FloatField(null=True, blank=True)
    tolerance_high = models.FloatField(null=True, blank=True)
    action_low = models.FloatField(null=True, blank=True)
    action_high = models.FloatField(null=True, blank=True)
    bands_adjusted_reason = models.TextField(
        blank=True, help_text="Why the department's bands differ from the catalogue"
    )
    window_days = models.PositiveIntegerField(
        default=0, help_text="Grace days after the due date before the test is overdue"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "QC test"

    def __str__(self) -> str:
        return self.name


class QCSchedule(AuditedModel):
    """Which test is due on which device, how often."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="qc_schedules")
    test = models.ForeignKey(QCTest, on_delete=models.PROTECT, related_name="schedules")
    frequency = models.CharField(max_length=20, blank=True, help_text="Empty: the test's frequency")
    check_source = models.ForeignKey(CheckSource, null=True, blank=True, on_delete=models.PROTECT)
    nuclide_setting = models.CharField(max_length=16, blank=True, help_text="Activity-meter setting used")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["equipment__name", "test__name"]
        constraints = [models.UniqueConstraint(fields=["equipment", "test"], name="one_schedule_per_device_test")]
        verbose_name = "QC schedule"

    def __str__(self) -> str:
        return f"{self.test} on {self.equipment}"

    @property
    def effective_frequency(self) -> str:
        return self.frequency or self.test.frequency


class QCExemption(AuditedModel):
    """ "Not in use today": a device not used clinically on a day needs no QC that day.

    Undone by withdrawing it (who, when, why are kept); at most one mark in force per device and day.
    """

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="qc_exemptions")
    day = models.DateField()
    reason = models.CharField(max_length=200)
    marked_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawal_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["equipment", "day"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_exemption_in_force_per_day",
            )
        ]
        verbose_name = "QC exemption"


class QCResult(AuditedModel):
    """One performance of a scheduled test: the value, the evaluation, and the physicist's review."""

    class Outcome(models.TextChoices):
        OK = "ok", "Within tolerance"
        TOLERANCE = "tolerance", "Outside tolerance (watch)"
        ACTION = "action", "Action level: remove from clinical use"

    schedule = models.ForeignKey(QCSchedule, on_delete=models.PROTECT, related_name="results")
    performed_at = models.DateTimeField()
    performed_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    value = models.FloatField(help_text="The evaluated quantity (e.g. deviation %, integral uniformity %)")
    unit = models.CharField(max_length=20, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    evaluation = models.JSONField(default=dict, help_text="Bands, deviation, source and status that decided")
    analysis = models.JSONField(default=dict, help_text="The full analysis result: inputs, parameters, numbers")
    figure_svg = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    approved_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approval = models.ForeignKey("core.Signature", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    SIGNATURE_EXCLUDED_FIELDS = ("approved_by_id", "approval_id")

    class Meta:
        ordering = ["-performed_at"]
        verbose_name = "QC result"
        # the QC results list sorts newest first
        indexes = [models.Index(fields=["performed_at", "id"], name="qc_result_performed_idx")]


class ServiceLogEntry(AuditedModel):
    """Service, repair, acceptance and maintenance work on a device."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", "Acceptance testing"
        REPAIR = "repair", "Repair"
        MAINTENANCE = "maintenance", "Preventive maintenance"
        SOFTWARE = "software", "Software change"
        OTHER = "other", "Other"

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="service_log")
    performed_on = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    description = models.TextField()
    performed_by = models.CharField(max_length=160, help_text="Engineer or company")

    class Meta:
        ordering = ["-performed_on"]
        verbose_name_plural = "service log entries"
