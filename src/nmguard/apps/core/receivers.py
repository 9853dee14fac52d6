"""Signal receivers that write the audit trail for every audited record and for sign-ins."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save, pre_save

from nmguard.apps.core.actor import MissingActorError, current_actor
from nmguard.apps.core.audit import record_event, snapshot
from nmguard.apps.core.records import AuditedModel


def _is_audited(sender: type) -> bool:
    return issubclass(sender, AuditedModel) or sender is get_user_model()


def _only_last_login(update_fields) -> bool:
    return update_fields is not None and set(update_fields) <= {"last_login"}


def _remember_before(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or not _is_audited(sender) or _only_last_login(update_fields):
        return
    if current_actor() is None:
        # refuse before anything is written: every change names who made it
        raise MissingActorError(f"no actor for a change of {sender._meta.label}; wrap it in acting_as()")
    previous = None
    if instance.pk is not None:
        previous = sender._default_manager.filter(pk=instance.pk).first()
    instance._nmguard_before = snapshot(previous) if previous is not None else None


def _write_event(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    if raw or not _is_audited(sender):
        return
    if _only_last_login(update_fields):
        return  # sign-ins are audited by _logged_in, not as record updates
    before = getattr(instance, "_nmguard_before", None)
    after = snapshot(instance)
    if not created and before == after:
        return
    record_event("create" if created else "update", instance=instance, before=before, after=after)


def _logged_in(sender, request, user, **kwargs) -> None:
    record_event("login", instance=user, actor=user)


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    record_event("login_failed", actor_username=username or "<anonymous>", reason="sign-in failed")


def connect() -> None:
    pre_save.connect(_remember_before, dispatch_uid="nmguard_audit_before")
    post_save.connect(_write_event, dispatch_uid="nmguard_audit_after")
    user_logged_in.connect(_logged_in, dispatch_uid="nmguard_audit_login")
    user_login_failed.connect(_login_failed, dispatch_uid="nmguard_audit_login_failed")
