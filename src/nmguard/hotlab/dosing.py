"""Dosing from a stock vial: activity concentration at a time, the volume to draw, and expiry.

Activity concentration C(t) = A_cal/V · 2^(−(t − t_cal)/T½) (no ingrowth; the vial's volume is the
calibrated volume). The volume to draw for a dose that must hold ``want`` at the injection time ``at`` is

    V = want / C(at),

whatever the instant the syringe is filled: a volume V drawn at any time t_d holds C(t_d)·V then and
C(t_d)·V·2^(−(at − t_d)/T½) = C(at)·V at the injection, because C itself decays with the same half-life.
The syringe should read want·2^((at − t_d)/T½) on the activity meter when it is filled at t_d
(``drawn_at``).
"""

from __future__ import annotations

import datetime as dt
import math

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError
from nmguard.hotlab._common import check_activity, check_instant, iso, sourced_quantity
from nmguard.physics.decay import LN2, elapsed_seconds
from nmguard.physics.display import format_sig
from nmguard.physics.volume import check_volume_mL
from nmguard.reference.nuclides import Nuclide, get_nuclide


def _nuclide(name: str) -> Nuclide:
    try:
        return get_nuclide(name)
    except InputError as exc:
        raise InputError(exc.message, "nuclide") from None


def concentration_at(
    nuclide: str, stock_activity_Bq: float, stock_volume_mL: float, calibrated_at: dt.datetime, at: dt.datetime
) -> float:
    """Activity concentration (Bq/mL) of the stock at ``at`` (forwards or backwards from ``calibrated_at``)."""
    n = _nuclide(nuclide)
    a = check_activity(stock_activity_Bq, "stock_activity")
    v = check_volume_mL(stock_volume_mL, "stock_volume")
    elapsed = elapsed_seconds(check_instant(calibrated_at, "calibrated_at"), check_instant(at, "at"))
    return a / v * math.exp(-LN2 * elapsed / n.half_life_s)


def draw_volume(
    nuclide: str,
    stock_activity_Bq: float,
    stock_volume_mL: float,
    calibrated_at: dt.datetime,
    want_Bq: float,
    at: dt.datetime,
    drawn_at: dt.datetime | None = None,
) -> AnalysisResult:
    """Volume (mL) to draw from the stock so that the syringe holds ``want_Bq`` at the injection time ``at``.

    The volume does not depend on when the syringe is filled (see the module docstring); with ``drawn_at``
    the result also gives the activity the syringe should read then. Refused when the whole stock holds
    less than ``want_Bq`` at ``at``.
    """
    n = _nuclide(nuclide)
    want = check_activity(want_Bq, "want")
    conc = concentration_at(n.name, stock_activity_Bq, stock_volume_mL, calibrated_at, at)
    volume = want / conc
    if volume > stock_volume_mL:
        raise InputError(
            f"want: the stock holds only {format_sig(conc * stock_volume_mL / 1e6, 4)} MBq of {n.name} at {iso(at)}, "
            f"less than the {format_sig(want / 1e6, 4)} MBq wanted",
            "want",
        )
    values = {
        "volume_mL": Quantity(volume, "mL"),
        "concentration_at_injection_MBq_per_mL": Quantity(conc / 1e6, "MBq/mL"),
        "stock_activity_at_injection_MBq": Quantity(conc * stock_volume_mL / 1e6, "MBq"),
        "decay_factor_calibration_to_injection": Quantity(
            math.exp(-LN2 * elapsed_seconds(calibrated_at, at) / n.half_life_s), ""
        ),
        "half_life_s": sourced_quantity(n.half_life, unit="s"),
    }
    warnings: list[str] = []
    if drawn_at is not None:
        check_instant(drawn_at, "drawn_at")
        if drawn_at > at:
            raise InputError(f"drawn_at: {iso(drawn_at)} lies after the injection time {iso(at)}", "drawn_at")
        values["activity_at_draw_MBq"] = Quantity(
            want * math.exp(LN2 * elapsed_seconds(drawn_at, at) / n.half_life_s) / 1e6,
            "MBq",
            note="what the syringe should read on the activity meter when filled",
        )
    if volume < 0.1:
        warnings.append(f"{format_sig(volume)} mL is a small volume to draw accurately; consider diluting the stock")
    return AnalysisResult(
        analysis="draw-volume",
        inputs={
            "nuclide": n.name,
            "stock_activity_Bq": stock_activity_Bq,
            "stock_volume_mL": stock_volume_mL,
            "calibrated_at": iso(calibrated_at),
            "want_Bq": want,
            "at": iso(at),
            "drawn_at": iso(drawn_at) if drawn_at else None,
        },
        parameters={"model": "physical decay only; volume = want / C(at)"},
        values=values,
        warnings=tuple(warnings),
    )


def expiry(
    prepared_at: dt.datetime,
    shelf_life_h: float,
    *,
    nuclide: str | None = None,
    stock_activity_Bq: float | None = None,
    stock_volume_mL: float | None = None,
    calibrated_at: dt.datetime | None = None,
    min_concentration_Bq_per_mL: float | None = None,
    at: dt.datetime | None = None,
) -> AnalysisResult:
    """End of use of a preparation: the shelf life from ``prepared_at`` and, when a minimum useful
    concentration is given, the time the concentration falls below it — whichever comes first.

    The concentration needs ``nuclide``, ``stock_activity_Bq`` and ``stock_volume_mL`` at ``calibrated_at``
    (default ``prepared_at``); it falls below C_min at t_cal + T½·log2(C_cal/C_min). With ``at`` the result
    says whether the preparation has expired then (``expired``).
    """
    check_instant(prepared_at, "prepared_at")
    if (
        isinstance(shelf_life_h, bool)
        or not isinstance(shelf_life_h, (int, float))
        or not (math.isfinite(shelf_life_h) and shelf_life_h > 0)
    ):
        raise InputError(f"shelf_life: must be a positive number of hours, got {shelf_life_h!r}", "shelf_life")
    shelf_end = prepared_at + dt.timedelta(hours=shelf_life_h)
    values: dict[str, Quantity] = {"shelf_life_end": Quantity(iso(shelf_end), "ISO 8601")}
    below: dt.datetime | None = None
    warnings: list[str] = []
    if min_concentration_Bq_per_mL is not None:
        if nuclide is None or stock_activity_Bq is None or stock_volume_mL is None:
            raise InputError(
                "min_concentration: needs the nuclide, stock activity and stock volume", "min_concentration"
            )
        cmin = check_activity(min_concentration_Bq_per_mL, "min_concentration")
        n = _nuclide(nuclide)
        cal = prepared_at if calibrated_at is None else check_instant(calibrated_at, "calibrated_at")
        c_cal = concentration_at(n.name, stock_activity_Bq, stock_volume_mL, cal, cal)
        below = cal + dt.timedelta(seconds=n.half_life_s * math.log2(c_cal / cmin))
        values["below_minimum_concentration_at"] = Quantity(iso(below), "ISO 8601")
        values["half_life_s"] = sourced_quantity(n.half_life, unit="s")
        if below <= prepared_at:
            warnings.append("the concentration is already below the minimum at preparation")
    if below is not None and below < shelf_end:
        expires, limited_by = below, "minimum-concentration"
    else:
        expires, limited_by = shelf_end, "shelf-life"
    values["expires_at"] = Quantity(iso(expires), "ISO 8601")
    values["limited_by"] = Quantity(limited_by)
    if at is not None:
        check_instant(at, "at")
        values["expired"] = Quantity(at >= expires)
    return AnalysisResult(
        analysis="preparation-expiry",
        inputs={
            "prepared_at": iso(prepared_at),
            "shelf_life_h": shelf_life_h,
            "nuclide": nuclide,
            "stock_activity_Bq": stock_activity_Bq,
            "stock_volume_mL": stock_volume_mL,
            "calibrated_at": iso(calibrated_at) if calibrated_at else None,
            "min_concentration_Bq_per_mL": min_concentration_Bq_per_mL,
            "at": iso(at) if at else None,
        },
        parameters={"rule": "earliest of shelf-life end and the time the concentration falls below the minimum"},
        values=values,
        warnings=tuple(warnings),
    )
