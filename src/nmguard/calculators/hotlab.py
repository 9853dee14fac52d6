"""Hot-lab calculators shared by the CLI and the API: text in (as a person types it), a dict out.

``breakthrough``, ``draw_volume``, ``elution_yield`` and ``expiry`` parse activities ("740 MBq", "20 mCi"),
volumes ("5 mL", "500 µL") and ISO 8601 times with a UTC offset, call :mod:`nmguard.hotlab`, and return
the result's JSON shape (top-level flat keys plus ``values`` with units, sources and statuses). Bad input
raises :class:`~nmguard.errors.InputError` naming the field as the API calls it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from nmguard.errors import InputError
from nmguard.hotlab import dosing, generators
from nmguard.input_bounds import check_instant, check_quantity, finite_result, parse_activity, parse_instant
from nmguard.physics.volume import parse_volume

DEFAULT_FUTURE_MARGIN_MINUTES = generators.DEFAULT_FUTURE_MARGIN_MINUTES


def _activity(text: str, field: str, allow_zero: bool = False) -> float:
    bq = parse_activity(str(text), field, allow_zero=True)
    if bq == 0 and not allow_zero:
        raise InputError(f"{field}: activity must be positive ({text!r})", field)
    return bq


def _instant(text: str | dt.datetime, field: str) -> dt.datetime:
    if isinstance(text, dt.datetime):
        if text.tzinfo is None or text.utcoffset() is None:
            raise InputError(f"{field}: a time with a UTC offset is required", field)
        return check_instant(text, field)
    return parse_instant(str(text), field)


def _optional_instant(text: str | dt.datetime | None, field: str) -> dt.datetime | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    return _instant(text, field)


def _number(value: str | float | None, field: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip().rstrip("%").strip()) if isinstance(value, str) else float(value)
    except ValueError:
        raise InputError(f"{field}: {value!r} is not a number", field) from None
    if not math.isfinite(number):
        raise InputError(f"{field}: {value!r} is not finite", field)
    return number


@finite_result
def breakthrough(
    parent: str,
    parent_activity: str,
    daughter_activity: str,
    measured_at: str | dt.datetime,
    profile: str | None = "nrc",
    *,
    product: str | None = None,
    now: dt.datetime | None = None,
    future_margin_minutes: float = DEFAULT_FUTURE_MARGIN_MINUTES,
) -> dict[str, Any]:
    """Parent per daughter in an eluate (kBq/MBq), the profile's limit, and when the eluate stops meeting it."""
    result = generators.breakthrough(
        parent,
        _activity(parent_activity, "parent_activity", allow_zero=True),
        _activity(daughter_activity, "daughter_activity"),
        _instant(measured_at, "measured_at"),
        profile or "nrc",
        product=product,
        now=now,
        future_margin_minutes=future_margin_minutes,
    )
    return result.to_dict()


@finite_result
def draw_volume(
    nuclide: str,
    stock_activity: str,
    stock_volume: str,
    calibrated_at: str | dt.datetime,
    want: str,
    at: str | dt.datetime,
    drawn_at: str | dt.datetime | None = None,
) -> dict[str, Any]:
    """Volume to draw (mL) so that the syringe holds ``want`` at the injection time ``at``."""
    result = dosing.draw_volume(
        nuclide,
        _activity(stock_activity, "stock_activity"),
        check_quantity(parse_volume(stock_volume, "stock_volume"), "stock_volume", "volume"),
        _instant(calibrated_at, "calibrated_at"),
        _activity(want, "want"),
        _instant(at, "at"),
        drawn_at=_optional_instant(drawn_at, "drawn_at"),
    )
    return result.to_dict()


@finite_result
def elution_yield(
    generator_activity: str,
    calibrated_at: str | dt.datetime,
    last_elution: str | dt.datetime | None,
    eluted: str,
    at: str | dt.datetime,
    parent: str | None = "Mo-99",
    elution_efficiency: str | float | None = None,
) -> dict[str, Any]:
    """Yield of an elution against the theoretical available daughter activity (Bateman ingrowth)."""
    efficiency = _number(elution_efficiency, "elution_efficiency")
    if efficiency is not None and efficiency > 1:  # "90" or "90 %" means per cent
        efficiency /= 100.0
    result = generators.elution_yield(
        _activity(generator_activity, "generator_activity"),
        _instant(calibrated_at, "calibrated_at"),
        _optional_instant(last_elution, "last_elution"),
        _activity(eluted, "eluted", allow_zero=True),
        _instant(at, "at"),
        parent=parent or "Mo-99",
        elution_efficiency=efficiency,
    )
    return result.to_dict()


@finite_result
def expiry(
    prepared_at: str | dt.datetime,
    shelf_life_h: str | float,
    *,
    nuclide: str | None = None,
    stock_activity: str | None = None,
    stock_volume: str | None = None,
    calibrated_at: str | dt.datetime | None = None,
    min_concentration_MBq_per_mL: str | float | None = None,
    at: str | dt.datetime | None = None,
) -> dict[str, Any]:
    """Shelf-life end and, with a minimum concentration, the time the stock falls below it."""
    shelf = _number(shelf_life_h, "shelf_life")
    if shelf is None:
        raise InputError("shelf_life: required (hours)", "shelf_life")
    cmin = _number(min_concentration_MBq_per_mL, "min_concentration")
    result = dosing.expiry(
        _instant(prepared_at, "prepared_at"),
        shelf,
        nuclide=nuclide,
        stock_activity_Bq=_activity(stock_activity, "stock_activity") if stock_activity else None,
        stock_volume_mL=check_quantity(parse_volume(stock_volume, "stock_volume"), "stock_volume", "volume")
        if stock_volume
        else None,
        calibrated_at=_optional_instant(calibrated_at, "calibrated_at"),
        min_concentration_Bq_per_mL=None if cmin is None else cmin * 1e6,
        at=_optional_instant(at, "at"),
    )
    return result.to_dict()
