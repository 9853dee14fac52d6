"""Workplace monitoring records: instruments, survey locations and schedules, surveys, wipe tests and
decontamination follow-up.

The arithmetic (wipe counts to Bq/cm², the detection limit, due dates) is :mod:`nmguard.protection.surveys`;
the levels are :mod:`nmguard.reference.workplace_monitoring`; the rules of what may be recorded are
:mod:`nmguard.apps.protection.survey_services`. These models store the inputs and what was judged, with the
level and its source at the time, so a later change of the data does not rewrite an old result.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from nmguard.apps.core.records import AuditedModel


class Instrument(AuditedModel):
    """A survey meter, contamination monitor or wipe/well counter, with its calibration and efficiencies."""

    class Kind(models.TextChoices):
        DOSE_RATE_METER = "dose_rate_meter", "Dose-rate meter"
        CONTAMINATION_MONITOR = "contamination_monitor", "Contamination monitor"
        WIPE_COUNTER = "wipe_counter", "Well / wipe counter"

    class Status(models.TextChoices):
        IN_SERVICE = "in_service", "In service"
        OUT_OF_SERVICE = "out_of_service", "Out of service"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    serial = models.CharField(max_length=80, unique=True)
    calibrated_on = models.DateField()
    calibration_due = models.DateField()
    reads_background = models.BooleanField(
        default=False, help_text="A background reading is taken with every survey and subtracted"
    )
    check_reference = models.FloatField(null=True, blank=True, help_text="Check-source reference reading")
    check_unit = models.CharField(max_length=20, blank=True)
    efficiencies = models.JSONField(default=dict, blank=True, help_text="Counters: {nuclide: counts per decay}")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_SERVICE)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.serial})"


class ConstancyCheck(AuditedModel):
    """A check-source reading against the instrument's reference, within the tolerance of the day."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="constancy_checks")
    checked_on = models.DateField()
    reading = models.FloatField()
    reference = models.FloatField()
    tolerance = models.FloatField(help_text="Fraction of the reference")
    passed = models.BooleanField()
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-checked_on", "-pk"]


class SurveyLocation(AuditedModel):
    """A place surveyed on a schedule: what kind of area, what kind of survey, how often."""

    class AreaKind(models.TextChoices):
        CONTROLLED = "controlled", "Controlled area"
        SUPERVISED = "supervised", "Supervised area"
        PUBLIC = "public", "Public area"

    class SurveyKind(models.TextChoices):
        DOSE_RATE = "dose_rate", "Dose rate"
        CONTAMINATION = "contamination", "Contamination (direct probe)"
        WIPE = "wipe", "Wipe test"

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"

    name = models.CharField(max_length=120, unique=True)
    area_kind = models.CharField(max_length=12, choices=AreaKind.choices)
    survey_kind = models.CharField(max_length=16, choices=SurveyKind.choices)
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    nuclide = models.CharField(max_length=16, blank=True, help_text="The nuclide handled there (wipe tests)")
    first_due = models.DateField()
    action_level_override = models.FloatField(null=True, blank=True, help_text="µSv/h or Bq/cm², with a reason")
    override_reason = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Survey(AuditedModel):
    """A dose-rate or direct contamination survey at a location: the readings and the judgement."""

    location = models.ForeignKey(SurveyLocation, on_delete=models.PROTECT, related_name="surveys")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="surveys")
    performed_at = models.DateTimeField()
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    readings = models.JSONField(default=list, help_text="Gross readings, µSv/h or Bq/cm²")
    background = models.FloatField(null=True, blank=True)
    net_max = models.FloatField()
    unit = models.CharField(max_length=8)
    action_level = models.FloatField()
    level_source = models.CharField(max_length=300)
    above_action_level = models.BooleanField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-performed_at", "-pk"]


class WipeTest(AuditedModel):
    """A wipe counted in a counter: counts and times, the result in Bq/cm² and its MDA."""

    location = models.ForeignKey(SurveyLocation, on_delete=models.PROTECT, related_name="wipe_tests")
    counter = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="wipe_tests")
    nuclide = models.CharField(max_length=16)
    performed_at = models.DateTimeField()
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    gross_counts = models.FloatField()
    gross_time_s = models.FloatField()
    background_counts = models.FloatField()
    background_time_s = models.FloatField()
    area_cm2 = models.FloatField()
    efficiency = models.FloatField()
    removal_fraction = models.FloatField()
    activity_Bq_cm2 = models.FloatField()
    mda_Bq_cm2 = models.FloatField()
    below_mda = models.BooleanField()
    action_level = models.FloatField()
    level_source = models.CharField(max_length=300)
    above_action_level = models.BooleanField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-performed_at", "-pk"]

    @property
    def shown(self) -> str:
        return f"< MDA ({self.mda_Bq_cm2:.3g})" if self.below_mda else f"{self.activity_Bq_cm2:.3g}"


class FollowUp(AuditedModel):
    """Decontamination follow-up of a result above the action level: the action taken and the re-survey
    that closes it (closed only when a re-survey after the action is below the level)."""

    location = models.ForeignKey(SurveyLocation, on_delete=models.PROTECT, related_name="follow_ups")
    survey = models.OneToOneField(Survey, null=True, blank=True, on_delete=models.PROTECT, related_name="follow_up")
    wipe = models.OneToOneField(WipeTest, null=True, blank=True, on_delete=models.PROTECT, related_name="follow_up")
    action_taken = models.TextField(blank=True)
    action_at = models.DateTimeField(null=True, blank=True)
    resurvey = models.ForeignKey(Survey, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rewipe = models.ForeignKey(WipeTest, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
