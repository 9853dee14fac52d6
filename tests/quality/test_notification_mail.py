"""The mail job (issue 16): the escalation's unsent notification rows go out through Django's mail framework once
(a second run sends nothing), to the recipient's address; a recipient without an address, or a message the
server refuses, keeps its row unsent and is reported while the others go; a sent row is attributed and audited;
a dry run sends and changes nothing; without a configured server nothing is sent."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.test import override_settings

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
REFUSING = "tests.quality.test_notification_mail.RefusingBackend"
REFUSED_ADDRESS = "tech1@hospital.example"


class RefusingBackend(LocmemBackend):
    """The test outbox, but the server refuses one address (as an SMTP server refuses a recipient)."""

    def send_messages(self, messages):
        for message in messages:
            if REFUSED_ADDRESS in message.to:
                raise smtplib.SMTPRecipientsRefused({REFUSED_ADDRESS: (550, b"mailbox unavailable")})
        return super().send_messages(messages)


def _set_email(user, address: str, by) -> None:
    from nmguard.apps.core.actor import acting_as

    with acting_as(by, reason="test: e-mail address"):
        user.email = address
        user.save()


@pytest.fixture
def rows(qm, tech, make_user):
    """Three unsent rows of one overdue action: to the owner, to the quality manager, and to a physicist who has
    no e-mail address."""
    import datetime as dt

    from django.utils import timezone

    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.quality.capa_models import Notification
    from nmguard.apps.quality.capa_services import raise_action

    phys = make_user("physicist", "phys1")
    _set_email(tech, "tech1@hospital.example", qm)
    _set_email(qm, "qm1@hospital.example", qm)
    due = timezone.localdate() + dt.timedelta(days=3)
    action = raise_action(title="Lead apron check", source="audit", source_ref="A-1", owner=tech, due_on=due, user=qm)
    with acting_as(qm, reason="test: escalation rows"):
        return [
            Notification.objects.create(
                recipient=user,
                subject=f"Overdue action CAPA {action.pk} step {step}",
                body="Mark it done.",
                action=action,
                step_days=step,
            )
            for user, step in ((tech, 0), (qm, 30), (phys, 7))
        ]


def _state() -> list[tuple[str, bool, bool]]:
    from nmguard.apps.quality.capa_models import Notification

    return sorted((n.recipient.username, n.sent, n.sent_at is not None) for n in Notification.objects.all())


@override_settings(EMAIL_BACKEND=LOCMEM)
def test_sent_once_to_the_address_attributed_and_audited(rows, qm):
    from nmguard.apps.core.models import AuditEvent
    from nmguard.apps.quality.notification_mail import send_notifications

    outcomes = send_notifications(qm)
    assert [(o.recipient, o.status) for o in outcomes] == [("tech1", "sent"), ("qm1", "sent"), ("phys1", "kept")]
    assert outcomes[2].why == "user phys1 has no e-mail address"
    assert sorted((m.to, m.subject) for m in mail.outbox) == sorted(
        [(["tech1@hospital.example"], rows[0].subject), (["qm1@hospital.example"], rows[1].subject)]
    )
    assert all(m.body == "Mark it done." for m in mail.outbox)
    assert _state() == [("phys1", False, False), ("qm1", True, True), ("tech1", True, True)]
    events = AuditEvent.objects.filter(model_label="quality.Notification", action="update").order_by("seq")
    assert [(e.object_id, e.actor_username, e.before["sent"], e.after["sent"]) for e in events] == [
        (str(rows[0].pk), "qm1", "False", "True"),
        (str(rows[1].pk), "qm1", "False", "True"),
    ]
    assert events[0].reason == "claimed for sending by mail to tech1@hospital.example"
    assert send_notifications(qm)[0].status == "kept"  # the second run: only the row without an address is left
    assert len(mail.outbox) == 2


@override_settings(EMAIL_BACKEND=REFUSING)
def test_a_refused_message_keeps_its_row_and_the_others_go(rows, qm):
    from nmguard.apps.core.models import AuditEvent
    from nmguard.apps.quality.notification_mail import send_notifications

    outcomes = send_notifications(qm)
    assert [(o.recipient, o.status) for o in outcomes] == [("tech1", "kept"), ("qm1", "sent"), ("phys1", "kept")]
    assert outcomes[0].why.startswith("the mail server did not take it: SMTPRecipientsRefused")
    assert [m.to for m in mail.outbox] == [["qm1@hospital.example"]]
    assert _state() == [("phys1", False, False), ("qm1", True, True), ("tech1", False, False)]
    # the claim and its release are both in the audit trail
    trail = AuditEvent.objects.filter(model_label="quality.Notification", object_id=str(rows[0].pk), action="update")
    assert [(e.after["sent"], e.reason.split(":")[0]) for e in trail.order_by("seq")] == [
        ("True", "claimed for sending by mail to tech1@hospital.example"),
        ("False", "not sent, kept for the next run"),
    ]
    with override_settings(EMAIL_BACKEND=LOCMEM):  # the server takes it the next day: sent then, once
        assert [o.status for o in send_notifications(qm)] == ["sent", "kept"]
    assert sorted(m.to[0] for m in mail.outbox) == ["qm1@hospital.example", "tech1@hospital.example"]


@override_settings(EMAIL_BACKEND=LOCMEM)
def test_a_row_claimed_by_another_run_is_not_sent_again(rows, qm, monkeypatch):
    """Two runs at once: this run listed the rows before the other claimed the owner's row; it skips that row."""
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.quality import notification_mail
    from nmguard.apps.quality.capa_models import Notification

    stale = notification_mail.unsent()
    with acting_as(qm, reason="test: the other run"):
        assert notification_mail.claim(Notification.objects.get(pk=stale[0].pk), "tech1@hospital.example")
    monkeypatch.setattr(notification_mail, "unsent", lambda: stale)
    outcomes = notification_mail.send_notifications(qm)
    assert [(o.recipient, o.status) for o in outcomes] == [("qm1", "sent"), ("phys1", "kept")]
    assert [m.to for m in mail.outbox] == [["qm1@hospital.example"]]


@override_settings(EMAIL_BACKEND=LOCMEM)
def test_dry_run_sends_and_changes_nothing(rows, qm):
    from nmguard.apps.core.models import AuditEvent
    from nmguard.apps.quality.notification_mail import send_notifications

    events = AuditEvent.objects.count()
    outcomes = send_notifications(qm, dry_run=True)
    assert [o.status for o in outcomes] == ["would send", "would send", "would keep"]
    assert mail.outbox == [] and AuditEvent.objects.count() == events
    assert _state() == [("phys1", False, False), ("qm1", False, False), ("tech1", False, False)]


@pytest.mark.parametrize(
    "backend, host",
    [("django.core.mail.backends.dummy.EmailBackend", ""), ("django.core.mail.backends.smtp.EmailBackend", "")],
)
def test_no_mail_server_sends_nothing(rows, qm, backend, host):
    from nmguard.apps.quality.notification_mail import NoMailServerError, send_notifications

    with override_settings(EMAIL_BACKEND=backend, EMAIL_HOST=host), pytest.raises(NoMailServerError) as caught:
        send_notifications(qm)
    assert str(caught.value) == "no mail server configured (NMGUARD_EMAIL_HOST)"
    assert _state() == [("phys1", False, False), ("qm1", False, False), ("tech1", False, False)]


def test_the_settings_choose_smtp_only_with_a_host(monkeypatch):
    """The embedded default (no NMGUARD_EMAIL_HOST) is the dummy backend, which reaches no server."""
    import importlib

    import nmguard.web.settings as base

    try:
        monkeypatch.delenv("NMGUARD_EMAIL_HOST", raising=False)
        assert importlib.reload(base).EMAIL_BACKEND == "django.core.mail.backends.dummy.EmailBackend"
        for name, value in {
            "HOST": "smtp.hospital.example",
            "PORT": "587",
            "USE_TLS": "1",
            "FROM": "nm@h.example",
        }.items():
            monkeypatch.setenv(f"NMGUARD_EMAIL_{name}", value)
        s = importlib.reload(base)
        assert (s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL) == (
            "django.core.mail.backends.smtp.EmailBackend",
            "smtp.hospital.example",
            587,
            True,
            "nm@h.example",
        )
        monkeypatch.setenv("NMGUARD_EMAIL_PORT", "smtp")
        with pytest.raises(Exception, match="NMGUARD_EMAIL_PORT='smtp' must be a port number"):
            importlib.reload(base)
    finally:
        monkeypatch.undo()
        importlib.reload(base)
