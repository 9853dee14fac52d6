"""Signal receivers that write the audit trail for every audited record and for sign-ins."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save

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


def _role_names(user_ids) -> dict[int, list[str]]:
    """Each user's role (group) names, sorted."""
    User = get_user_model()
    names: dict[int, list[str]] = {pk: [] for pk in user_ids}
    for pk, name in User.groups.through.objects.filter(user_id__in=names).values_list("user_id", "group__name"):
        names[pk].append(name)
    return {pk: sorted(roles) for pk, roles in names.items()}


def _affected_users(instance, action: str, reverse: bool, pk_set) -> list[int]:
    if not reverse:
        return [instance.pk]
    if pk_set is not None:
        return list(pk_set)
    return list(instance.user_set.values_list("pk", flat=True))  # a group cleared of all its users


def _roles_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Audit every change of a user's roles with the role names before and after, wherever it is made
    (the two-person role change, the CLI's createuser, a shell)."""
    if action.startswith("pre_"):
        if current_actor() is None:
            raise MissingActorError("no actor for a change of roles; wrap it in acting_as()")
        instance._nmguard_roles_before = _role_names(_affected_users(instance, action, reverse, pk_set))
        return
    before = getattr(instance, "_nmguard_roles_before", None)
    if before is None:
        return
    del instance._nmguard_roles_before
    after = _role_names(before)
    User = get_user_model()
    for user in User.objects.filter(pk__in=[pk for pk in before if before[pk] != after[pk]]):
        record_event("update", instance=user, before={"roles": before[user.pk]}, after={"roles": after[user.pk]})


def connect() -> None:
    m2m_changed.connect(_roles_changed, sender=get_user_model().groups.through, dispatch_uid="nmguard_audit_roles")
    pre_save.connect(_remember_before, dispatch_uid="nmguard_audit_before")
    post_save.connect(_write_event, dispatch_uid="nmguard_audit_after")
    user_logged_in.connect(_logged_in, dispatch_uid="nmguard_audit_login")
    user_login_failed.connect(_login_failed, dispatch_uid="nmguard_audit_login_failed")
