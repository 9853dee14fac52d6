"""Radioactive waste: decay-in-storage release dates, the disposal survey, sewer/air release totals.

Release date (closed form): A(t) = A0·2^(−t/T½) falls to the limit L at t = T½·log2(A0/L) (0 when A0 ≤ L).
Where a numeric hold applies (``hold_half_lives`` n, e.g. an Agreement-State 10 half-lives), the release is at
max(t, n·T½). The jurisdiction rule comes from ``reference/data/waste_rules.toml``: under the NRC profile only
material with a physical half-life ≤ 120 d may be held for decay-in-storage (10 CFR 35.92); beyond that no
release date is given. A disposal survey is always still required, recorded with the 35.2092 fields.

"Indistinguishable from background" (35.92) has no number in the rule. NMGuard's criterion (status
``unverified``, a choice, cited to Currie 1968 from memory):

- count-rate instruments: the net rate R_s − R_b must not exceed the critical level
  L_C = k·sqrt(R_b·(1/t_s + 1/t_b)) with k = 1.645 (5 % false positives), R in counts per second and t the
  counting times in s (σ of the net rate under "no activity", Poisson);
- dose-rate meters (no counting statistics available): the surface reading must not exceed the background
  reading on the same scale.

Sewer and air release totals are summed per nuclide, pathway and calendar year. No limits are shipped: the
10 CFR 20 Appendix B Table 3 (sewer) and Table 2 (effluent) values have not been read in a citable source;
a department may pass its own limits with their source.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nmguard.errors import InputError
from nmguard.physics.display import format_sig
from nmguard.reference.citations import get_citation
from nmguard.reference.nuclides import get_nuclide
from nmguard.reference.waste_rules import waste_rule

SURVEY_CRITERION_SOURCE = "intended-currie-1968-critical-level"
SURVEY_K = 1.645
PATHWAYS = ("sewer", "air")


def _positive(value: float, field_name: str, allow_zero: bool = False) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        raise InputError(
            f"{field_name} must be a {'non-negative' if allow_zero else 'positive'} number, got {value!r}", field_name
        )
    return float(value)


@dataclass(frozen=True)
class WasteRelease:
    nuclide: str
    activity_Bq: float
    at: dt.datetime
    limit_Bq: float
    profile: str
    half_life_s: float
    half_life_source: str
    half_life_status: str
    decay_time_s: float  # time for the activity to fall to the limit
    hold_half_lives: float | None
    storage_time_s: float  # max(decay time, hold)
    decays_below_limit_at: dt.datetime | None
    release_at: dt.datetime | None  # None when not eligible (or beyond the calendar)
    eligible_for_decay_in_storage: bool | None
    rule: str
    survey_required: str
    record_fields: tuple[str, ...]
    sources: tuple[dict[str, str], ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def days(self) -> float:
        return self.storage_time_s / 86400.0

    @property
    def half_lives(self) -> float:
        return self.storage_time_s / self.half_life_s

    @property
    def activity_at_release_Bq(self) -> float:
        return self.activity_Bq * 2.0 ** (-self.half_lives)

    def to_dict(self) -> dict[str, Any]:
        iso = lambda t: None if t is None else t.isoformat()  # noqa: E731
        return {
            "nuclide": self.nuclide,
            "activity_Bq": self.activity_Bq,
            "at": iso(self.at),
            "limit_Bq": self.limit_Bq,
            "profile": self.profile,
            "half_life_d": self.half_life_s / 86400.0,
            "half_life_source": self.half_life_source,
            "half_life_status": self.half_life_status,
            "release_at": iso(self.release_at),
            "decays_below_limit_at": iso(self.decays_below_limit_at),
            "days": self.days,
            "half_lives": self.half_lives,
            "decay_time_days": self.decay_time_s / 86400.0,
            "hold_half_lives": self.hold_half_lives,
            "activity_at_release_Bq": self.activity_at_release_Bq,
            "eligible_for_decay_in_storage": self.eligible_for_decay_in_storage,
            "rule": self.rule,
            "survey_required": self.survey_required,
            "record_fields": list(self.record_fields),
            "sources": [dict(s) for s in self.sources],
            "warnings": list(self.warnings),
        }


def _add(at: dt.datetime, seconds: float) -> dt.datetime | None:
    try:
        return at + dt.timedelta(seconds=seconds)
    except OverflowError:
        return None


def release_date(
    nuclide: str,
    activity_Bq: float,
    at: dt.datetime,
    limit_Bq: float,
    profile: str = "nrc",
    hold_half_lives: float | None = None,
) -> WasteRelease:
    """The earliest time the activity has decayed to ``limit_Bq``, with the jurisdiction's decay-in-storage rule."""
    nuc = get_nuclide(nuclide)
    activity = _positive(activity_Bq, "activity", allow_zero=True)
    limit = _positive(limit_Bq, "limit")
    if not isinstance(at, dt.datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise InputError("the time 'at' must carry a UTC offset", "at")
    rule = waste_rule(profile)
    hl_s = nuc.half_life_s
    warnings: list[str] = []
    decay_t = hl_s * math.log2(activity / limit) if activity > limit else 0.0

    n = hold_half_lives
    if n is not None:
        n = _positive(n, "hold_half_lives", allow_zero=True)
    hold_t = (n or 0.0) * hl_s
    storage_t = max(decay_t, hold_t)

    sources = [{"id": nuc.half_life.source.id, "status": nuc.half_life.status.value, "for": "half-life"}]
    eligible: bool | None
    if rule.decay_in_storage and rule.max_half_life is not None:
        eligible = hl_s <= rule.max_half_life.value * 86400.0
        hl_d = hl_s / 86400.0
        sources.append(
            {
                "id": rule.max_half_life.source.id,
                "status": rule.max_half_life.status.value,
                "for": "decay-in-storage eligibility",
            }
        )
        max_d = format_sig(rule.max_half_life.value, 4)
        if eligible:
            text = (
                f"{rule.citation}: {nuc.name} (T½ {format_sig(hl_d, 4)} d ≤ {max_d} d) may be held for "
                f"decay-in-storage and disposed of without regard to its radioactivity once the survey "
                f"shows it indistinguishable from background"
            )
        else:
            text = (
                f"{rule.citation}: {nuc.name} (T½ {format_sig(hl_d, 4)} d > {max_d} d) is NOT "
                f"eligible for decay-in-storage; dispose of it as radioactive waste (transfer to an "
                f"authorised recipient)"
            )
            warnings.append(
                f"{nuc.name} is not eligible for decay-in-storage under {rule.citation}; no release date is given"
            )
    else:
        eligible = None
        text = (
            f"{rule.name}: no decay-in-storage half-life rule is shipped for this profile; release follows "
            f"clearance under {rule.citation}"
        )
        warnings.append(
            f"profile {rule.profile}: eligibility for decay-in-storage is set by the national rule; "
            f"check the clearance level used as the limit"
        )
    if eligible is not False and n is not None and n > 0:
        opt = rule.agreement_state_hold_half_lives
        text += f"; held at least {n:g} half-lives ({format_sig(n * hl_s / 86400.0, 4)} d) as asked"
        if opt is not None:
            sources.append({"id": opt.source.id, "status": opt.status.value, "for": "hold in half-lives"})
    elif eligible is not False and not rule.hold_half_lives_required:
        text += f"; no numeric hold ({rule.hold_note})"
    sources.append({"id": rule.hold_source.id, "status": rule.hold_status.value, "for": "hold"})
    sources.append({"id": rule.survey_source.id, "status": rule.survey_status.value, "for": "survey"})
    sources.append({"id": rule.record_source.id, "status": rule.record_status.value, "for": "disposal record"})
    if nuc.half_life.status.value == "unverified":
        warnings.append(f"the {nuc.name} half-life is unverified")

    below_at = _add(at, decay_t)
    release_at = _add(at, storage_t) if eligible is not False else None
    if eligible is not False and release_at is None:
        warnings.append("the release date lies beyond the calendar (year 9999); no date is given")
    if below_at is None:
        warnings.append("the activity reaches the limit only beyond year 9999")
    seen: dict[str, dict[str, str]] = {}
    for s in sources:
        seen.setdefault(s["id"] + s["for"], s)
    return WasteRelease(
        nuclide=nuc.name,
        activity_Bq=activity,
        at=at,
        limit_Bq=limit,
        profile=rule.profile,
        half_life_s=hl_s,
        half_life_source=nuc.half_life.source.id,
        half_life_status=nuc.half_life.status.value,
        decay_time_s=decay_t,
        hold_half_lives=n,
        storage_time_s=storage_t,
        decays_below_limit_at=below_at,
        release_at=release_at,
        eligible_for_decay_in_storage=eligible,
        rule=text,
        survey_required=rule.survey,
        record_fields=rule.record_fields,
        sources=tuple(seen.values()),
        warnings=tuple(warnings),
    )


def clearance_limit_Bq(nuclide: str, mass_g: float, profile: str = "iaea") -> tuple[float, str, str]:
    """Clearance level (Bq/g) × mass → a limit in Bq for :func:`release_date`; (limit, source id, status).

    Only the IAEA profile ships levels, and they are ``unverified`` (REFERENCE_DATA.md 8.2 "M").
    """
    rule = waste_rule(profile)
    mass = _positive(mass_g, "mass")
    name = get_nuclide(nuclide).name
    level = rule.clearance_Bq_per_g.get(name)
    if level is None:
        raise InputError(f"no clearance level is shipped for {name} under profile {rule.profile}", "nuclide")
    return level.value * mass, level.source.id, level.status.value


@dataclass(frozen=True)
class SurveyCheck:
    ok: bool
    instrument_kind: str
    background: float
    surface_reading: float
    critical_level: float | None  # count-rate: L_C on the net rate
    criterion: str
    criterion_source: str
    criterion_status: str
    missing_record_fields: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def disposal_survey_ok(
    background: float,
    surface_reading: float,
    *,
    instrument_kind: str = "count_rate",
    background_time_s: float | None = None,
    reading_time_s: float | None = None,
    k: float = SURVEY_K,
    instrument: str | None = None,
    surveyor: str | None = None,
    disposal_date: dt.date | None = None,
    profile: str = "nrc",
) -> SurveyCheck:
    """Is the surface reading "indistinguishable from background"? (criterion in the module docstring)

    ``count_rate``: readings in counts per second with their counting times (s). ``dose_rate``: readings in the
    same dose-rate unit on the same scale. Also lists the disposal-record fields still missing.
    """
    bg = _positive(background, "background", allow_zero=True)
    rd = _positive(surface_reading, "surface_reading", allow_zero=True)
    cite = get_citation(SURVEY_CRITERION_SOURCE)
    if instrument_kind == "count_rate":
        if background_time_s is None or reading_time_s is None:
            raise InputError(
                "a count-rate survey needs the background and reading counting times (s)", "background_time_s"
            )
        tb, ts = _positive(background_time_s, "background_time_s"), _positive(reading_time_s, "reading_time_s")
        kk = _positive(k, "k")
        lc = kk * math.sqrt(bg * (1.0 / ts + 1.0 / tb))
        ok = rd - bg <= lc
        criterion = (
            f"net rate {rd - bg:.4g} s⁻¹ ≤ L_C = {kk:g}·sqrt(R_b(1/t_s + 1/t_b)) = {lc:.4g} s⁻¹ "
            f"(Currie critical level, 5 % false positives at k = 1.645)"
        )
    elif instrument_kind == "dose_rate":
        lc = None
        ok = rd <= bg
        criterion = "surface dose-rate reading ≤ background reading on the same (most sensitive) scale"
    else:
        raise InputError(f"instrument kind {instrument_kind!r}: use count_rate or dose_rate", "instrument_kind")
    given = {
        "date of disposal": disposal_date,
        "survey instrument used": instrument,
        "name of the individual who performed the survey": surveyor,
    }
    rule = waste_rule(profile)
    missing = tuple(f for f in rule.record_fields if f in given and not given[f])
    return SurveyCheck(
        ok=ok,
        instrument_kind=instrument_kind,
        background=bg,
        surface_reading=rd,
        critical_level=lc,
        criterion=criterion,
        criterion_source=cite.id,
        criterion_status="unverified",
        missing_record_fields=missing,
    )


@dataclass(frozen=True)
class Discharge:
    nuclide: str
    activity_Bq: float
    at: dt.datetime
    pathway: str  # "sewer" | "air"


def release_totals(
    discharges: Iterable[Discharge],
    limits_Bq: Mapping[tuple[str, str], tuple[float, str]] | None = None,
) -> dict[str, Any]:
    """Sum discharges per (calendar year, pathway, nuclide); compare with limits only where the caller gives them.

    ``limits_Bq``: (pathway, nuclide) → (annual limit in Bq, the source the department cites). NMGuard ships no
    limits (10 CFR 20.2003 / Appendix B Table 3 not read).
    """
    totals: dict[tuple[int, str, str], float] = defaultdict(float)
    for d in discharges:
        if d.pathway not in PATHWAYS:
            raise InputError(f"pathway {d.pathway!r}: use sewer or air", "pathway")
        if d.at.tzinfo is None:
            raise InputError("discharge time must carry a UTC offset", "at")
        name = get_nuclide(d.nuclide).name
        totals[(d.at.year, d.pathway, name)] += _positive(d.activity_Bq, "activity", allow_zero=True)
    limits = {(p, get_nuclide(n).name): v for (p, n), v in (limits_Bq or {}).items()}
    rows = []
    for (year, pathway, nuclide), total in sorted(totals.items()):
        lim = limits.get((pathway, nuclide))
        rows.append(
            {
                "year": year,
                "pathway": pathway,
                "nuclide": nuclide,
                "total_Bq": total,
                "limit_Bq": None if lim is None else lim[0],
                "limit_source": None if lim is None else lim[1],
                "within_limit": None if lim is None else total <= lim[0],
            }
        )
    return {
        "totals": rows,
        "note": "no sewer/air limits are shipped: 10 CFR 20.2003 and Part 20 Appendix B Tables 2-3 have not been "
        "read in a citable source; limits shown are the department's own",
    }
