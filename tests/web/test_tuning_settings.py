"""Job and audit tuning from the environment (docs/deployment.md): set only when given, refused when wrong."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from nmguard.web.settings import _tuning_from_environment

NAMES = (
    "NMGUARD_JOB_HEARTBEAT_S",
    "NMGUARD_JOB_LEASE_S",
    "NMGUARD_JOB_MAX_ATTEMPTS",
    "NMGUARD_AUDIT_CHECKPOINT_EVERY",
    "NMGUARD_AUDIT_CHECKPOINTS",
)


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)


def test_nothing_set_leaves_the_modules_defaults():
    assert _tuning_from_environment() == {}


def test_values_are_read_with_their_types(monkeypatch):
    monkeypatch.setenv("NMGUARD_JOB_LEASE_S", "120")
    monkeypatch.setenv("NMGUARD_JOB_MAX_ATTEMPTS", "5")
    monkeypatch.setenv("NMGUARD_AUDIT_CHECKPOINTS", "0")
    assert _tuning_from_environment() == {
        "NMGUARD_JOB_LEASE_S": 120.0,
        "NMGUARD_JOB_MAX_ATTEMPTS": 5,
        "NMGUARD_AUDIT_CHECKPOINTS": False,
    }


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("NMGUARD_JOB_LEASE_S", "a minute", "is not a number"),
        ("NMGUARD_JOB_MAX_ATTEMPTS", "2.5", "is not a number"),
        ("NMGUARD_JOB_HEARTBEAT_S", "-1", "must not be negative"),
    ],
)
def test_a_wrong_value_stops_the_start_naming_the_variable(monkeypatch, name, text, says):
    monkeypatch.setenv(name, text)
    with pytest.raises(ImproperlyConfigured, match=f"{name}=.*{says}"):
        _tuning_from_environment()
