"""Plausibility limits of the hot lab (``data/hotlab_plausibility.toml``).

The elution yield above which the radiopharmacist must record a reason, and the tolerance of the
activity balance between an eluate (or stock) and the preparations made from it. Each value carries
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


@cache
def hotlab_plausibility() -> HotlabPlausibility:
    data = read_toml(HOTLAB_PLAUSIBILITY_FILE)
    where = HOTLAB_PLAUSIBILITY_FILE
    return HotlabPlausibility(
        yield_reason_above_percent=sourced_entry(data["elution"]["yield_reason_above_percent"], f"{where} [elution]"),
        activity_balance_tolerance_percent=sourced_entry(
            data["activity_balance"]["tolerance_percent"], f"{where} [activity_balance]"
        ),
    )
