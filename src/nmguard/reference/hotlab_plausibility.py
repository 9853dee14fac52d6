"""Plausibility limits of the hot lab (``data/hotlab_plausibility.toml``).

The elution yield above which the radiopharmacist must record a reason, the tolerance of the
activity balance between an eluate (or stock) and the preparations made from it, and how far after
receipt a generator's or a delivery's calibration may lie. Each value carries
its source and status; the department changes the file, not the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nmguard.reference._files import read_toml
from nmguard.reference._sourced import sourced_entry
from nmguard.reference.citations import SourcedValue

HOTLAB_PLAUSIBILITY_FILE = "hotlab_plausibility.toml"


@dataclass(frozen=True)
class HotlabPlausibility:
    yield_reason_above_percent: SourcedValue
    activity_balance_tolerance_percent: SourcedValue
    generator_calibration_ahead_days: SourcedValue
    delivery_calibration_ahead_days: SourcedValue


@cache
def hotlab_plausibility() -> HotlabPlausibility:
    data = read_toml(HOTLAB_PLAUSIBILITY_FILE)
    where = HOTLAB_PLAUSIBILITY_FILE
    return HotlabPlausibility(
        yield_reason_above_percent=sourced_entry(data["elution"]["yield_reason_above_percent"], f"{where} [elution]"),
        activity_balance_tolerance_percent=sourced_entry(
            data["activity_balance"]["tolerance_percent"], f"{where} [activity_balance]"
        ),
        generator_calibration_ahead_days=sourced_entry(
            data["calibration"]["generator_ahead_days"], f"{where} [calibration]"
        ),
        delivery_calibration_ahead_days=sourced_entry(
            data["calibration"]["delivery_ahead_days"], f"{where} [calibration]"
        ),
    )
