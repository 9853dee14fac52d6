"""E-signatures: re-authenticate, then bind signer, meaning and time to a hash of the record.

A later change to the signed record changes its hash, so :func:`signature_still_valid` tells
whether what was signed is still what is stored (21 CFR Part 11 / EU GMP Annex 11 style).
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from nmguard.apps.core.audit import record_event, snapshot
from nmguard.apps.core.models import Signature
from nmguard.errors import InputError
from nmguard.integrity.hashchain import canonical_json, sha256_hex

_VOLATILE = {"updated_at"}  # touched by every save; not part of what is signed


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


def reauthenticate(signer, password: str, instance: models.Model, meaning: str) -> None:
    """Check the signer's password; a failure is audited (call it outside a transaction that a
    failure would roll back, or the failed attempt is not kept)."""
    if meaning not in Signature.Meaning.values:
        raise SignatureError(f"unknown signature meaning {meaning!r}", field="meaning")
    if not (signer.is_active and signer.check_password(password)):
        record_event("sign_failed", instance=instance, actor=signer, reason=f"re-authentication failed ({meaning})")
        raise SignatureError("the password does not match the signer's account", field="password")


def sign(instance: models.Model, signer, password: str, meaning: str, statement: str = "") -> Signature:
    """Sign ``instance`` as ``signer`` after checking ``password``; audited either way."""
    if instance.pk is None:
        raise SignatureError("a record must be saved before it is signed", field="record")
    reauthenticate(signer, password, instance, meaning)
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
