"""Clock times for the demo history, relative to the moment the demo is loaded.

The demo's history is a routine department's: morning QC at 07:30–07:45, and so on. Seeded at
fixed clock times of *today*, it lay in the future whenever the demo was loaded before those times
(every night), and the services refused it. The history therefore ends on the last department day
whose seeded routine has already happened: today once the morning routine is over, yesterday
before it. Everything else the demo seeds (administrations, prescriptions, elutions) is placed
relative to ``timezone.now()``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

# The demo's morning routine (QC) is over by this local time; before it, today has no history yet.
ROUTINE_DONE_BY = dt.time(8, 0)


def last_routine_day(now: dt.datetime | None = None) -> dt.date:
    """The department-local date of the newest day whose seeded routine lies in the past."""
    local = timezone.localtime(now or timezone.now())
    return local.date() if local.time() >= ROUTINE_DONE_BY else local.date() - dt.timedelta(days=1)


def routine_at(days_ago: int, hour: int, minute: int = 0, now: dt.datetime | None = None) -> dt.datetime:
    """``hour:minute`` department time, ``days_ago`` days before the last routine day (aware, never future)."""
    day = last_routine_day(now) - dt.timedelta(days=days_ago)
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    if moment > (now or timezone.now()):
        raise ValueError(f"demo routine time {hour:02d}:{minute:02d} is after ROUTINE_DONE_BY")
    return moment
