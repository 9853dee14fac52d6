"""How every page prints a time, a number, an activity and a person (built in to every template).

- ``{{ t|when }}`` → ``2026-12-06 09:30 CET``: the department's zone, named, no seconds or
  microseconds; ``{{ t|when:"time" }}`` → ``09:30 CET``; ``{{ t|when:"date" }}`` → ``2026-12-06``;
  ``{{ t|when:"seconds" }}`` keeps the seconds (the audit trail).
- ``{{ x|sig }}`` / ``{{ x|sig:4 }}`` → significant figures in plain notation (never ``2e+04``).
- ``{{ bq|activity }}`` → ``740 MBq`` (unit chosen by magnitude, 4 significant figures).
- ``{{ user|person }}`` → the user's display name, or ``—`` when there is none (never "None").
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from nmguard.physics.display import format_sig
from nmguard.physics.units import format_activity

register = template.Library()

_FORMATS = {
    "": "%Y-%m-%d %H:%M %Z",
    "datetime": "%Y-%m-%d %H:%M %Z",
    "seconds": "%Y-%m-%d %H:%M:%S %Z",
    "time": "%H:%M %Z",
    "date": "%Y-%m-%d",
}


@register.filter
def when(value: dt.datetime | dt.date | None, style: str = "") -> str:
    """An instant in the department's zone with the zone's name, so no reader guesses UTC or local."""
    if value in (None, ""):
        return "–"
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise ValueError("naive datetime reached a page: store and pass aware instants")
        return timezone.localtime(value).strftime(_FORMATS.get(style, _FORMATS[""]))
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


@register.filter
def sig(value, digits: int = 3) -> str:
    """A number to ``digits`` significant figures in plain notation; ``–`` for none."""
    if value in (None, ""):
        return "–"
    try:
        return format_sig(float(value), int(digits))
    except (TypeError, ValueError):
        return str(value)


@register.filter
def activity(value_Bq) -> str:
    """Becquerel → ``740 MBq`` (or GBq/kBq as fits), 4 significant figures."""
    if value_Bq in (None, ""):
        return "–"
    return format_activity(float(value_Bq))


@register.filter
def person(user) -> str:
    """Who did it, by name; an em dash when nobody is recorded (never the word None)."""
    if user in (None, ""):
        return "—"
    return str(user)
