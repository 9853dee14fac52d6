"""Shared fixtures: users per role, the acting user for audited changes."""

from __future__ import annotations

import os
import tempfile

import pytest

pytest_plugins = ["tests.department"]

# Generated dose kernels are cached on disk (nmguard.dosimetry.kernel_cache): a test run keeps its own cache,
# cold at the start, instead of writing into the user's cache folder (subprocesses inherit the variable).
os.environ.setdefault("NMGUARD_CACHE_DIR", tempfile.mkdtemp(prefix="nmguard-test-cache-"))

PASSWORD = "correct-horse-battery-7"


@pytest.fixture
def make_user(db):
    from nmguard.apps.core.users import create_user

    def _make(role: str = "technologist", username: str | None = None, password: str = PASSWORD):
        return create_user(
            username or role, password, [role], display_name=f"Test {role}", actor="pytest", check_password=False
        )

    return _make


@pytest.fixture
def admin_user(make_user):
    return make_user("administrator", "admin1")


@pytest.fixture
def physicist(make_user):
    return make_user("physicist", "phys1")


@pytest.fixture
def as_physicist(physicist):
    from nmguard.apps.core.actor import acting_as

    with acting_as(physicist, reason="test"):
        yield physicist


def pytest_collection_modifyitems(config, items):
    """Every test that reaches the database carries the django_db marker, so that the PostgreSQL run
    (``-m django_db``) selects all of them, also those that only ask for a fixture using ``db``.
    Under ``NMGUARD_TEST_CLOCK`` the tests marked ``real_clock`` are skipped: the pinned clock does
    not reach the child process they compare with."""
    import os

    pinned = os.environ.get("NMGUARD_TEST_CLOCK")
    for item in items:
        if pinned and item.get_closest_marker("real_clock"):
            item.add_marker(pytest.mark.skip(reason="the pinned test clock does not reach a child process"))
        if item.get_closest_marker("django_db") is None and {"db", "transactional_db"} & set(item.fixturenames):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(autouse=True, scope="session")
def _department_clock():
    """``NMGUARD_TEST_CLOCK=00:30`` runs the whole suite as if it were 00:30 today in the department's
    zone (the clock still ticks). No test may depend on the hour at which it runs: CI runs at any
    hour, so the suite is run at 00:30 and 23:50 this way before a change lands."""
    import os

    clock = os.environ.get("NMGUARD_TEST_CLOCK")
    if not clock:
        yield
        return
    import datetime as dt
    import zoneinfo

    import time_machine
    from django.conf import settings

    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    hour, minute = map(int, clock.split(":"))
    moment = dt.datetime.combine(dt.datetime.now(zone).date(), dt.time(hour, minute), tzinfo=zone)
    with time_machine.travel(moment, tick=True):
        yield
