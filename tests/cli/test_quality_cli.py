# ruff: noqa: F811  (the quality tests' users qm and tech imported as fixtures and named as arguments)
"""``nmguard quality escalate`` and ``nmguard quality overdue`` (issue 16): the escalation a department runs from
cron, judged on the local day at 00:30 and 23:50 around the due date (the due date is the last day: late from the
day after), a second run writing nothing, the dry run writing nothing, the rows attributed to ``--as`` in the audit
trail, and bad input (a date that is not one, a day in the future, no or the wrong ``--as``) refused with exit 2 and
one ``error:`` line, nothing written."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from tests.cli.in_process import in_process
from tests.quality.conftest import qm, tech  # noqa: F401 (the quality tests' users, as fixtures)

run, run_json = in_process("quality")


def _at(day: dt.date, hh: int, mm: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


@pytest.fixture
def action(qm, tech):
    from nmguard.apps.quality.capa_services import raise_action

    due = timezone.localdate() + dt.timedelta(days=3)
    return raise_action(title="Lead apron check", source="audit", source_ref="A-1", owner=tech, due_on=due, user=qm)


def _notes() -> list[tuple[str, int]]:
    from nmguard.apps.quality.capa_models import Notification

    return sorted((n.recipient.username, n.step_days) for n in Notification.objects.all())


def _events() -> int:
    from nmguard.apps.core.models import AuditEvent

    return AuditEvent.objects.count()


def test_escalate_at_the_local_day_edges_once_and_attributed(capsys, action, qm, tech):
    from nmguard.apps.core.models import AuditEvent

    due = action.due_on
    with time_machine.travel(_at(due, 23, 50), tick=False):  # the due date is the last day: not late
        code, out, err = run(capsys, "escalate", "--as", "qm1")
        assert (code, err) == (0, "")
        assert out.splitlines() == [f"0 notification(s) for 0 overdue action(s) on {due.isoformat()} written as qm1"]
        assert run_json(capsys, "overdue")["actions"] == []
    day1 = due + dt.timedelta(days=1)
    with time_machine.travel(_at(day1, 0, 30), tick=False):
        code, out, _ = run(capsys, "escalate", "--as", "qm1")
        assert code == 0
        assert out.splitlines() == [
            f"written: CAPA {action.pk} step 0 d -> tech1 (1 d late): Lead apron check",
            f"1 notification(s) for 1 overdue action(s) on {day1.isoformat()} written as qm1",
        ]
        listed = run_json(capsys, "overdue")
        assert listed["on"] == day1.isoformat()
        assert listed["actions"] == [
            {
                "ref": f"CAPA {action.pk}",
                "action_id": action.pk,
                "title": "Lead apron check",
                "source": "audit A-1",
                "owner": "tech1",
                "due_on": due.isoformat(),
                "days_late": 1,
            }
        ]
    assert _notes() == [("tech1", 0)]
    created = AuditEvent.objects.get(model_label="quality.Notification", action="create")
    assert created.actor_username == "qm1" and created.reason == f"overdue corrective actions escalated (on {day1})"
    with time_machine.travel(_at(day1, 23, 50), tick=False):  # the same day again: nothing new
        before = _events()
        doc = run_json(capsys, "escalate", "--as", "qm1")
        assert (doc["notifications"], doc["overdue_actions"], doc["dry_run"]) == ([], 1, False)
        assert _events() == before
    with time_machine.travel(_at(due + dt.timedelta(days=6), 23, 50), tick=False):  # 6 days late: no step
        assert run_json(capsys, "escalate", "--as", "qm1")["notifications"] == []
    with time_machine.travel(_at(due + dt.timedelta(days=7), 0, 30), tick=False):
        doc = run_json(capsys, "escalate", "--as", "qm1")
        assert [(n["recipient"], n["step_days"], n["days_late"]) for n in doc["notifications"]] == [("tech1", 7, 7)]
    with time_machine.travel(_at(due + dt.timedelta(days=30), 0, 30), tick=False):
        doc = run_json(capsys, "escalate", "--as", "qm1")
        assert [(n["recipient"], n["step_days"], n["days_late"]) for n in doc["notifications"]] == [("qm1", 30, 30)]
        code, out, _ = run(capsys, "overdue")
        assert code == 0 and f"CAPA {action.pk}" in out and "owner tech1" in out and "30 d late" in out
    assert _notes() == [("qm1", 30), ("tech1", 0), ("tech1", 7)]


def test_dry_run_writes_nothing(capsys, action, qm, tech):
    due = action.due_on
    with time_machine.travel(_at(due + dt.timedelta(days=31), 0, 30), tick=False):
        before = _events()
        code, out, _ = run(capsys, "escalate", "--dry-run")
        assert code == 0
        lines = out.splitlines()
        assert lines[:2] == [  # one row per person: the highest step passed (not steps 0 and 7 to the owner at once)
            f"would write: CAPA {action.pk} step {step} d -> {who} (31 d late): Lead apron check"
            for step, who in ((7, "tech1"), (30, "qm1"))
        ]
        assert (
            lines[2].startswith("dry run: 2 notification(s) for 1 overdue action(s)") and "nothing written" in lines[2]
        )
        assert _notes() == [] and _events() == before
        assert len(run_json(capsys, "escalate", "--as", "qm1")["notifications"]) == 2  # the run writes them
        after = _events()
        doc = run_json(capsys, "escalate", "--dry-run", "--as", "qm1")
        assert (doc["dry_run"], doc["notifications"], doc["overdue_actions"]) == (True, [], 1)
        assert _events() == after and len(_notes()) == 2


def test_a_past_day_judges_that_day(capsys, action, qm):
    due = action.due_on
    with time_machine.travel(_at(due + dt.timedelta(days=10), 12, 0), tick=False):
        doc = run_json(capsys, "escalate", "--as", "qm1", "--on", (due + dt.timedelta(days=2)).isoformat())
        assert [(n["step_days"], n["days_late"]) for n in doc["notifications"]] == [(0, 2)]
        assert run_json(capsys, "overdue", "--on", due.isoformat())["actions"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as", "qm1", "--on", "2026-13-01"], "error: on: a date YYYY-MM-DD expected, got '2026-13-01'"),
        (["--as", "qm1", "--on", "tomorrow"], "error: on: a date YYYY-MM-DD expected, got 'tomorrow'"),
        (["--as", "qm1", "--on", "+1"], "is in the future"),
        ([], "error: --as: the username the notifications are written under is needed (or --dry-run)"),
        (["--as", "nobody"], "error: --as: no active user 'nobody'"),
        (["--as", "tech1"], "error: --as: Escalating overdue actions needs the role"),
        (["--dry-run", "--as", "tech1"], "error: --as: Escalating overdue actions needs the role"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(capsys, action, qm, tech, args, message):
    due = action.due_on
    moment = _at(due + dt.timedelta(days=31), 23, 50)
    args = [(moment.date() + dt.timedelta(days=1)).isoformat() if a == "+1" else a for a in args]
    with time_machine.travel(moment, tick=False):
        before = _events()
        code, out, err = run(capsys, "escalate", *args)
        assert code == 2 and out == ""
        assert len(err.strip().splitlines()) == 1 and message in err and err.startswith("error: ")
        assert _notes() == [] and _events() == before
        code, _, err = run(capsys, "overdue", "--on", "2026-02-30")
        assert code == 2 and err.strip() == "error: on: a date YYYY-MM-DD expected, got '2026-02-30'"


def test_overdue_table_when_none(capsys, db):
    code, out, _ = run(capsys, "overdue")
    assert code == 0 and out.strip() == f"no open action past its due date on {timezone.localdate().isoformat()}"


# ``nmguard quality send``: the mail job after ``escalate`` in cron.
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def _escalated(capsys, action, tech) -> None:
    """The two rows of an action 31 days late (the owner's step 7, the quality manager's step 30); the owner has an
    e-mail address, the quality manager none."""
    from nmguard.apps.core.actor import acting_as

    with acting_as(tech, reason="test: e-mail address"):
        tech.email = "tech1@hospital.example"
        tech.save()
    with time_machine.travel(_at(action.due_on + dt.timedelta(days=31), 6, 15), tick=False):
        assert len(run_json(capsys, "escalate", "--as", "qm1")["notifications"]) == 2


def _sent() -> list[tuple[str, int, bool]]:
    from nmguard.apps.quality.capa_models import Notification

    return sorted((n.recipient.username, n.step_days, n.sent) for n in Notification.objects.all())


def test_send_once_lines_and_summary(capsys, action, qm, tech, settings):
    from django.core import mail

    settings.EMAIL_BACKEND = LOCMEM
    _escalated(capsys, action, tech)
    code, out, err = run(capsys, "send", "--as", "qm1")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 3
    assert (
        sum(line.startswith("sent: notification ") and "-> tech1 <tech1@hospital.example>" in line for line in lines)
        == 1
    )
    kept = [line for line in lines if line.startswith("kept: ")]
    assert len(kept) == 1 and "-> qm1: " in kept[0] and kept[0].endswith("(user qm1 has no e-mail address)")
    assert lines[-1] == "1 notification(s) sent, 1 kept unsent, as qm1"
    assert [m.to for m in mail.outbox] == [["tech1@hospital.example"]]
    assert _sent() == [("qm1", 30, False), ("tech1", 7, True)]
    doc = run_json(capsys, "send", "--as", "qm1")  # the second run: nothing new goes out
    assert (doc["sent"], doc["kept"], [n["recipient"] for n in doc["notifications"]]) == (0, 1, ["qm1"])
    assert len(mail.outbox) == 1


def test_send_refused_by_the_server_keeps_the_row(capsys, action, qm, tech, settings):
    settings.EMAIL_BACKEND = "tests.quality.test_notification_mail.RefusingBackend"  # refuses tech1's address
    _escalated(capsys, action, tech)
    doc = run_json(capsys, "send", "--as", "qm1")
    assert (doc["sent"], doc["kept"]) == (0, 2)
    assert all(
        n["why"].startswith("the mail server did not take it: SMTPRecipientsRefused")
        for n in doc["notifications"]
        if n["recipient"] == "tech1"
    )
    assert _sent() == [("qm1", 30, False), ("tech1", 7, False)]


def test_send_dry_run_sends_nothing(capsys, action, qm, tech, settings):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"  # a dry run needs no server
    _escalated(capsys, action, tech)
    before = _events()
    code, out, _ = run(capsys, "send", "--dry-run")
    assert code == 0 and out.count("would send: ") == 1 and out.count("would keep: ") == 1
    assert out.splitlines()[-1] == "dry run: 1 notification(s) would be sent, 1 kept; nothing sent"
    assert mail.outbox == [] and _events() == before and not any(sent for *_, sent in _sent())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as", "qm1"], "error: no mail server configured (NMGUARD_EMAIL_HOST)"),
        ([], "error: --as: the username the rows are marked sent under is needed (or --dry-run)"),
        (["--as", "tech1"], "error: --as: Sending the notifications needs the role"),
    ],
)
def test_send_bad_input_or_no_server_exits_2(capsys, action, qm, tech, settings, args, message):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # as without NMGUARD_EMAIL_HOST
    settings.EMAIL_HOST = ""
    _escalated(capsys, action, tech)
    before = _events()
    code, out, err = run(capsys, "send", *args)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and err.startswith(message)
    assert mail.outbox == [] and _events() == before and not any(sent for *_, sent in _sent())
