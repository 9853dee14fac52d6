"""Audits: checklists as data, audit runs with their answers and evidence, findings; clinical audits.

Writes need ``quality.change_audit`` (the quality manager, the administrator); every role views. A finalised
audit is signed ("approved") and read-only from then on."""

from __future__ import annotations

from django.apps import apps as django_apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.text import capfirst

from nmguard.apps.core.records import AuditedModel


class AuditChecklist(AuditedModel):
    """One version of a checklist (shipped or imported), stored whole so that old audits keep their items."""

    key = models.CharField(max_length=60)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    definition = models.JSONField(help_text="The checklist's plain form (reference.audit_checklists.to_dict)")
    origin = models.CharField(max_length=200, help_text="Shipped with NMGuard, or the imported file's name")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["key", "version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="quality_checklist_key_version")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class Audit(AuditedModel):
    """One run of a checklist: a self-assessment or an external audit on a day, by named auditors."""

    SIGNATURE_EXCLUDED_FIELDS = ("signature_id",)

    class Mode(models.TextChoices):
        SELF = "self", "Self-assessment"
        EXTERNAL = "external", "External audit"

    class Status(models.TextChoices):
        DRAFT = "draft", "In progress"
        FINAL = "final", "Finalised (signed)"

    checklist = models.ForeignKey(AuditChecklist, on_delete=models.PROTECT, related_name="audits")
    mode = models.CharField(max_length=10, choices=Mode.choices)
    audited_on = models.DateField()
    auditors = models.CharField(max_length=300)
    scope = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signature = models.ForeignKey("core.Signature", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-audited_on", "-pk"]

    def __str__(self) -> str:
        return f"AUD-{self.pk}: {self.checklist.title}, {self.get_mode_display()} {self.audited_on}"

    @property
    def reference(self) -> str:
        return f"AUD-{self.pk}"


class AuditAnswer(AuditedModel):
    """The level of conformance given to one item (None: not applicable), with the auditor's comment."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="answers")
    item_id = models.CharField(max_length=20)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["audit", "pk"]
        constraints = [models.UniqueConstraint(fields=["audit", "item_id"], name="quality_answer_audit_item")]


class AuditEvidence(AuditedModel):
    """A record of NMGuard shown as evidence for an answer, linked by (model label, key, label) so that the
    audits do not depend on the parts that hold the records."""

    answer = models.ForeignKey(AuditAnswer, on_delete=models.PROTECT, related_name="evidence")
    model_label = models.CharField(max_length=100)
    object_pk = models.CharField(max_length=64)
    label = models.CharField(max_length=300)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    # the page that shows each kind of evidence (a training record has none of its own)
    PAGES = {
        "equipment.QCResult": "qc-result",
        "radiopharmacy.Batch": "hotlab-batch",
        "quality.ControlledDocument": "quality-document",
        "quality.CorrectiveAction": "quality-action",
    }

    class Meta:
        ordering = ["answer", "pk"]

    def display_name(self) -> str:
        """What a reader calls the record ("Batch: MDP-261206-1 …"), not its model label and key."""
        try:
            kind = capfirst(django_apps.get_model(self.model_label)._meta.verbose_name)
        except LookupError:  # the part that held it is no longer installed: say what was stored
            kind = self.model_label
        return f"{kind}: {self.label}"

    def get_absolute_url(self) -> str:
        page = self.PAGES.get(self.model_label)
        return reverse(page, args=[int(self.object_pk)]) if page and self.object_pk.isdigit() else ""


class AuditFinding(AuditedModel):
    """An item answered below the checklist's level, or an auditor's note, turned into a corrective action."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="findings")
    item_id = models.CharField(max_length=20, blank=True, help_text="Empty for an auditor's note")
    note = models.TextField()
    action = models.ForeignKey(
        "quality.CorrectiveAction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["audit", "pk"]


class ClinicalAudit(AuditedModel):
    """A criterion measured over a period from NMGuard's own records against a standard (target %); a re-audit
    points at the audit it repeats, so the loop is shown side by side."""

    criterion = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    standard_percent = models.FloatField()
    period_start = models.DateField()
    period_end = models.DateField()
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()
    measured_percent = models.FloatField(null=True, blank=True)
    definition = models.TextField(help_text="The query's definition, as shown on the page")
    details = models.JSONField(default=list, blank=True, help_text="Per-group counts and the records not met")
    re_audit_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="re_audits")
    notes = models.TextField(blank=True)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-period_end", "-pk"]

    def __str__(self) -> str:
        return f"CA-{self.pk}: {self.title} {self.period_start}–{self.period_end}"

    @property
    def met(self) -> bool | None:
        return None if self.measured_percent is None else self.measured_percent >= self.standard_percent
