"""QC due dates: calendar arithmetic checked by hand."""

import datetime as dt

import pytest

from nmguard.errors import InputError
from nmguard.rules.qc_schedule import due_state, next_due, valid_until

D = dt.date


@pytest.mark.parametrize(
    ("last", "frequency", "expected"),
    [
        (D(2026, 11, 26), "daily", D(2026, 11, 27)),
        (D(2026, 11, 26), "weekly", D(2026, 12, 3)),
        (D(2026, 1, 31), "monthly", D(2026, 2, 28)),  # end of month clamps
        (D(2026, 11, 30), "quarterly", D(2027, 2, 28)),
        (D(2024, 2, 29), "annual", D(2025, 2, 28)),
        (D(2026, 11, 26), "after_repair", None),
    ],
)
def test_next_due(last, frequency, expected):
    assert next_due(last, frequency, D(2026, 1, 1)) == expected


def test_never_done_is_due_from_first_due_day():
    state = due_state(None, "daily", D(2026, 11, 26))
    assert state.due == D(2026, 11, 26) and state.due_today and not state.overdue


def test_overdue_after_window():
    # weekly, done 1 Nov → due 8 Nov; with a 2-day window overdue from 11 Nov
    assert due_state(D(2026, 11, 1), "weekly", D(2026, 11, 10), window_days=2).overdue is False
    state = due_state(D(2026, 11, 1), "weekly", D(2026, 11, 11), window_days=2)
    assert state.overdue and state.days_overdue == 1


def test_daily_constancy_valid_only_that_day():
    assert valid_until(D(2026, 11, 26), "daily") == D(2026, 11, 26)
    assert valid_until(D(2026, 11, 26), "quarterly") == D(2027, 2, 25)


def test_bad_frequency():
    with pytest.raises(InputError):
        next_due(D(2026, 1, 1), "fortnightly", D(2026, 1, 1))
