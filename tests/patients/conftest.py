"""The administration tests run at a pinned department time (noon of today, the clock ticking), so that
"10 min before the injection" or "later this afternoon" never crosses midnight whatever the hour."""

from __future__ import annotations

import pytest
from tests.patients.clock import at_department_noon


@pytest.fixture(autouse=True)
def _department_noon():
    with at_department_noon():
        yield
