"""Refusals of a QC check source by other apps (e.g. protection: a withdrawn or leaking sealed source).

Why a registry: equipment must not import protection (the apps would import each other); protection's
AppConfig appends its callable here, and the QC service asks every one before it stores a constancy result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

# each takes (CheckSource, local day) and returns why the source may not be used that day, or None
SOURCE_REFUSALS: list[Callable[[object, dt.date], str | None]] = []


def check_source_refusal(source, day: dt.date) -> str | None:
    """The first reason a registered app gives for refusing ``source`` on ``day``, or None."""
    for refuse in SOURCE_REFUSALS:
        if reason := refuse(source, day):
            return reason
    return None
