"""Shared set-up of the monitoring tests: a counter, a survey meter and locations, created through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

COUNTER_EFF = {"Tc-99m": 0.5, "I-131": 0.3}


def local(day: dt.date, hh: int, mm: int) -> dt.datetime:
    """An aware instant at a local wall-clock time of the department."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


def set_profile(jurisdiction: str, user) -> None:
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.core.models import Department

    with acting_as(user, reason="test"):
        d = Department.objects.first() or Department(name="Test NM")
        d.jurisdiction = jurisdiction
        d.save()


@pytest.fixture
def rpo(make_user):
    return make_user("rpo", "rpo1")


@pytest.fixture
def kit(rpo):
    """A wipe counter (efficiencies for Tc-99m and I-131), a dose-rate meter, a wipe location (hot lab bench,
    Tc-99m, controlled, weekly) and a dose-rate location (waiting room, public, daily)."""
    from nmguard.apps.protection import survey_services as s

    today = timezone.localdate()
    counter = s.create_instrument(
        rpo, name="Well counter", kind="wipe_counter", serial="WC-1", calibrated_on=today - dt.timedelta(days=200),
        calibration_due=today + dt.timedelta(days=165), check_reference=10000, check_unit="cpm",
        efficiencies=COUNTER_EFF,
    )  # fmt: skip
    meter = s.create_instrument(
        rpo, name="Survey meter", kind="dose_rate_meter", serial="SM-1", calibrated_on=today - dt.timedelta(days=30),
        calibration_due=today + dt.timedelta(days=335), check_reference=5.0, check_unit="uSv/h",
    )  # fmt: skip
    bench = s.create_location(
        rpo, name="Hot lab bench", area_kind="controlled", survey_kind="wipe", frequency="weekly", nuclide="Tc-99m",
        first_due=today - dt.timedelta(days=60),
    )  # fmt: skip
    waiting = s.create_location(
        rpo, name="Waiting room", area_kind="public", survey_kind="dose_rate", frequency="daily",
        first_due=today - dt.timedelta(days=60),
    )  # fmt: skip
    return {"counter": counter, "meter": meter, "bench": bench, "waiting": waiting, "today": today}


WIPE = {"gross_counts": 1200, "gross_time_s": 60, "background_counts": 600, "background_time_s": 600, "area_cm2": 100}
