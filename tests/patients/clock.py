"""A pinned department time for the administration tests (no test may depend on the hour it runs)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone


def department_noon() -> dt.datetime:
    """Today 12:00 in the department's zone (an aware instant)."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12, 0)))


def at_department_noon():
    """Travel to today's noon, the clock ticking: "10 min before" or "this afternoon" stays on one day."""
    return time_machine.travel(department_noon(), tick=True)
