"""Demo management review: the meeting that reviewed last calendar quarter, held two weeks after it (today at the
latest), with two actions (one done, one open) and signed by the quality manager as chair."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nmguard.apps.core.roles import Role
from nmguard.apps.quality import capa_services
from nmguard.apps.quality import review_meeting_services as svc


def last_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the calendar quarter before ``today``'s."""
    first_this = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_this - dt.timedelta(days=1)
    return dt.date(end.year, end.month - 2, 1), end


def load_review_meeting_demo(users: dict, passwords: dict) -> None:
    qm, password = users[Role.QUALITY_MANAGER], passwords[Role.QUALITY_MANAGER]
    today = timezone.localdate()
    start, end = last_quarter(today)
    values = {
        "held_on": min(today, end + dt.timedelta(days=14)),
        "period_start": start,
        "period_end": end,
        "chair": qm,
        "attendees": "Quality manager (chair), RPO, lead physicist, lead technologist, radiopharmacist, "
        "head of department",
        "inputs_reviewed": "Quality indicators of the quarter; the external audit and its findings; incidents and "
        "near misses; open and overdue corrective actions; staff doses; training records.",
        "decisions": "1. Weekly QC to be planned on the roster so that no schedule falls overdue.\n"
        "2. The DRL audit to be repeated after the protocol review.\n3. Indicators acceptable otherwise.",
    }
    meeting = svc.record_meeting(values, qm)
    physicist, technologist = users[Role.PHYSICIST], users[Role.TECHNOLOGIST]
    done = svc.raise_meeting_action(
        meeting, qm, title="Plan weekly QC on the staff roster", owner=technologist,
        due_on=today + dt.timedelta(days=30), kind="preventive",
    )  # fmt: skip
    svc.raise_meeting_action(
        meeting, qm, title="Repeat the DRL clinical audit after the protocol review", owner=physicist,
        due_on=today + dt.timedelta(days=90),
    )  # fmt: skip
    capa_services.mark_done(done, technologist, "Weekly QC slots added to the roster template.")
    svc.sign_meeting(meeting, qm, password)
