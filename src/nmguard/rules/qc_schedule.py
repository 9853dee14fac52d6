"""When a QC test is due: calendar intervals by frequency, plus the department's grace window.

Daily means each day of clinical use; weekly every 7 days; monthly, quarterly and annual are
calendar months (1, 3, 12) counted from the last performance. "After repair" and "acceptance"
tests are due only when asked for (a repair or a new device), never by the calendar.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from nmguard.errors import InputError

CALENDAR_FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "annual")
EVENT_FREQUENCIES = ("after_repair", "acceptance")
_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(last_done: dt.date | None, frequency: str, first_due: dt.date) -> dt.date | None:
    """The day the test is next due; ``first_due`` when it was never done; None for event tests."""
    if frequency in EVENT_FREQUENCIES:
        return None
    if frequency not in CALENDAR_FREQUENCIES:
        raise InputError(f"unknown QC frequency {frequency!r}", "frequency")
    if last_done is None:
        return first_due
    if frequency == "daily":
        return last_done + dt.timedelta(days=1)
    if frequency == "weekly":
        return last_done + dt.timedelta(days=7)
    return _add_months(last_done, _MONTHS[frequency])


@dataclass(frozen=True)
class DueState:
    due: dt.date | None
    due_today: bool  # due on or before the day and still inside the window
    overdue: bool  # past the due day plus the window
    days_overdue: int


def due_state(
    last_done: dt.date | None, frequency: str, day: dt.date, window_days: int = 0, first_due: dt.date | None = None
) -> DueState:
    """Whether the test is due or overdue on ``day``."""
    if window_days < 0:
        raise InputError("the QC window cannot be negative", "window_days")
    due = next_due(last_done, frequency, first_due or day)
    if due is None:
        return DueState(None, False, False, 0)
    late = (day - due).days - window_days
    return DueState(due, due <= day and late <= 0, late > 0, max(late, 0))


def valid_until(performed_on: dt.date, frequency: str) -> dt.date | None:
    """The last day a passing result keeps the device's QC in date (the day before the next due)."""
    due = next_due(performed_on, frequency, performed_on)
    return None if due is None else due - dt.timedelta(days=1)
