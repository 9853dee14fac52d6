"""Therapy courses: a protocol of cycles, eligibility before each cycle, organ doses per cycle."""

from __future__ import annotations

from django.db import models

from nmguard.apps.core.records import AuditedModel


class TherapyProtocol(AuditedModel):
    """E.g. 177Lu-PSMA-617 7.4 GBq every 6 weeks × 6, with eligibility criteria and organ constraints.

    ``criteria``: [{"quantity", "comparator", "threshold", "unit", "source"}];
    ``constraints``: [{"organ", "limit_Gy", "source"}] — the department's, each with its cited source.
    """

    name = models.CharField(max_length=160, unique=True)
    radiopharmaceutical = models.ForeignKey("radiopharmacy.Radiopharmaceutical", on_delete=models.PROTECT)
    activity_per_cycle_Bq = models.FloatField()
    interval_days = models.PositiveIntegerField()
    cycles = models.PositiveIntegerField()
    criteria = models.JSONField(default=list, blank=True)
    constraints = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return self.name


class TherapyCourse(AuditedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="therapy_courses")
    protocol = models.ForeignKey(TherapyProtocol, on_delete=models.PROTECT)
    started_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["-started_on"]
        indexes = [models.Index(fields=["started_on", "id"], name="therapy_course_started_idx")]

    def __str__(self) -> str:
        return f"{self.protocol} for {self.patient}"


class TherapyCycle(AuditedModel):
    course = models.ForeignKey(TherapyCourse, on_delete=models.PROTECT, related_name="cycle_records")
    number = models.PositiveIntegerField()
    planned_on = models.DateField()
    eligibility = models.JSONField(default=dict, blank=True)
    administration = models.ForeignKey("patients.Administration", null=True, blank=True, on_delete=models.PROTECT)
    organ_doses_Gy = models.JSONField(
        default=dict, blank=True, help_text="organ → absorbed dose of this cycle (the current dose record's)"
    )
    dose_method = models.CharField(max_length=200, blank=True, help_text="Label dosimetry, or the dosimetry run")

    class Meta:
        ordering = ["course", "number"]
        constraints = [models.UniqueConstraint(fields=["course", "number"], name="one_cycle_number_per_course")]


class CycleDoseRecord(AuditedModel):
    """One recording of a cycle's organ doses. A later recording supersedes it (with its reason); none is
    overwritten or deleted, so the course page can show what was recorded before and why it was replaced.

    From a dosimetry run, ``voi_mapping`` keeps each VOI's dose, mass and the organ the user confirmed, and
    ``study_check`` the patient and date comparison as it was shown; a mismatch accepted by the user carries
    ``mismatch_reason`` and an e-signature (``override_signature``).
    """

    SIGNATURE_EXCLUDED_FIELDS = ("override_signature_id", "superseded_by_id")

    cycle = models.ForeignKey(TherapyCycle, on_delete=models.PROTECT, related_name="dose_records")
    organ_doses_Gy = models.JSONField(help_text="organ → absorbed dose (Gy)")
    method = models.CharField(max_length=200)
    job = models.ForeignKey("DosimetryJob", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    voi_mapping = models.JSONField(default=list, blank=True, help_text="[{voi, organ, mean_Gy, mass_g}]")
    study_check = models.JSONField(default=dict, blank=True, help_text="study patient and dates vs the cycle")
    reason = models.TextField(blank=True, help_text="why this recording supersedes the earlier one")
    mismatch_reason = models.TextField(blank=True)
    override_signature = models.ForeignKey("core.Signature", null=True, blank=True, on_delete=models.PROTECT)
    recorded_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="empty only for doses recorded before dose records existed",
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )

    class Meta:
        ordering = ["cycle", "-created_at", "-pk"]

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None


class DosimetryJob(AuditedModel):
    """One dosimetry run (or, ``kind`` sirt, one Y-90 microsphere plan) on a stored DICOM study: queued, run
    by a worker with progress, then final or failed.

    The inputs are copied under the data folder and their SHA-256 kept, the options hold every method
    choice, and ``result`` holds the exchange document (with the software and reference-data versions),
    so a re-run on the same inputs and options gives the same numbers. ``result`` and the output files
    exist only for a succeeded job: a failed run stores its message and nothing that looks final.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        DOSIMETRY = "dosimetry", "Dosimetry run"
        SIRT = "sirt", "Y-90 microsphere plan"

    title = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        default=Kind.DOSIMETRY,
        help_text="dosimetry: run_dosimetry on time points; sirt: a Y-90 microsphere plan from an MAA SPECT/CT",
    )
    cycle = models.ForeignKey(
        TherapyCycle, null=True, blank=True, on_delete=models.PROTECT, related_name="dosimetry_jobs"
    )
    input_dir = models.CharField(max_length=500)
    input_sha256 = models.CharField(max_length=64)
    options = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0)
    step = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    output_dir = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    rerun_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reruns")
    worker = models.CharField(max_length=120, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # the running attempt's lease: renewed by the worker every few seconds; a job whose heartbeat is older than
    # the lease was abandoned (kill -9, power cut) and goes back to the queue, up to the attempt limit
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        what = "SIRT plan job" if self.kind == self.Kind.SIRT else "Dosimetry job"
        return f"{what} {self.pk}: {self.title}"

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


from nmguard.apps.therapy.release_models import ReleaseDecision  # noqa: E402, F401
