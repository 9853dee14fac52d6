"""Corrective and preventive actions: raised, marked done, checked for effectiveness, closed by e-signature or
cancelled with a reason; never deleted, every change audited and attributed.

Every part of the quality system (incidents, audits, reviews) raises actions through :func:`raise_action` only,
and the pages and the API call these functions only, so all of them check the same things.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.guards import require_role
from nmguard.apps.core.roles import Role
from nmguard.apps.core.signatures import reauthenticate, sign
from nmguard.apps.quality.capa_models import CorrectiveAction
from nmguard.errors import InputError
from nmguard.input_bounds import check_date, check_text

Status = CorrectiveAction.Status

# Who may raise an action and record its effectiveness: those who run investigations, audits and reviews.
RAISERS = (Role.QUALITY_MANAGER, Role.RPO, Role.PHYSICIST, Role.PHYSICIAN)
# Who may close (sign) or cancel: the quality manager owns the CAPA system; the RPO closes radiation-safety ones.
CLOSERS = (Role.QUALITY_MANAGER, Role.RPO)
YEAR_CHECK = dt.timedelta(days=366)  # NMGuard policy: a date further from today (a mistyped year?) needs the user's
# confirmation — a due date ahead (raise_action), an incident, audit or meeting date back; one window for all


def _check_owner(owner) -> None:
    """The owner must be an active account that may act (not a read-only inspector)."""
    if owner is None or not isinstance(owner, get_user_model()) or not owner.pk:
        raise InputError("owner: choose the person who will do the action", "owner")
    if not owner.is_active:
        raise InputError(f"owner: {owner.get_username()} is not an active account", "owner")
    if (
        owner.groups.filter(name=Role.READ_ONLY.value).exists()
        and not owner.groups.exclude(name=Role.READ_ONLY.value).exists()
    ):
        raise InputError(f"owner: {owner.get_username()} has read-only access and cannot own an action", "owner")


@transaction.atomic
def raise_action(
    *,
    title: str,
    source: str,
    source_ref: str,
    owner,
    due_on: dt.date,
    user,
    kind: str = "corrective",
    description: str = "",
    confirm_due: bool | None = None,
) -> CorrectiveAction:
    """Raise an open action owned by ``owner`` and due on ``due_on`` (a local date; may not lie in the past).

    ``confirm_due``: the forms and the API pass whether the user ticked "I checked the date"; a due date more than
    a year ahead (a mistyped year, 2062 for 2026, would never fall overdue nor be escalated) then needs it. Callers
    that ask no such question (``None``) are not checked."""
    require_role(user, *RAISERS, what="raising a corrective or preventive action")
    title = check_text(title or "", "title", max_length=200, required=True).strip()
    source = check_text(source or "", "source", max_length=40, required=True).strip()
    source_ref = check_text(source_ref or "", "source_ref", max_length=80).strip()
    description = check_text(description or "", "description").strip()
    if kind not in CorrectiveAction.Kind.values:
        raise InputError(f"kind: one of {', '.join(CorrectiveAction.Kind.values)}", "kind")
    if not isinstance(due_on, dt.date) or isinstance(due_on, dt.datetime):
        raise InputError("due_on: a date expected", "due_on")
    check_date(due_on, "due_on", earliest=timezone.localdate())
    if confirm_due is False and due_on > timezone.localdate() + YEAR_CHECK:
        raise InputError(
            f"due_on: {due_on.isoformat()} is more than a year ahead: check the year, "
            "or tick that you checked the date",
            "due_on",
        )
    _check_owner(owner)
    twin = CorrectiveAction.objects.filter(
        title=title,
        source=source,
        source_ref=source_ref,
        owner=owner,
        due_on=due_on,
        status__in=(Status.OPEN, Status.DONE),
    ).first()
    if twin is not None:  # a form sent twice: one action, not two to follow and close
        raise InputError(f"title: this action is raised already as CAPA {twin.pk}", "title")
    with acting_as(user, reason=f"corrective action raised from {source} {source_ref}".strip()):
        return CorrectiveAction.objects.create(
            title=title,
            description=description,
            kind=kind,
            source=source,
            source_ref=source_ref,
            owner=owner,
            due_on=due_on,
        )


def _locked(action: CorrectiveAction) -> CorrectiveAction:
    return CorrectiveAction.objects.select_for_update().get(pk=action.pk)


@transaction.atomic
def mark_done(action: CorrectiveAction, user, note: str = "") -> CorrectiveAction:
    """The owner (or a raiser) says the action has been carried out; its effectiveness is checked later."""
    if user.pk != action.owner_id:
        require_role(user, *RAISERS, what="marking someone else's action done")
    note = check_text(note or "", "note").strip()
    stored = _locked(action)
    if stored.status != Status.OPEN:
        raise InputError(f"status: the action is {stored.get_status_display().lower()}, not open", "status")
    with acting_as(user, reason="corrective action done" + (f": {note[:200]}" if note else "")):
        stored.status, stored.done_on = Status.DONE, timezone.localdate()
        if note:
            stored.description = (stored.description + "\n\nDone: " + note).strip()
        stored.save()
    return stored


@transaction.atomic
def record_effectiveness(action: CorrectiveAction, user, check: str, effective: bool) -> CorrectiveAction:
    """Record how it was checked that the action worked. Ineffective: the action goes back to open (reopened)."""
    require_role(user, *RAISERS, what="recording the effectiveness of an action")
    check = check_text(check or "", "effectiveness_check", required=True).strip()
    if not isinstance(effective, bool):
        raise InputError("effective: yes or no", "effective")
    stored = _locked(action)
    if stored.status != Status.DONE:
        raise InputError("effective: the action must be marked done before its effectiveness is checked", "effective")
    verdict = "effective" if effective else "not effective: reopened"
    with acting_as(user, reason=f"corrective action checked, {verdict}"):
        stored.effectiveness_check, stored.effective = check, effective
        if not effective:
            stored.status, stored.done_on = Status.OPEN, None
        stored.save()
    return stored


def close_action(action: CorrectiveAction, user, password: str) -> CorrectiveAction:
    """Close by e-signature ("closed"): only once it is done and recorded as effective."""
    require_role(user, *CLOSERS, what="closing a corrective action")
    if action.status != Status.DONE or action.effective is not True:
        raise InputError("password: an action is closed only when done and recorded as effective", "password")
    reauthenticate(user, password, action, "closed")  # outside the transaction: a failure is kept
    with transaction.atomic(), acting_as(user, reason="corrective action closed"):
        stored = _locked(action)
        if stored.status != Status.DONE or stored.effective is not True:
            raise InputError("password: the action changed meanwhile; reload it", "password")
        stored.status = Status.CLOSED
        stored.save()
        stored.closure = sign(stored, user, password, "closed", f"Corrective action closed: {stored.title[:200]}")
        stored.save(update_fields=["closure", "updated_at"])
    return stored


@transaction.atomic
def cancel_action(action: CorrectiveAction, user, reason: str) -> CorrectiveAction:
    """Cancel with a reason (e.g. superseded by another action); the row stays."""
    require_role(user, *CLOSERS, what="cancelling a corrective action")
    reason = check_text(reason or "", "reason", max_length=500, required=True).strip()
    stored = _locked(action)
    if stored.status in (Status.CLOSED, Status.CANCELLED):
        raise InputError(f"reason: the action is {stored.get_status_display().lower()} already", "reason")
    with acting_as(user, reason=f"corrective action cancelled: {reason}"):
        stored.status = Status.CANCELLED
        stored.cancel_reason = reason
        stored.save()
    return stored


def supersede_action(action: CorrectiveAction, user, *, title: str, owner, due_on: dt.date) -> CorrectiveAction:
    """An ineffective action replaced by a new one: the old one is cancelled naming the new, nothing deleted."""
    with transaction.atomic():
        new = raise_action(
            title=title,
            source=action.source,
            source_ref=action.source_ref,
            owner=owner,
            due_on=due_on,
            user=user,
            kind=action.kind,
            description=f"Supersedes CAPA {action.pk}: {action.title}",
        )
        cancel_action(action, user, f"superseded by CAPA {new.pk}")
    return new


def overdue(today: dt.date | None = None):
    """Open actions past their due date (local date): due yesterday or earlier."""
    day = today or timezone.localdate()
    return CorrectiveAction.objects.filter(status=Status.OPEN, due_on__lt=day)
