"""Equipment tests run at the department's noon of today, the clock ticking: no test depends on the hour."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone


def department_noon() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12, 0)))


@pytest.fixture(autouse=True)
def _at_department_noon():
    with time_machine.travel(department_noon(), tick=True):
        yield
