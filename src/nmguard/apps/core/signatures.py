"""E-signatures: re-authenticate, then bind signer, meaning and time to a hash of the record.

A later change to the signed record changes its hash, so :func:`signature_still_valid` tells
whether what was signed is still what is stored (21 CFR Part 11 / EU GMP Annex 11 style).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from nmguard.apps.core.audit import record_event, snapshot
from nmguard.apps.core.models import AuditEvent, Signature
from nmguard.errors import InputError
from nmguard.integrity.hashchain import canonical_json, sha256_hex

_VOLATILE = {"updated_at"}  # touched by every save; not part of what is signed

# The reason of a wrong-password event: the throttle counts these (and not the refusals below).
WRONG_PASSWORD = "re-authentication failed"
ADMIN_SET_PASSWORD = "this password was set by an administrator; change it before signing"
# Sign-in's numbers (django-axes) when the settings do not give them: 5 failures, 15 minutes.
DEFAULT_FAILURE_LIMIT = 5
DEFAULT_COOLOFF = dt.timedelta(minutes=15)


class SignatureError(InputError):
    """The signature was refused (wrong password, inactive user, unknown meaning)."""


def record_hash(instance: models.Model) -> str:
    """SHA-256 over the record's label, key and field values.

    A model may name fields that link to its own signatures in ``SIGNATURE_EXCLUDED_FIELDS``
    (attnames): storing the link after signing must not look like a change of what was signed.
    """
    excluded = _VOLATILE | set(getattr(instance, "SIGNATURE_EXCLUDED_FIELDS", ()))
    values = {k: v for k, v in snapshot(instance).items() if k not in excluded}
    return sha256_hex(canonical_json({"model": instance._meta.label, "pk": str(instance.pk), "fields": values}))


def failure_limit() -> int:
    """Wrong passwords allowed within the cool-off window: sign-in's ``AXES_FAILURE_LIMIT``."""
    return int(getattr(settings, "AXES_FAILURE_LIMIT", DEFAULT_FAILURE_LIMIT))


def cooloff() -> dt.timedelta:
    """Sign-in's ``AXES_COOLOFF_TIME`` (hours as a number, or a timedelta); 15 minutes otherwise."""
    value = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return dt.timedelta(hours=value)
    return DEFAULT_COOLOFF


def signing_locked_until(signer) -> dt.datetime | None:
    """When ``signer`` may sign again after too many wrong passwords, or None when not locked.

    Counted from the audit trail: the wrong-password ``sign_failed`` events of this signer within the
    cool-off window and after their last signature (a signature resets the count, as a sign-in does with
    ``AXES_RESET_ON_SUCCESS``). The lock lasts until the oldest of the last ``limit`` failures leaves
    the window.
    """
    limit = failure_limit()
    if limit <= 0 or signer.pk is None:
        return None
    window = cooloff()
    now = timezone.now()
    failures = AuditEvent.objects.filter(
        actor=signer, action=AuditEvent.Action.SIGN_FAILED, reason__startswith=WRONG_PASSWORD, at__gt=now - window
    )
    last_signed = (
        AuditEvent.objects.filter(actor=signer, action=AuditEvent.Action.SIGN).order_by("-seq").values("seq").first()
    )
    if last_signed:
        failures = failures.filter(seq__gt=last_signed["seq"])
    recent = list(failures.order_by("-seq").values_list("at", flat=True)[:limit])
    if len(recent) < limit:
        return None
    return recent[-1] + window


def reauthenticate(signer, password: str, instance: models.Model, meaning: str) -> None:
    """Check the signer's password; a failure is audited (call it outside a transaction that a
    failure would roll back, or the failed attempt is not kept).

    Refused without looking at the password while the signer is locked after too many wrong ones, and
    while the password is one that an administrator set (someone else knows it).
    """
    if meaning not in Signature.Meaning.values:
        raise SignatureError(f"unknown signature meaning {meaning!r}", field="meaning")
    locked_until = signing_locked_until(signer)
    if locked_until is not None:
        local = timezone.localtime(locked_until)
        message = (
            f"e-signatures by {signer} are locked after {failure_limit()} wrong passwords; "
            f"try again after {local:%Y-%m-%d %H:%M:%S} ({local.tzname()})"
        )
        record_event("refused", instance=instance, actor=signer, reason=message)
        raise SignatureError(message, field="password")
    if getattr(signer, "must_change_password", False):
        record_event("sign_failed", instance=instance, actor=signer, reason=f"{ADMIN_SET_PASSWORD} ({meaning})")
        raise SignatureError(ADMIN_SET_PASSWORD, field="password")
    if not (signer.is_active and signer.check_password(password)):
        record_event("sign_failed", instance=instance, actor=signer, reason=f"{WRONG_PASSWORD} ({meaning})")
        raise SignatureError("the password does not match the signer's account", field="password")


def sign(instance: models.Model, signer, password: str, meaning: str, statement: str = "") -> Signature:
    """Sign ``instance`` as ``signer`` after checking ``password``; audited either way."""
    if instance.pk is None:
        raise SignatureError("a record must be saved before it is signed", field="record")
    reauthenticate(signer, password, instance, meaning)
    return record_signature(instance, signer, meaning, statement)


def record_signature(instance: models.Model, signer, meaning: str, statement: str = "") -> Signature:
    """Store and audit the signature of a signer who has just re-authenticated (:func:`reauthenticate`).

    Separate from :func:`sign` so that a workflow can re-authenticate outside its transaction (a failure
    stays in the trail) and then sign and apply in one transaction.
    """
    with transaction.atomic():
        signature = Signature.objects.create(
            signer=signer,
            signer_name=str(signer),
            meaning=meaning,
            signed_at=timezone.now(),
            model_label=instance._meta.label,
            object_id=str(instance.pk),
            record_hash=record_hash(instance),
            statement=statement,
        )
        record_event(
            "sign",
            instance=instance,
            actor=signer,
            after={"meaning": meaning, "record_hash": signature.record_hash, "signature_id": str(signature.pk)},
            reason=statement,
        )
    return signature


def signatures_for(instance: models.Model) -> models.QuerySet[Signature]:
    return Signature.objects.filter(model_label=instance._meta.label, object_id=str(instance.pk))


def signature_still_valid(signature: Signature, instance: models.Model) -> bool:
    """True while the record is unchanged since it was signed."""
    return signature.record_hash == record_hash(instance)
