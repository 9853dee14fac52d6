"""The mail job: sends the unsent ``Notification`` rows the CAPA escalation writes, one message per row, through
Django's mail framework (SMTP from ``NMGUARD_EMAIL_*``, see ``web/settings.py``).

At most once: each row is *claimed* (``sent`` set, audited) in its own committed transaction before its message
goes out, guarded by a conditional update on ``sent=false`` that takes the row's write lock, so of two runs at once
only one claims and sends it (PostgreSQL and SQLite alike; see ``_mark``). A message the server does not take
releases the claim (the row is unsent again, for the next run). The price: if the
process dies between the claim and the server's answer (killed, power cut), the row stays marked sent although the
message may not have gone; the audit trail shows the claim (reason "claimed for sending by mail …") without a
release. The other order (send, then mark) would send a row twice whenever the database update failed after the
server had accepted the message; a notification is never sent twice here, which the escalation relies on.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as, because
from nmguard.apps.quality.capa_models import Notification
from nmguard.errors import InputError

DUMMY_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
NO_SERVER = "no mail server configured (NMGUARD_EMAIL_HOST)"


class NoMailServerError(InputError):
    """The settings name no mail server: nothing can be sent (the CLI exits 2)."""

    def __init__(self) -> None:
        super().__init__(NO_SERVER, "NMGUARD_EMAIL_HOST")


@dataclass(frozen=True)
class MailOutcome:
    """What became of one row: ``sent``, ``kept`` (with ``why``) or, in a dry run, ``would send``/``would keep``."""

    notification_id: int
    recipient: str
    address: str
    subject: str
    status: str
    why: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.notification_id,
            "recipient": self.recipient,
            "address": self.address,
            "subject": self.subject,
            "status": self.status,
            "why": self.why,
        }


def mail_server_configured() -> bool:
    """False for the embedded default (the dummy backend, chosen when ``NMGUARD_EMAIL_HOST`` is unset) and for
    SMTP without a host; any other backend (a test's locmem, a file backend) counts as configured."""
    backend = settings.EMAIL_BACKEND
    if backend == DUMMY_BACKEND:
        return False
    return backend != SMTP_BACKEND or bool(settings.EMAIL_HOST)


def unsent() -> list[Notification]:
    """The rows not sent yet, oldest first."""
    return list(Notification.objects.filter(sent=False).select_related("recipient").order_by("created_at", "pk"))


def _mark(note: Notification, sent: bool, reason: str) -> bool:
    """Set ``sent`` (and ``sent_at``) only if the row is still in the other state, through ``save`` (audited, row
    history). True if this call changed it; False if a concurrent run got there first.

    The guard is a conditional update that changes nothing (``sent`` set to what it is) but takes the row's write
    lock first: PostgreSQL makes a second run wait on the row and re-check ``sent``; SQLite serialises writers and
    the second, reading after the first committed, finds no row to update."""
    with transaction.atomic():
        if not Notification.objects.filter(pk=note.pk, sent=not sent).update(sent=not sent):
            return False
        note.sent, note.sent_at = sent, timezone.now() if sent else None
        with because(reason):
            note.save(update_fields=["sent", "sent_at", "updated_at"])
    return True


def claim(note: Notification, address: str) -> bool:
    """Mark the row sent before its message goes out (at most once); False if another run claimed it first."""
    return _mark(note, True, f"claimed for sending by mail to {address}")


def release(note: Notification, why: str) -> bool:
    """Unmark a claimed row whose message did not go out, so the next run sends it."""
    return _mark(note, False, f"not sent, kept for the next run: {why}"[:500])


def _message(note: Notification, address: str, connection) -> EmailMessage:
    return EmailMessage(
        subject=note.subject,
        body=note.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        connection=connection,
    )


def send_notifications(user, dry_run: bool = False) -> list[MailOutcome]:
    """Send every unsent row to its recipient's e-mail address, attributed to ``user``. A recipient without an
    address, or a message the server refuses, keeps its row unsent (reported); the others go on. A dry run sends
    and changes nothing, and needs no server. Raises :class:`NoMailServerError` when none is configured."""
    if not dry_run and not mail_server_configured():
        raise NoMailServerError()
    connection = None if dry_run else get_connection(fail_silently=False)
    outcomes: list[MailOutcome] = []
    with acting_as(user, reason="notifications sent by mail"):
        for note in unsent():
            address = (note.recipient.email or "").strip()

            def outcome(status: str, why: str = "", note=note, address=address) -> MailOutcome:
                return MailOutcome(note.pk, note.recipient.get_username(), address, note.subject, status, why)

            if not address:
                why = f"user {note.recipient.get_username()} has no e-mail address"
                outcomes.append(outcome("would keep" if dry_run else "kept", why))
                continue
            if dry_run:
                outcomes.append(outcome("would send"))
                continue
            if not claim(note, address):
                continue  # another run took it between our listing and the claim: it is that run's row
            try:
                _message(note, address, connection).send()
            except (smtplib.SMTPException, OSError, BadHeaderError) as exc:
                why = f"the mail server did not take it: {type(exc).__name__}: {exc}"[:300]
                release(note, why)
                outcomes.append(outcome("kept", why))
                continue
            outcomes.append(outcome("sent"))
    return outcomes
