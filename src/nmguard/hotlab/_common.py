"""Small checks shared by the hot-lab modules."""

from __future__ import annotations

import datetime as dt
import math

from nmguard.analysis import Quantity
from nmguard.errors import InputError
from nmguard.reference.citations import SourcedValue


def check_instant(value: dt.datetime, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{field}: a time with a UTC offset is required, got {value!r}", field)
    return value


def check_activity(value: float, field: str, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{field}: activity must be a finite number of Bq, got {value!r}", field)
    if value < 0 or (value == 0 and not allow_zero):
        raise InputError(f"{field}: activity must be {'zero or ' if allow_zero else ''}positive, got {value!r}", field)
    return float(value)


def iso(value: dt.datetime) -> str:
    return value.isoformat()


def sourced_quantity(v: SourcedValue, unit: str | None = None, value: float | None = None) -> Quantity:
    return Quantity(
        value=v.value if value is None else value,
        unit=unit or v.unit,
        source=v.source.id,
        status=v.status.value,
        note=v.note,
    )


def check_reason(text: str, field: str, what: str) -> str:
    """A reason of substance (not "x" or "ok"): the department's least length and word count, shared with
    the administration overrides (``administration_plausibility.toml`` [override_reason])."""
    from nmguard.reference.administration_plausibility import administration_plausibility

    limits = administration_plausibility()
    reason = (text or "").strip()
    chars = sum(c.isalnum() for c in reason)
    words = len(reason.split())
    min_chars = int(limits.override_reason_min_characters.value)
    min_words = int(limits.override_reason_min_words.value)
    if chars < min_chars or words < min_words:
        raise InputError(
            f"{what}: give a reason of substance (at least {min_words} words and {min_chars} letters or digits)",
            field,
        )
    return reason
