"""Document control (SOPs, protocols: versions, reviews, approval, read-and-acknowledge) and peer review of reports.

These models only store; the rules (only the quality manager approves, one current version per document, what a
reader is fed back) are in :mod:`nmguard.apps.quality.document_services` and
:mod:`nmguard.apps.quality.peer_review_services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from nmguard.apps.core.records import AuditedModel


class ControlledDocument(AuditedModel):
    """An SOP or a protocol: its number, title, the task it is used for and the roles it applies to."""

    class Kind(models.TextChoices):
        SOP = "sop", "Standard operating procedure"
        PROTOCOL = "protocol", "Protocol"

    number = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SOP)
    task = models.SlugField(
        max_length=64, blank=True, db_index=True, help_text="The task it governs, e.g. hotlab-batch, qc-entry"
    )
    applies_to = models.JSONField(default=list, blank=True, help_text="Role names of the staff who must read it")
    review_interval_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty: the policy's interval (peer_review.toml)"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class DocumentVersion(AuditedModel):
    """One version: a draft until the quality manager approves it by e-signature; then current, and the version
    it replaces superseded. Its text, or the file uploaded (kept in the data folder, named by its SHA-256)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CURRENT = "current", "Current (approved)"
        SUPERSEDED = "superseded", "Superseded"

    document = models.ForeignKey(ControlledDocument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    change_summary = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    authored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approval = models.ForeignKey("core.Signature", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    review_due_on = models.DateField(null=True, blank=True, help_text="Local date the next review is due")
    superseded_at = models.DateTimeField(null=True, blank=True)

    SIGNATURE_EXCLUDED_FIELDS = ("approval_id",)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="quality_docversion_unique_number"),
            models.UniqueConstraint(
                fields=["document"], condition=models.Q(status="current"), name="quality_docversion_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.number} v{self.number}"


class DocumentAcknowledgement(AuditedModel):
    """A member of staff's statement of having read one version (a new version must be acknowledged anew)."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField()

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="quality_ack_once_per_version")]


class PeerReviewSample(AuditedModel):
    """One draw of studies for a second reading: the period, the rate per reader, the seed, what was drawn from
    and what was drawn (so the draw can be repeated and checked)."""

    period_start = models.DateField()
    period_end = models.DateField()
    default_rate = models.FloatField()
    rates = models.JSONField(default=dict, blank=True, help_text="Reader user id (text) -> rate, where not default")
    seed = models.CharField(max_length=64)
    population = models.PositiveIntegerField(help_text="Reported studies in the period")
    drawn_ids = models.JSONField(default=list, help_text="Administration ids drawn")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-period_end", "-pk"]


class PeerReview(AuditedModel):
    """The second reading of one reported study (an administration: NMGuard has no report record; its reader is
    the prescribing physician) and its RADPEER-like score; the reader sees it as feedback."""

    sample = models.ForeignKey(PeerReviewSample, on_delete=models.PROTECT, related_name="reviews")
    administration = models.ForeignKey("patients.Administration", on_delete=models.PROTECT, related_name="+")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    study_on = models.DateField(help_text="Local date of the study")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    score = models.CharField(max_length=4, blank=True)
    comment = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    feedback_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-study_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "administration"], name="quality_peerreview_once_per_sample")
        ]
