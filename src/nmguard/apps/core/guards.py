"""Checks every area's services make before they change records: who may act, and when."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from nmguard.apps.core.roles import Role
from nmguard.errors import InputError


def require_role(user, *roles: Role, what: str) -> None:
    """Refuse unless ``user`` holds one of ``roles`` (the action is named in the message)."""
    names = set(user.groups.values_list("name", flat=True))
    if not names & {r.value for r in roles}:
        raise InputError(f"{what} needs the role {', '.join(r.label for r in roles)}", "user")


def check_not_future(value: dt.datetime, field: str) -> dt.datetime:
    """Aware, and not later than now plus the configured margin (clocks of devices differ a little)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{field}: the time must carry a UTC offset", field)
    margin = settings.NMGUARD_FUTURE_MARGIN_MINUTES
    if value > timezone.now() + dt.timedelta(minutes=margin):
        raise InputError(f"{field}: {value.isoformat()} lies more than {margin} min in the future", field)
    return value
