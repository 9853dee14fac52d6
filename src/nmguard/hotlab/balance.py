"""Activity balance: a preparation cannot hold more than the decay-corrected source it was made from.

The source (an eluate, or a delivered stock vial) had ``source_Bq`` at ``source_at``. Every preparation
drawn from it is decayed back to ``source_at`` with the nuclide's half-life, and their sum may exceed the
source by at most the tolerance (the accuracy tolerance of the activity meter, from reference data).
A preparation made before the source existed is refused too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nmguard.errors import InputError
from nmguard.hotlab._common import check_activity, check_instant
from nmguard.physics.decay import decay_factor, elapsed_seconds
from nmguard.physics.display import format_sig
from nmguard.physics.units import format_activity
from nmguard.reference.hotlab_plausibility import hotlab_plausibility
from nmguard.reference.nuclides import get_nuclide


@dataclass(frozen=True)
class Draw:
    """Activity of one preparation at its preparation time."""

    activity_Bq: float
    at: dt.datetime


@dataclass(frozen=True)
class Balance:
    source_Bq: float
    used_Bq: float  # all draws decayed to the source time
    tolerance_percent: float
    source_at_new_draw_Bq: float  # what the whole source holds at the new draw's time

    @property
    def excess_percent(self) -> float:
        return 100.0 * (self.used_Bq / self.source_Bq - 1.0)

    @property
    def conserved(self) -> bool:
        return self.excess_percent <= self.tolerance_percent


def check_activity_balance(
    nuclide: str,
    source_Bq: float,
    source_at: dt.datetime,
    earlier: list[Draw],
    new: Draw,
    *,
    source_name: str = "eluate",
    field: str = "activity",
) -> Balance:
    """Refuse ``new`` when it, with the ``earlier`` draws, holds more than the decay-corrected source."""
    half_life = get_nuclide(nuclide).half_life_s
    check_activity(source_Bq, "source_activity")
    check_instant(source_at, "source_at")
    check_instant(new.at, "prepared_at")
    if elapsed_seconds(source_at, new.at) < 0:
        raise InputError(f"the preparation time lies before the {source_name} time", "prepared_at")
    used = sum(d.activity_Bq / decay_factor(half_life, elapsed_seconds(source_at, d.at)) for d in [*earlier, new])
    tolerance = hotlab_plausibility().activity_balance_tolerance_percent.value
    at_new = source_Bq * decay_factor(half_life, elapsed_seconds(source_at, new.at))
    balance = Balance(source_Bq, used, tolerance, at_new)
    if not balance.conserved:
        left = max(
            0.0, at_new - sum(d.activity_Bq * decay_factor(half_life, elapsed_seconds(d.at, new.at)) for d in earlier)
        )
        raise InputError(
            f"{format_activity(new.activity_Bq)} is more than the {source_name} holds: "
            f"{format_activity(source_Bq)} {nuclide} decays to {format_activity(at_new)} by the preparation time"
            + (f", of which {format_activity(left)} is left after the earlier preparations" if earlier else "")
            + f" (excess {format_sig(balance.excess_percent, 3)} %, tolerance {format_sig(tolerance, 3)} %)",
            field,
        )
    return balance
