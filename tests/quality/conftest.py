"""Users the quality tests share: the quality manager who investigates, approves and closes, and a technologist
who reports and acknowledges but may not do those."""

from __future__ import annotations

import pytest


@pytest.fixture
def qm(make_user):
    return make_user("quality_manager", "qm1")


@pytest.fixture
def tech(make_user):
    return make_user("technologist", "tech1")
