"""The demo loads at any hour of the department's day and in any zone (it failed before 07:20).

The clock is pinned with time-machine to 00:30 and 23:50 department time, where "today at 07:30"
lies in the future and where the UTC date differs from the local date; and once in a zone far
from UTC. Every record the demo writes goes through the same services and guards as real work,
so a seed at a fixed clock time of today would be refused as lying in the future.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from nmguard.apps.core import audit
from nmguard.apps.core.demo import load_demo

pytestmark = pytest.mark.django_db


def _load_at(local: dt.datetime) -> None:
    with time_machine.travel(local, tick=True):
        assert timezone.now() == pytest.approx(local, abs=dt.timedelta(minutes=2))
        assert load_demo() is True
        assert audit.verify().ok
        _assert_nothing_in_the_future()


def _assert_nothing_in_the_future() -> None:
    """No seeded history lies after the moment it was seeded (a plan may: prescriptions, calibrations)."""
    from nmguard.apps.equipment.models import QCResult
    from nmguard.apps.patients.models import Administration

    latest = timezone.now() + dt.timedelta(minutes=1)
    assert not QCResult.objects.filter(performed_at__gt=latest).exists()
    assert not Administration.objects.filter(administered_at__gt=latest).exists()


@pytest.mark.parametrize("clock", ["00:30", "23:50"])
def test_demo_loads_at_night_in_the_department_zone(clock):
    hour, minute = map(int, clock.split(":"))
    zone = zoneinfo.ZoneInfo("Europe/Vienna")
    today = dt.datetime.now(zone).date()
    _load_at(dt.datetime.combine(today, dt.time(hour, minute), tzinfo=zone))


@override_settings(TIME_ZONE="Pacific/Auckland")
def test_demo_loads_in_a_zone_far_from_utc():
    zone = zoneinfo.ZoneInfo("Pacific/Auckland")
    today = dt.datetime.now(zone).date()
    _load_at(dt.datetime.combine(today, dt.time(0, 30), tzinfo=zone))
