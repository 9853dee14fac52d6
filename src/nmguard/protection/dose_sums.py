"""Staff dose sums against the department's profile: annual and five-year sums, levels, and the embryo/fetus.

Which reading feeds which quantity (:data:`QUANTITY_SOURCES`): the operational quantities of ICRU 51 / ICRP
103 as personal dosimeters report them - Hp(10) of the whole-body dosimeter for the effective dose (10 CFR
20.1201(c): the deep-dose equivalent is used in place of the effective dose equivalent, verified), Hp(0.07)
of the whole-body dosimeter for the skin and of the ring for the extremities, Hp(3) of the eye dosimeter for
the lens (the ICRU/ICRP mapping is entered from memory: unverified). A quantity whose dosimeter was not worn
or whose cells were empty is "not measured", not zero.

Rules: a reading counts in the calendar year in which its period ends; a five-year sum is the sum of the
five consecutive calendar years ending with the year evaluated (every window is checked as it ends, which is
"any five consecutive years" for Euratom and at least as strict as fixed five-year blocks). A sum exceeds a
limit when it is larger than the limit ("shall not exceed"); a level is reached when the annual sum equals or
passes it. Sums are rounded to 1e-6 mSv so that a sum of decimal readings equal to a limit is not over it.
Pure: no Django.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from nmguard.errors import InputError
from nmguard.protection.readings import DoseReading
from nmguard.reference.citations import SourcedValue
from nmguard.reference.dose_limits import CATEGORIES, QUANTITIES, DoseLimits
from nmguard.reference.jurisdictions import JurisdictionProfile, get_profile

# quantity -> (dosimeter, reading field)
QUANTITY_SOURCES: dict[str, tuple[str, str]] = {
    "effective": ("whole_body", "hp10_mSv"),
    "skin": ("whole_body", "hp007_mSv"),
    "extremity": ("extremity", "hp007_mSv"),
    "lens": ("eye", "hp3_mSv"),
}
LEVELS = ("none", "recording", "investigation", "limit_exceeded")
_ROUND = 6


def _sum(values: Iterable[float]) -> float:
    return round(math.fsum(values), _ROUND)


def limits_of(profile: str | JurisdictionProfile) -> DoseLimits:
    """The dose limits of a profile id or profile (every shipped profile has them)."""
    limits = get_profile(profile).dose_limits
    if limits is None:
        raise InputError(f"profile {get_profile(profile).id!r} has no dose limits", field="profile")
    return limits


def annual_sums(readings: Iterable[DoseReading]) -> dict[str, dict[str, dict[int, float | None]]]:
    """worker id -> quantity -> calendar year -> sum in mSv (None: a dosimeter was worn but nothing measured).

    A year appears under a quantity only when a reading of that quantity's dosimeter ends in it."""
    parts: dict[str, dict[str, dict[int, list[float]]]] = {}
    for r in readings:
        for quantity, (dosimeter, name) in QUANTITY_SOURCES.items():
            if r.dosimeter != dosimeter:
                continue
            cell = parts.setdefault(r.worker_id, {}).setdefault(quantity, {}).setdefault(r.year, [])
            value = getattr(r, name)
            if value is not None:
                cell.append(value)
    return {
        w: {q: {y: (_sum(v) if v else None) for y, v in sorted(years.items())} for q, years in qs.items()}
        for w, qs in parts.items()
    }


def window_sum(annual: Mapping[int, float | None], last_year: int, years: int) -> float | None:
    """The sum over ``years`` consecutive calendar years ending with ``last_year`` (None: nothing measured)."""
    values = [annual.get(y) for y in range(last_year - years + 1, last_year + 1)]
    measured = [v for v in values if v is not None]
    return _sum(measured) if measured else None


@dataclass(frozen=True)
class LimitCheck:
    """One comparison of a sum with one limit of the profile, with the text that sets it."""

    first_year: int
    last_year: int
    dose_mSv: float
    limit: SourcedValue
    wording: str

    @property
    def fraction(self) -> float:
        return self.dose_mSv / self.limit.value if self.limit.value > 0 else math.inf

    @property
    def exceeded(self) -> bool:
        return self.dose_mSv > self.limit.value


@dataclass(frozen=True)
class QuantityEvaluation:
    quantity: str
    year: int
    annual_mSv: float | None  # None: not measured this year
    five_year_mSv: float | None  # the five calendar years ending with ``year`` (reported whatever the rule)
    checks: tuple[LimitCheck, ...]  # empty where the profile sets no limit for the quantity and category
    recording_level_mSv: float | None
    investigation_level_mSv: float | None
    level: str  # none | recording | investigation | limit_exceeded

    @property
    def fraction(self) -> float | None:
        """The largest fraction of a limit reached (None where nothing was measured or no limit applies)."""
        return max((c.fraction for c in self.checks), default=None)

    @property
    def reasons(self) -> tuple[str, ...]:
        out = [
            f"{self.quantity} {c.dose_mSv:g} mSv in {c.first_year}"
            + (f"-{c.last_year}" if c.last_year != c.first_year else "")
            + f" exceeds {c.limit.value:g} mSv ({c.wording})"
            for c in self.checks
            if c.exceeded
        ]
        if not out and self.level in ("investigation", "recording") and self.annual_mSv is not None:
            lvl = self.investigation_level_mSv if self.level == "investigation" else self.recording_level_mSv
            out.append(
                f"{self.quantity} {self.annual_mSv:g} mSv in {self.year} reached the {self.level} level {lvl:g} mSv"
            )
        return tuple(out)


@dataclass(frozen=True)
class WorkerEvaluation:
    worker_id: str
    year: int
    profile: str
    category: str
    national_option: bool
    quantities: dict[str, QuantityEvaluation]

    @property
    def level(self) -> str:
        return max((q.level for q in self.quantities.values()), key=LEVELS.index, default="none")

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(r for q in self.quantities.values() for r in q.reasons)

    @property
    def status(self) -> str:
        """``ok``, ``investigation`` or ``limit_exceeded``: the alert the issue's report names (a recording level
        is recorded, not an alert)."""
        return self.level if self.level in ("investigation", "limit_exceeded") else "ok"

    def report_row(self) -> dict[str, object]:
        """The row of the annual staff-dose report (the keys of ``nmguard staff-dose report --json``; None = not
        measured), so the CLI, the API and the pages print the same numbers."""
        q = self.quantities
        return {
            "worker_id": self.worker_id,
            "effective_mSv_year": q["effective"].annual_mSv,
            "effective_mSv_5y": q["effective"].five_year_mSv,
            "lens_mSv_year": q["lens"].annual_mSv,
            "extremity_mSv_year": q["extremity"].annual_mSv,
            "status": self.status,
            "reasons": list(self.reasons),
        }


def _level(
    annual: float | None, checks: tuple[LimitCheck, ...], recording: float | None, investigation: float | None
) -> str:
    if any(c.exceeded for c in checks):
        return "limit_exceeded"
    if annual is None:
        return "none"
    if investigation is not None and annual >= investigation:
        return "investigation"
    if recording is not None and annual >= recording:
        return "recording"
    return "none"


def evaluate_quantity(
    annual: Mapping[int, float | None],
    quantity: str,
    year: int,
    limits: DoseLimits,
    category: str = "worker",
    national_option: bool = False,
) -> QuantityEvaluation:
    """One quantity's sums for ``year`` against the profile's limits for the category, and the level reached."""
    limit = limits.limit(category, quantity)
    this_year = annual.get(year)
    checks: list[LimitCheck] = []
    five = window_sum(annual, year, 5)
    recording = investigation = None
    if limit is not None:
        for applied in limit.applicable(national_option):
            dose = this_year if applied.years == 1 else window_sum(annual, year, applied.years)
            if dose is not None:
                checks.append(LimitCheck(year - applied.years + 1, year, dose, applied.limit, applied.wording))
        reference = limit.annual_reference(national_option)
        recording = round(reference * limits.levels.recording_fraction.value, _ROUND)
        investigation = round(reference * limits.levels.investigation_fraction.value, _ROUND)
    return QuantityEvaluation(
        quantity=quantity,
        year=year,
        annual_mSv=this_year,
        five_year_mSv=five,
        checks=tuple(checks),
        recording_level_mSv=recording,
        investigation_level_mSv=investigation,
        level=_level(this_year, tuple(checks), recording, investigation),
    )


def evaluate_workers(
    readings: Iterable[DoseReading],
    year: int,
    profile: str | JurisdictionProfile,
    categories: Mapping[str, str] | None = None,
    national_option: bool = False,
) -> tuple[WorkerEvaluation, ...]:
    """Every worker with a reading against the profile for ``year`` (workers sorted by id).

    ``categories`` maps worker id -> ``worker`` | ``apprentice`` | ``public`` (default ``worker``);
    ``national_option`` applies the text's five-year option where the department's authority has taken it
    (Euratom Art. 9(2)/9(3)(a); the IAEA public special circumstances)."""
    limits = limits_of(profile)
    categories = categories or {}
    for wid, cat in categories.items():
        if cat not in CATEGORIES:
            raise InputError(f"worker {wid}: unknown category {cat!r} (choices: {', '.join(CATEGORIES)})", "category")
    sums = annual_sums(readings)
    out = []
    for wid in sorted(sums):
        category = categories.get(wid, "worker")
        quantities = {
            q: evaluate_quantity(sums[wid].get(q, {}), q, year, limits, category, national_option) for q in QUANTITIES
        }
        out.append(WorkerEvaluation(wid, year, limits.profile, category, national_option, quantities))
    return tuple(out)
