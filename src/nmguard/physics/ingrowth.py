"""Parent → daughter ingrowth (Bateman solution for a two-member chain).

A_d(t) = A_d(0)·e^(−λd t) + f·A_p(0)·λd/(λd − λp)·(e^(−λp t) − e^(−λd t)),
with f the fraction of parent decays that feed the daughter (Mo-99 → Tc-99m about 0.88).
Used for generators (Mo-99/Tc-99m, Ge-68/Ga-68, Sr-82/Rb-82): the activity available since the
last elution.
"""

from __future__ import annotations

import math

from nmguard.errors import InputError
from nmguard.physics.decay import LN2


def daughter_activity(
    parent_Bq: float,
    parent_half_life_s: float,
    daughter_half_life_s: float,
    elapsed_s: float,
    branch_fraction: float = 1.0,
    daughter_Bq: float = 0.0,
) -> float:
    """Daughter activity after ``elapsed_s`` from parent and daughter activities at time zero."""
    if parent_Bq < 0 or daughter_Bq < 0:
        raise InputError("activity cannot be negative", "activity")
    if elapsed_s < 0:
        raise InputError("ingrowth time cannot be negative", "elapsed")
    if not 0.0 <= branch_fraction <= 1.0:
        raise InputError("branch fraction must lie between 0 and 1", "branch_fraction")
    if parent_half_life_s <= 0 or daughter_half_life_s <= 0:
        raise InputError("half-lives must be positive", "half_life")
    lp, ld = LN2 / parent_half_life_s, LN2 / daughter_half_life_s
    carried = daughter_Bq * math.exp(-ld * elapsed_s)
    if math.isclose(lp, ld, rel_tol=1e-9):
        # limit λd → λp: f·A_p(0)·λ·t·e^(−λt)
        grown = branch_fraction * parent_Bq * ld * elapsed_s * math.exp(-ld * elapsed_s)
    else:
        # e^(−λp t) − e^(−λd t) written with expm1 to stay accurate for short times
        diff = math.exp(-lp * elapsed_s) * -math.expm1(-(ld - lp) * elapsed_s)
        grown = branch_fraction * parent_Bq * ld / (ld - lp) * diff
    return carried + grown


def parent_daughter_activity(
    parent_Bq: float,
    parent_half_life_s: float,
    daughter_half_life_s: float,
    elapsed_s: float,
    branch_fraction: float = 1.0,
    daughter_Bq: float = 0.0,
) -> tuple[float, float]:
    """(parent, daughter) activities after ``elapsed_s``."""
    parent = parent_Bq * math.exp(-LN2 * elapsed_s / parent_half_life_s)
    daughter = daughter_activity(
        parent_Bq, parent_half_life_s, daughter_half_life_s, elapsed_s, branch_fraction, daughter_Bq
    )
    return parent, daughter


def time_of_maximum_daughter(parent_half_life_s: float, daughter_half_life_s: float) -> float:
    """Seconds after a clean separation (daughter = 0) at which the daughter activity peaks.

    t_max = ln(λd/λp)/(λd − λp), from dA_d/dt = 0; only defined for a shorter-lived daughter.
    """
    if not daughter_half_life_s < parent_half_life_s:
        raise InputError("the daughter activity peaks only when the daughter is shorter-lived", "half_life")
    lp, ld = LN2 / parent_half_life_s, LN2 / daughter_half_life_s
    return math.log(ld / lp) / (ld - lp)
