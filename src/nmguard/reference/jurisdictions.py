"""Jurisdiction profiles (``data/jurisdictions.toml``): ``nrc``, ``euratom``, ``iaea``.

A profile holds the activity tolerance (diagnostic / therapy), the event model and its thresholds
(``nrc-35.3045`` dose-based medical events, or ``unintended-exposure`` criteria of GSR Part 3 para.
3.180 / Directive 2013/59/Euratom Art. 63 with national thresholds as placeholders), the reporting
steps with their deadlines, the age range in which pregnancy is asked, a DRL note, and the planned-exposure
dose limits of ``data/dose_limits.toml`` (``dose_limits``; see :mod:`nmguard.reference.dose_limits`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference._sourced import sourced_entry
from nmguard.reference.citations import Citation, SourcedValue, Status, get_citation
from nmguard.reference.dose_limits import DOSE_LIMITS_FILE, DoseLimits, all_dose_limits

JURISDICTIONS_FILE = "jurisdictions.toml"
EVENT_MODELS = frozenset({"nrc-35.3045", "unintended-exposure"})
DEADLINE_KINDS = frozenset({"next-calendar-day", "hours", "days", "asap"})


@dataclass(frozen=True)
class ReportingStep:
    id: str
    applies_to: str  # "event" | "embryo-fetus-nursing-child"
    action: str
    deadline: str  # next-calendar-day | hours | days | asap
    deadline_value: float | None
    citation: str
    source: Citation
    status: Status

    @property
    def deadline_text(self) -> str:
        if self.deadline == "next-calendar-day":
            return "by the end of the next calendar day after discovery"
        if self.deadline == "hours":
            return f"within {self.deadline_value:g} h of discovery"
        if self.deadline == "days":
            return f"within {self.deadline_value:g} days of discovery"
        return "as soon as possible (no fixed deadline in the rule)"

    def due(self, discovered_at: dt.datetime) -> dt.datetime | None:
        """When the step is due for a discovery time (aware datetime, the department's zone)."""
        if discovered_at.tzinfo is None:
            raise InputError("the discovery time needs a time zone", field="discovered_at")
        if self.deadline == "next-calendar-day":
            next_day = discovered_at.date() + dt.timedelta(days=1)
            return dt.datetime.combine(next_day, dt.time(23, 59, 59), tzinfo=discovered_at.tzinfo)
        if self.deadline == "hours":
            return discovered_at + dt.timedelta(hours=self.deadline_value)
        if self.deadline == "days":
            return discovered_at + dt.timedelta(days=self.deadline_value)
        return None


@dataclass(frozen=True)
class JurisdictionProfile:
    id: str
    name: str
    event_term: str
    event_model: str
    diagnostic_tolerance_percent: SourcedValue
    therapy_tolerance_percent: SourcedValue
    thresholds: dict[str, SourcedValue]  # the event model's criteria / thresholds by key
    reporting_steps: tuple[ReportingStep, ...]
    pregnancy_ask_age_min: SourcedValue
    pregnancy_ask_age_max: SourcedValue
    drl_note: str
    drl_source: Citation
    drl_status: Status
    dose_limits: DoseLimits | None = None  # set for every shipped profile (data/dose_limits.toml)

    def tolerance_percent(self, therapy: bool) -> SourcedValue:
        return self.therapy_tolerance_percent if therapy else self.diagnostic_tolerance_percent

    def threshold(self, key: str) -> SourcedValue:
        try:
            return self.thresholds[key]
        except KeyError:
            raise ReferenceDataError(f"{JURISDICTIONS_FILE}: profile {self.id} has no threshold {key!r}") from None


def _profile(pid: str, table: dict[str, Any], limits: DoseLimits) -> JurisdictionProfile:
    where = f"{JURISDICTIONS_FILE} [{pid}]"
    model = table.get("event_model")
    if model not in EVENT_MODELS:
        raise ReferenceDataError(f"{where}: event_model {model!r}")
    section = "medical_event" if model == "nrc-35.3045" else "unintended_exposure"
    thresholds = {k: sourced_entry(v, f"{where}.{section}.{k}") for k, v in table[section].items()}
    steps = []
    for j, s in enumerate(table.get("reporting_steps", [])):
        w = f"{where}.reporting_steps[{j}]"
        if s.get("deadline") not in DEADLINE_KINDS:
            raise ReferenceDataError(f"{w}: deadline {s.get('deadline')!r}")
        if s["deadline"] in ("hours", "days") and not s.get("deadline_value"):
            raise ReferenceDataError(f"{w}: deadline_value missing")
        steps.append(
            ReportingStep(
                id=s["id"],
                applies_to=s.get("applies_to", "event"),
                action=s["action"],
                deadline=s["deadline"],
                deadline_value=float(s["deadline_value"]) if s.get("deadline_value") is not None else None,
                citation=s["citation"],
                source=get_citation(s["source"], w),
                status=Status.parse(s["status"], w),
            )
        )
    tol, preg, drl = table["tolerance"], table["pregnancy"], table["drl"]
    return JurisdictionProfile(
        id=pid,
        name=table["name"],
        event_term=table["event_term"],
        event_model=model,
        diagnostic_tolerance_percent=sourced_entry(tol["diagnostic_percent"], f"{where}.tolerance"),
        therapy_tolerance_percent=sourced_entry(tol["therapy_percent"], f"{where}.tolerance"),
        thresholds=thresholds,
        reporting_steps=tuple(steps),
        pregnancy_ask_age_min=sourced_entry(preg["ask_age_min_years"], f"{where}.pregnancy"),
        pregnancy_ask_age_max=sourced_entry(preg["ask_age_max_years"], f"{where}.pregnancy"),
        drl_note=drl["note"],
        drl_source=get_citation(drl["source"], f"{where}.drl"),
        drl_status=Status.parse(drl["status"], f"{where}.drl"),
        dose_limits=limits,
    )


@cache
def _profiles() -> dict[str, JurisdictionProfile]:
    tables, limits = read_toml(JURISDICTIONS_FILE), all_dose_limits()
    if set(tables) != set(limits):
        raise ReferenceDataError(
            f"{JURISDICTIONS_FILE} and {DOSE_LIMITS_FILE} name different profiles: {sorted(tables)} vs {sorted(limits)}"
        )
    return {pid: _profile(pid, table, limits[pid]) for pid, table in tables.items()}


def profiles() -> tuple[JurisdictionProfile, ...]:
    return tuple(_profiles().values())


def get_profile(profile_id: str | JurisdictionProfile) -> JurisdictionProfile:
    """A profile by id (``nrc``, ``euratom``, ``iaea``; case-insensitive)."""
    if isinstance(profile_id, JurisdictionProfile):
        return profile_id
    key = str(profile_id or "").strip().lower()
    try:
        return _profiles()[key]
    except KeyError:
        raise InputError(
            f"unknown jurisdiction profile {profile_id!r} (choices: {', '.join(_profiles())})", field="profile"
        ) from None
