"""Bounds on every value that crosses the boundary (form, API, CLI): one place, shared by all three.

Why: fuzzing (issue 12) found server errors from values that parse but cannot be computed with or stored:
years 0001 and 9999 (the UTC conversion or a decay to now overflows), lone surrogates and NUL bytes (the
database cannot store them), 100 000-character names, 5e-324 activities (a division by them overflows),
ids beyond 2^63 (the database's integer). Each check raises :class:`~nmguard.errors.InputError` naming the
field, which every layer already maps (CLI exit 2, API 422, form error by the field).

Two kinds of bound live here:

* representation bounds (what a computer can hold and compute with: finite numbers, ids within a
  signed 64-bit integer, text without NUL or lone surrogates, dates within 1900..2200): plain constants;
* clinical plausibility (how far ahead a generator's calibration may lie, the least and largest activity of
  a record): reference data with a source and a status, passed in by the caller from
  :mod:`nmguard.reference.hotlab_plausibility` / :mod:`nmguard.reference.administration_plausibility`.

This module is in the pure layer: no Django import.
"""

from __future__ import annotations

import datetime as dt
import math

from nmguard.errors import InputError

# A signed 64-bit integer: the primary keys of both databases (BigAutoField) and SQLite's INTEGER.
ID_MIN = 1
ID_MAX = 2**63 - 1

# No record of a department lies before 1900 (birth dates included: administration_plausibility.toml
# earliest_birth_year) nor after 2200; both keep every decay, age and UTC conversion finite.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2200, 12, 31)

# Text: the longest free text a record keeps (a note, a reason). Model fields with their own max_length
# are checked against that length by the caller.
MAX_TEXT = 10_000

# Physical quantities entered at the boundary: finite, and within these representation bounds. A value
# outside is a typing error (or an attack), not a measurement. Units are the stored SI ones.
QUANTITY_BOUNDS: dict[str, tuple[float, float, str]] = {
    # kind: (smallest non-zero, largest, unit shown)
    "activity": (1e-3, 1e16, "Bq"),  # 1 mBq .. 10 PBq: no nuclear-medicine record lies outside
    "volume": (1e-6, 1e4, "mL"),  # 1 nL .. 10 L
    "mass": (1e-3, 1e3, "kg"),  # 1 g .. 1 t (a patient's weight, a sample's mass)
    "dose_rate": (0.0, 1e9, "µSv/h"),
    "surface": (0.0, 1e12, "Bq/cm²"),
    "count": (0.0, 1e15, "1"),
    "duration": (1e-3, 1e9, "s"),
    "factor": (0.0, 1e6, "1"),
}


def check_id(value: int, field: str = "id") -> int:
    """An id the database can hold; outside, no such record (the caller answers 404, not 500)."""
    if isinstance(value, bool) or not isinstance(value, int) or not ID_MIN <= value <= ID_MAX:
        raise InputError(f"{field}: no record has the id {str(value)[:40]}", field)
    return value


def id_in_range(value: object) -> bool:
    """Whether ``value`` can be an id of a stored record (an int, or the digits of one, in 1..2^63-1)."""
    try:
        number = int(str(value))
    except ValueError:
        return False
    return ID_MIN <= number <= ID_MAX


def check_text(value: str, field: str, *, max_length: int = MAX_TEXT, required: bool = False) -> str:
    """Text the database can store and a person can read: no NUL, no lone surrogate, not too long,
    not blank where required."""
    if not isinstance(value, str):
        raise InputError(f"{field}: text expected", field)
    if "\x00" in value:
        raise InputError(f"{field}: contains a NUL character", field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{field}: contains a character that is not valid Unicode (a lone surrogate)", field) from None
    if len(value) > max_length:
        raise InputError(f"{field}: at most {max_length} characters ({len(value)} given)", field)
    if required and not value.strip():
        raise InputError(f"{field}: required", field)
    return value


def check_quantity(
    value: float,
    field: str,
    kind: str,
    *,
    allow_zero: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """A finite, non-negative quantity of ``kind`` (see :data:`QUANTITY_BOUNDS`, SI as stored) within its
    bounds; zero only where ``allow_zero``. ``minimum``/``maximum`` narrow the bounds (reference data)."""
    low, high, unit = QUANTITY_BOUNDS[kind]
    low = low if minimum is None else max(low, minimum)
    high = high if maximum is None else min(high, maximum)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{field}: a number expected, got {str(value)[:40]!r}", field) from None
    if not math.isfinite(number):
        raise InputError(f"{field}: {str(value)[:40]} is not a finite number", field)
    if number == 0 and allow_zero:
        return 0.0
    if number < 0:
        raise InputError(f"{field}: cannot be negative ({number:g} {unit})", field)
    if number == 0:
        raise InputError(f"{field}: must be positive, got 0 {unit}", field)
    if number < low:
        raise InputError(f"{field}: {number:g} {unit} is implausibly small (at least {low:g} {unit})", field)
    if number > high:
        raise InputError(f"{field}: {number:g} {unit} is implausibly large (at most {high:g} {unit})", field)
    return number


def check_number(value: float, field: str, *, low: float, high: float, unit: str = "") -> float:
    """A finite number in ``low..high`` (for inputs without a physical kind: a weight given as text, a
    percent)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{field}: a number expected, got {str(value)[:40]!r}", field) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise InputError(f"{field}: {str(value)[:40]} outside {low:g}..{high:g}{(' ' + unit) if unit else ''}", field)
    return number


def check_date(
    value: dt.date, field: str, *, latest: dt.date | None = None, earliest: dt.date | None = None
) -> dt.date:
    """A calendar date within 1900..2200 (narrowed by ``earliest``/``latest``)."""
    low = max(EARLIEST_DATE, earliest) if earliest else EARLIEST_DATE
    high = min(LATEST_DATE, latest) if latest else LATEST_DATE
    day = value.date() if isinstance(value, dt.datetime) else value
    if day < low:
        raise InputError(f"{field}: {day.isoformat()} lies too far in the past (before {low.isoformat()})", field)
    if day > high:
        raise InputError(f"{field}: {day.isoformat()} lies too far in the future (after {high.isoformat()})", field)
    return value


def check_instant(
    value: dt.datetime, field: str, *, now: dt.datetime | None = None, ahead: dt.timedelta | None = None
) -> dt.datetime:
    """An aware instant within 1900..2200 whose UTC conversion does not overflow; with ``now`` and
    ``ahead``, not later than ``now + ahead`` (how far ahead this kind of time may plausibly lie)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{field}: the time must carry a UTC offset", field)
    try:
        utc = value.astimezone(dt.UTC)
    except OverflowError:
        raise InputError(f"{field}: {value.isoformat()} lies outside the calendar", field) from None
    check_date(utc.date(), field)
    if now is not None and ahead is not None and utc > now + ahead:
        days = ahead.total_seconds() / 86400
        raise InputError(
            f"{field}: {value.isoformat()} lies implausibly far ahead (at most {days:g} d after now)", field
        )
    return value


def plausible_or_reason(compute, *args, **kwargs) -> tuple[float | None, str]:
    """``compute(*args, **kwargs)`` for a page that shows stored records: the number, or ``None`` and why it
    cannot be computed (an overflow, a non-finite result, a bad stored value), so the page shows the record
    flagged instead of failing."""
    try:
        number = compute(*args, **kwargs)
    except (OverflowError, ZeroDivisionError, ValueError, ArithmeticError) as exc:
        return None, str(exc) or type(exc).__name__
    if number is None or not math.isfinite(number):
        return None, f"not a finite number ({number})"
    return number, ""


def parse_instant(text: str, field: str, *, now: dt.datetime | None = None, ahead: dt.timedelta | None = None):
    """An ISO 8601 instant with a UTC offset, read by :func:`nmguard.physics.units.parse_instant`, within
    the bounds of :func:`check_instant`."""
    from nmguard.physics import units

    check_text(str(text), field, max_length=100)
    return check_instant(units.parse_instant(text, field), field, now=now, ahead=ahead)


def parse_activity(text: str, field: str, *, allow_zero: bool = False, maximum: float | None = None) -> float:
    """An activity such as ``"740 MBq"`` read by :func:`nmguard.physics.units.parse_activity`, finite and
    within the activity bounds (zero only where ``allow_zero``)."""
    from nmguard.physics import units

    check_text(str(text), field, max_length=100)
    return check_quantity(units.parse_activity(text, field), field, "activity", allow_zero=allow_zero, maximum=maximum)


def _non_finite(value: object, path: str = "") -> str | None:
    """The key path of the first NaN or infinite number in a JSON-ready result, if any."""
    if isinstance(value, float) and not math.isfinite(value):
        return path or "result"
    if isinstance(value, dict):
        for key, item in value.items():
            found = _non_finite(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = _non_finite(item, f"{path}[{i}]")
            if found:
                return found
    return None


def finite_result(function):
    """Decorator of a calculator façade function: inputs that make the arithmetic overflow or divide by
    zero, or a result with NaN or infinity, are bad input (CLI exit 2, API 422), never a crash or a NaN
    printed with exit 0."""
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            result = function(*args, **kwargs)
        except (OverflowError, ZeroDivisionError) as exc:
            raise InputError(f"the inputs give no finite result ({exc or type(exc).__name__})") from None
        where = _non_finite(result)
        if where:
            raise InputError(f"the inputs give no finite result ({where} is not a finite number)")
        return result

    return wrapper
