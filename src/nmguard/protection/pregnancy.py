"""The embryo/fetus dose of a declared pregnant worker, followed from the declaration against the profile.

The dose is the Hp(10) of the whole-body dosimeter (10 CFR 20.1208(c)(1): the deep-dose equivalent of the
declared pregnant woman, verified; NMGuard uses the same surrogate for the Euratom and IAEA profiles). A
reading whose wear period straddles the declaration date is pro-rated by days: the share after the
declaration is (days from the declaration date to the period end, both included) / (days in the period, both
included), i.e. the dose is taken as spread evenly over the period. The declaration day counts as after.

The profile's basis decides what is compared: ``remainder-after-declaration`` (Euratom Art. 10(1), GSR Part 3
para. 3.114) compares the dose since the declaration with the limit; ``entire-pregnancy`` (NRC 20.1208(a))
adds the dose from the start of the pregnancy to the declaration when that start is given, and applies
20.1208(d): if that earlier dose has passed the limit or is within the margin of it, only the remainder
allowance counts, for the dose after the declaration. Pure: no Django.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from nmguard.errors import InputError
from nmguard.protection.dose_sums import limits_of
from nmguard.protection.readings import DoseReading
from nmguard.reference.citations import SourcedValue
from nmguard.reference.jurisdictions import JurisdictionProfile

_ROUND = 6


@dataclass(frozen=True)
class Contribution:
    """A reading's share of the dose in a span: its period, the fraction of its days in the span, the dose."""

    period_start: dt.date
    period_end: dt.date
    fraction: float
    dose_mSv: float


@dataclass(frozen=True)
class EmbryoFetusDose:
    worker_id: str
    declared_on: dt.date
    basis: str
    dose_before_declaration_mSv: float | None  # None where the pregnancy start was not given
    dose_since_declaration_mSv: float
    compared_dose_mSv: float  # the dose set against ``limit``
    limit: SourcedValue  # the limit that applies (20.1208(d)'s remainder allowance where it applies)
    wording: str
    level: str  # none | recording | investigation | limit_exceeded
    contributions: tuple[Contribution, ...]
    notes: tuple[str, ...]

    @property
    def fraction(self) -> float:
        return self.compared_dose_mSv / self.limit.value if self.limit.value > 0 else math.inf

    @property
    def exceeded(self) -> bool:
        return self.compared_dose_mSv > self.limit.value


def share_in_span(reading: DoseReading, first: dt.date, last: dt.date | None) -> float:
    """The fraction of the reading's days that lie in ``first..last`` (``last`` None: open-ended)."""
    start = max(reading.period_start, first)
    end = reading.period_end if last is None else min(reading.period_end, last)
    return 0.0 if end < start else ((end - start).days + 1) / reading.days


def _span_dose(readings: list[DoseReading], first: dt.date, last: dt.date | None) -> tuple[float, list[Contribution]]:
    """The Hp(10) dose falling in ``first..last`` (pro-rated by days) and each reading's share of it."""
    parts, doses = [], []
    for r in readings:
        share = share_in_span(r, first, last)
        if share > 0 and r.hp10_mSv is not None:
            doses.append(r.hp10_mSv * share)
            parts.append(Contribution(r.period_start, r.period_end, share, round(doses[-1], _ROUND)))
    return round(math.fsum(doses), _ROUND), parts


def embryo_fetus_dose(
    readings: Iterable[DoseReading],
    worker_id: str,
    declared_on: dt.date,
    profile: str | JurisdictionProfile,
    pregnancy_start: dt.date | None = None,
) -> EmbryoFetusDose:
    """The embryo/fetus dose of ``worker_id`` followed from ``declared_on`` against the profile's limit."""
    limits = limits_of(profile)
    ef = limits.embryo_fetus
    if pregnancy_start is not None and pregnancy_start > declared_on:
        raise InputError("pregnancy_start: after the declaration date", "pregnancy_start")
    worn = [r for r in readings if r.worker_id == worker_id and r.dosimeter == "whole_body"]
    since, parts_after = _span_dose(worn, declared_on, None)
    notes: list[str] = []
    if not worn:
        notes.append("no whole-body reading of this worker: the embryo/fetus dose is not measured")
    before: float | None = None
    parts_before: list[Contribution] = []
    if pregnancy_start is not None:
        before, parts_before = _span_dose(worn, pregnancy_start, declared_on - dt.timedelta(days=1))
    limit, compared = ef.limit, since
    if ef.basis == "entire-pregnancy":
        if before is None:
            notes.append(
                "the dose before the declaration is not included: give the start of the pregnancy to follow the "
                "limit over the entire pregnancy"
            )
        elif (
            ef.near_limit_margin is not None
            and ef.remainder_if_near is not None
            and before >= ef.limit.value - ef.near_limit_margin.value
        ):
            limit = ef.remainder_if_near
            notes.append(
                f"{before:g} mSv before the declaration is within {ef.near_limit_margin.value:g} mSv of (or over) "
                f"{ef.limit.value:g} mSv: the remainder allowance {limit.value:g} mSv applies to the dose after it"
            )
        else:
            compared = round(before + since, _ROUND)
    level = "limit_exceeded" if compared > limit.value else "none"
    if level == "none":
        for name, frac in (
            ("investigation", limits.levels.investigation_fraction),
            ("recording", limits.levels.recording_fraction),
        ):
            if compared >= frac.value * limit.value and compared > 0:
                level = name
                break
    return EmbryoFetusDose(
        worker_id=worker_id,
        declared_on=declared_on,
        basis=ef.basis,
        dose_before_declaration_mSv=before,
        dose_since_declaration_mSv=since,
        compared_dose_mSv=compared,
        limit=limit,
        wording=ef.wording,
        level=level,
        contributions=tuple(parts_before + parts_after),
        notes=tuple(notes),
    )
