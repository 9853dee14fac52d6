"""Escalation of overdue actions (issue 16 item 2): notification rows at the policy's steps (owner the day after
the due date and 7 days late, the quality manager 30 days late), once per step however often it runs, judged on
the department's local date at 00:30 and 23:50; the dashboard's attention items for the owner and the manager."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone


def _at(day: dt.date, hh: int, mm: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


@pytest.fixture
def setup(make_user):
    from nmguard.apps.quality.capa_services import raise_action

    qm, tech = make_user("quality_manager", "qm1"), make_user("technologist", "tech1")
    due = timezone.localdate() + dt.timedelta(days=3)
    action = raise_action(title="Lead apron check", source="audit", source_ref="A-1", owner=tech, due_on=due, user=qm)
    return qm, tech, action, due


def _run(qm, moment):
    from nmguard.apps.quality.capa_escalation import run_escalation

    with time_machine.travel(moment, tick=False):
        return run_escalation(qm)


def test_steps_at_local_midnight_edges_and_idempotent(setup):
    from nmguard.apps.quality.capa_models import Notification

    qm, tech, action, due = setup
    assert _run(qm, _at(due, 23, 50)).created == []  # the due date is the last day: not late yet
    first = _run(qm, _at(due + dt.timedelta(days=1), 0, 30))
    assert [(n.recipient, n.step_days) for n in first.created] == [(tech, 0)] and first.overdue_actions == 1
    assert _run(qm, _at(due + dt.timedelta(days=1), 23, 50)).created == []  # same day again: nothing new
    assert _run(qm, _at(due + dt.timedelta(days=6), 23, 50)).created == []  # 6 days late: step 7 not yet
    seventh = _run(qm, _at(due + dt.timedelta(days=7), 0, 30))
    assert [(n.recipient, n.step_days) for n in seventh.created] == [(tech, 7)]
    assert _run(qm, _at(due + dt.timedelta(days=29), 23, 50)).created == []
    thirtieth = _run(qm, _at(due + dt.timedelta(days=30), 0, 30))
    assert [(n.recipient, n.step_days) for n in thirtieth.created] == [(qm, 30)]
    assert _run(qm, _at(due + dt.timedelta(days=45), 12, 0)).created == []
    notes = Notification.objects.filter(action=action)
    assert notes.count() == 3 and not any(n.sent for n in notes)
    assert "CAPA" in notes.first().subject and due.isoformat() in notes.first().body


def test_late_first_run_writes_one_notification_per_person(setup):
    """A first run on an action 31 days late owes the owner steps 0 and 7 and the manager step 30: each person gets
    the highest step passed, once (not two identical '31 d late' messages to the owner)."""
    from nmguard.apps.quality.capa_models import Notification

    qm, tech, action, due = setup
    run = _run(qm, _at(due + dt.timedelta(days=31), 0, 30))
    assert sorted((n.recipient.username, n.step_days) for n in run.created) == [("qm1", 30), ("tech1", 7)]
    assert _run(qm, _at(due + dt.timedelta(days=31), 0, 31)).created == []
    assert _run(qm, _at(due + dt.timedelta(days=60), 12, 0)).created == []  # no lower step written afterwards
    assert Notification.objects.count() == 2


def test_a_manager_who_owns_the_action_gets_one_message_per_step_passed(make_user):
    """The owner's steps and the manager's step reach the same person: at 30 days late one row, step 30."""
    from nmguard.apps.quality.capa_services import raise_action

    qm = make_user("quality_manager", "qm1")
    due = timezone.localdate() + dt.timedelta(days=3)
    raise_action(title="Review the SOP index", source="audit", source_ref="A-2", owner=qm, due_on=due, user=qm)
    run = _run(qm, _at(due + dt.timedelta(days=30), 0, 30))
    assert [(n.recipient.username, n.step_days) for n in run.created] == [("qm1", 30)]
    assert "30 d late" in run.created[0].subject


def test_done_or_cancelled_actions_are_not_escalated(setup):
    from nmguard.apps.quality import capa_services as capa

    qm, tech, action, due = setup
    capa.mark_done(action, tech)
    assert _run(qm, _at(due + dt.timedelta(days=2), 0, 30)).created == []


def test_attention_for_owner_and_manager(setup, make_user):
    from nmguard.apps.quality.capa_escalation import capa_attention

    qm, tech, action, due = setup
    other = make_user("technologist", "tech2")
    with time_machine.travel(_at(due, 23, 50), tick=False):
        assert capa_attention(tech) == [] and capa_attention(qm) == []
    with time_machine.travel(_at(due + dt.timedelta(days=1), 0, 30), tick=False):
        mine = capa_attention(tech)
        assert len(mine) == 1 and mine[0].url == f"/quality/actions/{action.pk}/" and "1 d late" in mine[0].detail
        assert len(capa_attention(qm)) == 1 and capa_attention(other) == []
