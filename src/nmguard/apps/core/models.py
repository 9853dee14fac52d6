"""Core records: users, the department, the audit trail, e-signatures."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords

from nmguard.apps.core.records import AuditedModel
from nmguard.dosimetry.effective_dose import DEFAULT_PUBLICATION, PUBLICATIONS


class User(AbstractUser):
    """A person who signs in. Roles are the groups named in :mod:`nmguard.apps.core.roles`."""

    display_name = models.CharField(max_length=150, blank=True)
    # Set when someone else (an administrator, the CLI) sets the password; cleared when the user changes it.
    # While set, the user is sent to the password change page and may not e-sign: a password that another
    # person knows must not stand for this user's signature.
    must_change_password = models.BooleanField(
        default=False, help_text="The password was set by someone else; it must be changed before signing"
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    def role_names(self) -> list[str]:
        return sorted(self.groups.values_list("name", flat=True))

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Department(AuditedModel):
    """The department this installation serves, and the rules that apply to it."""

    class Jurisdiction(models.TextChoices):
        IAEA = "iaea-gsr3", "IAEA GSR Part 3"
        EURATOM = "euratom-2013-59", "Euratom 2013/59"
        US_NRC = "us-nrc", "US NRC (10 CFR 20 and 35)"

    name = models.CharField(max_length=200)
    institution = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(max_length=64, default="Europe/Vienna")
    jurisdiction = models.CharField(max_length=32, choices=Jurisdiction.choices, default=Jurisdiction.IAEA)
    effective_dose_publication = models.CharField(
        max_length=20,
        choices=[(name, name) for name in PUBLICATIONS],
        default=DEFAULT_PUBLICATION,
        help_text=(
            "The publication whose effective-dose coefficients the department's patient doses follow. "
            f"Default {DEFAULT_PUBLICATION}: the current ICRP compendium. Where the chosen publication has no "
            "value, or only an unverified one, the catalogue's best-sourced value is used and named beside "
            "the dose (e.g. MDP: ICRP 80 0.0057 mSv/MBq)."
        ),
    )

    def __str__(self) -> str:
        return self.name

    @classmethod
    def effective_dose_publication_in_force(cls) -> str:
        """The publication the department's effective doses follow (the default until one is set up)."""
        department = cls.objects.first()
        return department.effective_dose_publication if department else DEFAULT_PUBLICATION


class AuditEvent(models.Model):
    """One append-only, hash-chained entry of the audit trail. Never updated, never deleted."""

    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        SIGN = "sign"
        SIGN_FAILED = "sign_failed"
        LOGIN = "login"
        LOGIN_FAILED = "login_failed"
        DELETE_REFUSED = "delete_refused"
        REFUSED = "refused"

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_username = models.CharField(max_length=150)
    action = models.CharField(max_length=32, choices=Action.choices)
    model_label = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # HMAC of "seq:hash" under the audit key kept outside the database (nmguard.integrity.seal); NULL only
    # for events written before sealing began. Nullable without a default, so that adding it on SQLite is an
    # ALTER TABLE ADD COLUMN and keeps the append-only triggers (a table rebuild would drop them).
    seal = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        permissions = [("verify_audit", "Can verify the audit chain")]
        # a record's history (its page, `audit verify`'s comparison of every record with its audited state)
        # is looked up by object: without it both scan the whole trail
        indexes = [models.Index(fields=["model_label", "object_id", "seq"], name="audit_event_object_idx")]

    def save(self, *args, **kwargs):  # noqa: D401 - append-only
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are never deleted")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.model_label} {self.object_id} by {self.actor_username}"


class AuditHead(models.Model):
    """The chain's last (seq, hash), locked while an event is appended so appends are serial."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)


class Signature(models.Model):
    """An e-signature: who signed which record, meaning what, when, over which record hash."""

    class Meaning(models.TextChoices):
        APPROVED = "approved"
        RELEASED = "released"
        REVIEWED = "reviewed"
        VERIFIED = "verified"
        AUTHORED = "authored"
        REPORTED = "reported"
        CLOSED = "closed"

    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures")
    signer_name = models.CharField(max_length=200)
    meaning = models.CharField(max_length=16, choices=Meaning.choices)
    signed_at = models.DateTimeField()
    model_label = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    record_hash = models.CharField(max_length=64)
    statement = models.TextField(blank=True)

    class Meta:
        ordering = ["-signed_at"]
        indexes = [models.Index(fields=["model_label", "object_id"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("signatures are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("signatures are never deleted")

    def __str__(self) -> str:
        return f"{self.meaning} by {self.signer_name} at {self.signed_at:%Y-%m-%d %H:%M}Z"


class RoleChange(AuditedModel):
    """A request to grant or revoke a role: applied only when a second administrator approves it with an
    e-signature (two-person rule); see :mod:`nmguard.apps.core.role_changes`."""

    class Action(models.TextChoices):
        GRANT = "grant"
        REVOKE = "revoke"

    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"

    # the decision is stored after the signature over the request: not part of what was signed
    SIGNATURE_EXCLUDED_FIELDS = ("status", "decided_by_id", "decided_at", "decision_reason", "signature_id")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_changes")
    role = models.CharField(max_length=32)
    action = models.CharField(max_length=8, choices=Action.choices)
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    signature = models.ForeignKey(Signature, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    @property
    def role_label(self) -> str:
        from nmguard.apps.core.roles import ROLE_LABELS, Role

        return ROLE_LABELS[Role(self.role)] if self.role in Role._value2member_map_ else self.role

    def __str__(self) -> str:
        return f"{self.action} {self.role} to {self.user} ({self.status})"
