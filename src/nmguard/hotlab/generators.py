"""Generator calculations: theoretical available activity, elution yield and breakthrough.

Available activity (Bateman, two members): just after an elution the column holds no daughter; after a time
t the daughter activity is A_d(t) = f·A_p(0)·λd/(λd − λp)·(e^(−λp t) − e^(−λd t)), with A_p(0) the parent
activity at that elution and f the fraction of parent decays that feed the daughter (Mo-99 → Tc-99m 0.8778,
``decay_branches.csv``). Elution yield = eluted activity / available activity.

Breakthrough: ratio = parent activity (kBq) per daughter activity (MBq) in the eluate, compared with the
limit of the jurisdiction profile (``breakthrough_limits.csv``). In the eluate both decay, so
ratio(t) = ratio0 · e^((λd − λp) t). For a daughter shorter-lived than the parent the ratio grows and meets
the limit L at t* = ln(L/ratio0)/(λd − λp) ("usable until"). Ingrowth of daughter from the broken-through
parent is left out: it adds at most f·L·λd/(λd − λp) relative to the daughter activity before t*, i.e.
below 2·10⁻⁴ of the ratio for every shipped limit, so t* is shortened by a negligible amount.
"""

from __future__ import annotations

import datetime as dt
import math

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError
from nmguard.hotlab._common import check_activity, check_instant, iso, sourced_quantity
from nmguard.physics.decay import LN2, elapsed_seconds
from nmguard.physics.display import format_sig
from nmguard.physics.ingrowth import daughter_activity
from nmguard.reference.breakthrough import generator_daughter, get_breakthrough_limit
from nmguard.reference.jurisdictions import get_profile
from nmguard.reference.nuclides import Nuclide, get_nuclide

DEFAULT_FUTURE_MARGIN_MINUTES = 10.0


def _nuclide(name: str, field: str) -> Nuclide:
    try:
        return get_nuclide(name)
    except InputError as exc:
        raise InputError(exc.message, field) from None


def _half_life_quantity(n: Nuclide) -> Quantity:
    return sourced_quantity(n.half_life, unit="s")


# --------------------------------------------------------------------------- available activity / yield


def available_activity(
    parent: str,
    parent_activity_Bq: float,
    calibrated_at: dt.datetime,
    last_elution: dt.datetime | None,
    at: dt.datetime,
) -> tuple[float, float, float]:
    """(available daughter Bq at ``at``, parent Bq at the last elution, parent Bq at ``at``).

    ``parent_activity_Bq`` is the parent activity at ``calibrated_at`` (which may lie before or after the
    elutions: the parent is decayed forwards or backwards). With ``last_elution=None`` the ingrowth runs from
    ``calibrated_at`` with no daughter present then (a fresh or fully eluted column at calibration).
    """
    p = _nuclide(parent, "parent")
    daughter = generator_daughter(p.name)
    d = get_nuclide(daughter)
    check_activity(parent_activity_Bq, "generator_activity")
    check_instant(calibrated_at, "calibrated_at")
    check_instant(at, "at")
    start = calibrated_at if last_elution is None else check_instant(last_elution, "last_elution")
    ingrowth_s = elapsed_seconds(start, at)
    if ingrowth_s < 0:
        field = "calibrated_at" if last_elution is None else "last_elution"
        raise InputError(f"{field}: {iso(start)} lies after the elution time {iso(at)}", field)
    lp = LN2 / p.half_life_s
    parent_start = parent_activity_Bq * math.exp(-lp * elapsed_seconds(calibrated_at, start))
    parent_at = parent_activity_Bq * math.exp(-lp * elapsed_seconds(calibrated_at, at))
    fraction = p.branch_fraction_to(daughter)
    available = daughter_activity(parent_start, p.half_life_s, d.half_life_s, ingrowth_s, fraction)
    return available, parent_start, parent_at


def elution_yield(
    generator_activity_Bq: float,
    calibrated_at: dt.datetime,
    last_elution: dt.datetime | None,
    eluted_Bq: float,
    at: dt.datetime,
    parent: str = "Mo-99",
    elution_efficiency: float | None = None,
) -> AnalysisResult:
    """Yield of an elution at ``at`` against the theoretical available daughter activity.

    ``generator_activity_Bq`` is the parent activity at ``calibrated_at``; ``eluted_Bq`` the daughter activity
    measured in the eluate at ``at``. ``last_elution=None`` assumes no daughter on the column at calibration
    (ingrowth from ``calibrated_at``; a warning says so). ``elution_efficiency`` (0–1, e.g. the
    manufacturer's stated fraction) gives the expected eluted activity.
    """
    p = _nuclide(parent, "parent")
    daughter = generator_daughter(p.name)
    d = get_nuclide(daughter)
    eluted = check_activity(eluted_Bq, "eluted", allow_zero=True)
    if elution_efficiency is not None and not (
        isinstance(elution_efficiency, (int, float)) and 0 < elution_efficiency <= 1
    ):
        raise InputError(f"elution_efficiency: must lie in (0, 1], got {elution_efficiency!r}", "elution_efficiency")
    available, parent_last, parent_at = available_activity(
        p.name, generator_activity_Bq, calibrated_at, last_elution, at
    )
    start = calibrated_at if last_elution is None else last_elution
    ingrowth_s = elapsed_seconds(start, at)
    warnings: list[str] = []
    if last_elution is None:
        warnings.append(
            "no last elution given: ingrowth counted from the calibration time with no "
            f"{daughter} on the column then; a column already holding {daughter} gives more"
        )
    if available <= 0:
        raise InputError("at: no ingrowth time since the last elution, nothing is available to elute", "at")
    yield_pct = 100.0 * eluted / available
    if yield_pct > 100.0:
        warnings.append(
            f"yield {yield_pct:.1f} % exceeds 100 %: check the activity meter, the generator "
            "calibration and the time of the last elution"
        )
    fraction = p.branch_fraction_to(daughter)
    branch = next((b for b in p.decay_branches if b.daughter == daughter), None)
    values = {
        "available_Bq": Quantity(available, "Bq", note="Bateman ingrowth since the last elution"),
        "available_MBq": Quantity(available / 1e6, "MBq"),
        "eluted_MBq": Quantity(eluted / 1e6, "MBq"),
        "yield_percent": Quantity(yield_pct, "%"),
        "parent_activity_at_elution_Bq": Quantity(parent_at, "Bq", note=f"{p.name} at the elution time"),
        "parent_activity_at_last_elution_Bq": Quantity(
            parent_last, "Bq", note=f"{p.name} at the start of the ingrowth"
        ),
        "ingrowth_h": Quantity(ingrowth_s / 3600.0, "h"),
        "branch_fraction": Quantity(
            fraction, "", source=branch.source.id if branch else None, status=branch.status.value if branch else None
        ),
        "parent_half_life_s": _half_life_quantity(p),
        "daughter_half_life_s": _half_life_quantity(d),
    }
    if elution_efficiency is not None:
        values["expected_eluted_MBq"] = Quantity(elution_efficiency * available / 1e6, "MBq")
    return AnalysisResult(
        analysis="generator-elution-yield",
        inputs={
            "parent": p.name,
            "daughter": daughter,
            "generator_activity_Bq": generator_activity_Bq,
            "calibrated_at": iso(calibrated_at),
            "last_elution": iso(last_elution) if last_elution else None,
            "eluted_Bq": eluted,
            "at": iso(at),
        },
        parameters={
            "model": "two-member Bateman ingrowth, no daughter just after an elution",
            "elution_efficiency": elution_efficiency,
        },
        values=values,
        warnings=tuple(warnings),
    )


def yield_needs_reason(yield_percent: float) -> str | None:
    """Why a yield this high must be explained before it is recorded, or None.

    Above 100 % the eluate holds more than the column can have made; the threshold (100 % plus an activity
    meter's accuracy action level) is reference data (``hotlab_plausibility.toml``)."""
    from nmguard.reference.hotlab_plausibility import hotlab_plausibility

    threshold = hotlab_plausibility().yield_reason_above_percent
    if yield_percent <= threshold.value:
        return None
    return (
        f"yield {yield_percent:.1f} % is above {threshold.value:g} %, more than the generator can have made "
        "(check the generator calibration, a missing earlier elution, the meter setting)"
    )


# --------------------------------------------------------------------------- breakthrough


def time_to_limit_s(ratio0: float, limit: float, parent_half_life_s: float, daughter_half_life_s: float) -> float:
    """Seconds until ratio0·e^((λd − λp)t) reaches ``limit``: 0 if already at or above it, ``inf`` if never."""
    if ratio0 >= limit:
        return 0.0
    if ratio0 <= 0:
        return math.inf
    growth = LN2 / daughter_half_life_s - LN2 / parent_half_life_s
    if growth <= 0:
        return math.inf
    return math.log(limit / ratio0) / growth


def breakthrough(
    parent: str,
    parent_activity_Bq: float,
    daughter_activity_Bq: float,
    measured_at: dt.datetime,
    profile: str = "nrc",
    *,
    product: str | None = None,
    now: dt.datetime | None = None,
    future_margin_minutes: float = DEFAULT_FUTURE_MARGIN_MINUTES,
) -> AnalysisResult:
    """Breakthrough of ``parent`` (Mo-99, Sr-82, Sr-85, Ge-68) in an eluate against the profile's limit.

    ``parent_activity_Bq`` and ``daughter_activity_Bq`` are the activities in the eluate at ``measured_at``
    (a test result: more than ``future_margin_minutes`` after ``now`` is refused). ``usable_until`` is the
    ISO time at which the ratio reaches the limit as both decay, ``"now"`` if it is already above, ``"never"``
    if it never reaches it, None where the profile sets no limit.
    """
    p = _nuclide(parent, "parent")
    daughter_name = generator_daughter(p.name)
    d = get_nuclide(daughter_name)
    prof = get_profile(profile)
    row = get_breakthrough_limit(prof.id, p.name, product)
    a_p = check_activity(parent_activity_Bq, "parent_activity", allow_zero=True)
    a_d = check_activity(daughter_activity_Bq, "daughter_activity")
    check_instant(measured_at, "measured_at")
    now = dt.datetime.now(dt.UTC) if now is None else check_instant(now, "now")
    if not (isinstance(future_margin_minutes, (int, float)) and future_margin_minutes >= 0):
        raise InputError("future margin must be zero or a positive number of minutes", "future_margin_minutes")
    if measured_at > now + dt.timedelta(minutes=future_margin_minutes):
        raise InputError(
            f"measured_at: {iso(measured_at)} lies more than {future_margin_minutes:g} min in the future "
            "(a breakthrough test is recorded after it is measured)",
            "measured_at",
        )
    ratio = (a_p / 1e3) / (a_d / 1e6)
    warnings: list[str] = []
    limit = row.limit_kBq_per_MBq
    within: bool | None
    usable: str | None
    t_limit_h: float | None = None
    if limit is None:
        within, usable = None, None
        warnings.append(f"profile {prof.id} sets no {p.name} breakthrough limit ({row.rule}): {row.note}")
    else:
        within = ratio <= limit
        t = time_to_limit_s(ratio, limit, p.half_life_s, d.half_life_s)
        if ratio > limit:
            usable, t_limit_h = "now", 0.0
            warnings.append(
                f"{p.name} breakthrough {format_sig(ratio, 4)} kBq/MBq exceeds the limit "
                f"{format_sig(limit, 4)} kBq/MBq ({row.rule}): do not administer"
            )
        elif math.isinf(t):
            usable = "never"
        else:
            usable = iso(measured_at + dt.timedelta(seconds=t))
            t_limit_h = t / 3600.0
    if row.status.value in ("unverified", "secondary"):
        warnings.append(f"the limit's source is {row.status.value} ({row.source.id}); check the edition in force")
    limit_q = Quantity(limit, "kBq/MBq", source=row.source.id, status=row.status.value, note=f"{row.rule}; {row.note}")
    values = {
        "ratio_kBq_per_MBq": Quantity(ratio, "kBq/MBq", note=f"kBq {p.name} per MBq {daughter_name}"),
        "limit_kBq_per_MBq": limit_q,
        "within_limit": Quantity(within, "", source=row.source.id, status=row.status.value),
        "usable_until": Quantity(
            usable, "ISO 8601", note="ratio(t) = ratio0·exp((λd − λp)t) reaches the limit; ingrowth neglected"
        ),
        "hours_until_limit": Quantity(t_limit_h, "h"),
        "parent_half_life_s": _half_life_quantity(p),
        "daughter_half_life_s": _half_life_quantity(d),
    }
    return AnalysisResult(
        analysis="generator-breakthrough",
        inputs={
            "parent": p.name,
            "daughter": daughter_name,
            "parent_activity_Bq": a_p,
            "daughter_activity_Bq": a_d,
            "measured_at": iso(measured_at),
        },
        parameters={
            "profile": prof.id,
            "product": row.product,
            "rule": row.rule,
            "future_margin_minutes": future_margin_minutes,
        },
        values=values,
        warnings=tuple(warnings),
        passed=within,
    )
