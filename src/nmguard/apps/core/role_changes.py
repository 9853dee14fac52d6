"""Granting and revoking roles: the two-person rule.

One administrator requests a change of another user's roles with a reason; a second, different
administrator approves it with an e-signature, and only then is it applied. Nobody requests or
decides a change of their own roles, and the requester never approves their own request. The role
difference itself is audited by the receiver on ``User.groups`` (:mod:`nmguard.apps.core.receivers`),
which also sees changes made anywhere else (the CLI's ``createuser``).
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.guards import require_role
from nmguard.apps.core.models import RoleChange, Signature
from nmguard.apps.core.roles import Role
from nmguard.apps.core.signatures import reauthenticate, record_signature
from nmguard.errors import InputError


def _check_decider(change: RoleChange, admin, *, deciding: bool) -> None:
    require_role(admin, Role.ADMINISTRATOR, what="Deciding a role change" if deciding else "Requesting a role change")
    if admin.pk == change.user_id:
        raise InputError("nobody requests or decides a change of their own roles", "user")


def request_change(user, role: str, action: str, reason: str, *, requested_by) -> RoleChange:
    """Record a pending request by ``requested_by`` to grant or revoke ``role`` for ``user``."""
    try:
        role_value = Role(role).value
    except ValueError:
        raise InputError(f"unknown role {role!r}", "role") from None
    if action not in RoleChange.Action.values:
        raise InputError(f"action must be grant or revoke, not {action!r}", "action")
    reason = reason.strip()
    if not reason:
        raise InputError("give the reason for the change", "reason")
    change = RoleChange(user=user, role=role_value, action=action, reason=reason, requested_by=requested_by)
    _check_decider(change, requested_by, deciding=False)
    holds = user.groups.filter(name=role_value).exists()
    if action == RoleChange.Action.GRANT and holds:
        raise InputError(f"{user} holds the role {Role(role_value).label} already", "role")
    if action == RoleChange.Action.REVOKE and not holds:
        raise InputError(f"{user} does not hold the role {Role(role_value).label}", "role")
    if RoleChange.objects.filter(user=user, role=role_value, status=RoleChange.Status.PENDING).exists():
        raise InputError(f"a request about {Role(role_value).label} for {user} is pending already", "role")
    with acting_as(requested_by, reason=reason):
        change.save()
    return change


def decide(change: RoleChange, admin, password: str, *, approve: bool, reason: str) -> RoleChange:
    """Approve (and apply) or reject ``change``, signed by ``admin`` after re-authentication.

    Approval is signed as "approved"; a rejection as "reviewed" with the reason. The signature, the
    role change and the request's new status are written in one transaction.
    """
    _check_decider(change, admin, deciding=True)
    if approve and admin.pk == change.requested_by_id:
        raise InputError("a second administrator approves a role change, not the one who requested it", "password")
    if change.status != RoleChange.Status.PENDING:
        raise InputError(f"this request was {change.status} already", "password")
    reason = reason.strip()
    if not approve and not reason:
        raise InputError("give the reason for the rejection", "reason")
    meaning = Signature.Meaning.APPROVED if approve else Signature.Meaning.REVIEWED
    reauthenticate(admin, password, change, meaning)  # outside the transaction: a failure stays audited
    verdict = "approved" if approve else "rejected"
    statement = f"Role change {verdict}: {change.action} {change.role} to {change.user}" + (
        f". {reason}" if reason else ""
    )
    with transaction.atomic(), acting_as(admin, reason=statement):
        change = RoleChange.objects.select_for_update().get(pk=change.pk)
        if change.status != RoleChange.Status.PENDING:
            raise InputError(f"this request was {change.status} already", "password")
        signature = record_signature(change, admin, meaning, statement)
        if approve:
            _apply(change)
        change.status = RoleChange.Status.APPROVED if approve else RoleChange.Status.REJECTED
        change.decided_by, change.decided_at = admin, timezone.now()
        change.decision_reason, change.signature = reason, signature
        change.save()
    return change


def _apply(change: RoleChange) -> None:
    """Change the groups (audited with the roles before and after by the m2m receiver); administrators
    also get the admin site, and lose it with the role."""
    user = change.user
    group = Group.objects.get(name=change.role)
    if change.action == RoleChange.Action.GRANT:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    if change.role == Role.ADMINISTRATOR:
        is_admin = user.groups.filter(name=Role.ADMINISTRATOR.value).exists()
        if user.is_staff != is_admin:
            user.is_staff = is_admin
            user.save(update_fields=["is_staff"])


def attention(user) -> list:
    """Dashboard: the pending requests this administrator may decide (not their own, not about them)."""
    from django.urls import reverse

    from nmguard.apps.core.dashboard import AttentionItem

    if not user.has_perm("core.change_user"):
        return []
    waiting = RoleChange.objects.filter(status=RoleChange.Status.PENDING).exclude(user=user).exclude(requested_by=user)
    count = waiting.count()
    if not count:
        return []
    return [
        AttentionItem(
            f"{count} role change{'s' if count > 1 else ''} awaiting a second administrator",
            "approve or reject with your e-signature",
            reverse("role-changes"),
        )
    ]
