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
