"""Workplace-monitoring levels per jurisdiction profile (``data/workplace_monitoring.toml``).

Why a file of its own: the action levels of surveys (ambient dose rate, removable contamination) and the
wipe's removal fraction differ between the texts (NUREG-1556 Vol. 9 App. R in dpm/100 cm² and mR/h; IAEA
SSR-6 in Bq/cm²); each value keeps the source's own unit in the file and is converted here, once, to the
stored units (µSv/h, Bq/cm²). Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference._sourced import sourced_entry
from nmguard.reference.citations import SourcedValue
from nmguard.reference.nuclides import normalize_nuclide_name

MONITORING_FILE = "workplace_monitoring.toml"
AREA_KINDS = ("controlled", "supervised", "public")
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly")
INSTRUMENT_TYPES = ("dose_rate_meter", "contamination_monitor", "wipe_counter")
PROFILES = ("iaea", "euratom", "nrc")
# source unit -> (stored unit, factor)
_DOSE_RATE_UNITS = {"uSv/h": 1.0, "mR/h": 10.0}  # 1 mR/h taken as 10 µSv/h (1 R ~ 1 rem = 10 mSv)
_SURFACE_UNITS = {"Bq/cm2": 1.0, "dpm/100cm2": 1.0 / 6000.0}


@dataclass(frozen=True)
class ContaminationGroup:
    name: str
    nuclides: frozenset[str]
    levels: dict[str, SourcedValue]  # area kind -> Bq/cm² (converted; the note keeps the source's value)


@dataclass(frozen=True)
class MonitoringLevels:
    """One profile's survey levels, plus the settings common to every profile."""

    profile: str
    edition: str
    removal_fraction: SourcedValue
    dose_rate: dict[str, SourcedValue]  # area kind -> µSv/h
    groups: dict[str, ContaminationGroup]
    default_group: str
    currie_constant: SourcedValue
    currie_k_sqrt2: SourcedValue
    constancy_tolerance: dict[str, SourcedValue]  # instrument type -> fraction
    grace_days: dict[str, SourcedValue]  # frequency -> days

    def dose_rate_level(self, area_kind: str) -> SourcedValue:
        return self.dose_rate[_area(area_kind)]

    def contamination_level(self, nuclide: str, area_kind: str) -> tuple[SourcedValue, str]:
        """The removable-contamination action level (Bq/cm²) and the group that set it; a nuclide in no group,
        or none named (""), takes the profile's default (most restrictive) group."""
        name = normalize_nuclide_name(nuclide) if nuclide else ""
        group = next((g for g in self.groups.values() if name in g.nuclides), self.groups[self.default_group])
        return group.levels[_area(area_kind)], group.name


def _area(area_kind: str) -> str:
    if area_kind not in AREA_KINDS:
        raise InputError(f"area_kind: {str(area_kind)[:40]!r} is not one of {', '.join(AREA_KINDS)}", "area_kind")
    return area_kind


def _converted(entry: Any, where: str, units: dict[str, float], stored: str) -> SourcedValue:
    if not isinstance(entry, dict):
        raise ReferenceDataError(f"{where}: not an inline table {{value, unit, source, status, note}}")
    value = sourced_entry(entry, where)
    if value.unit not in units or value.value <= 0:
        raise ReferenceDataError(f"{where}: {value.value:g} {value.unit} is not a positive value in {', '.join(units)}")
    factor = units[value.unit]
    if factor == 1.0:
        return value
    note = f"{value.value:g} {value.unit} in the source; {value.note or ''}".strip("; ")
    return replace(value, value=value.value * factor, unit=stored, note=note)


def _fraction(entry: Any, where: str) -> SourcedValue:
    value = _converted(entry, where, {"1": 1.0}, "1")
    if not 0 < value.value <= 1:
        raise ReferenceDataError(f"{where}: {value.value:g} is not a fraction in (0, 1]")
    return value


def _profile(pid: str, table: dict[str, Any], common: dict[str, Any]) -> MonitoringLevels:
    where = f"{MONITORING_FILE} [{pid}]"
    dose = table.get("dose_rate", {})
    if set(dose) != set(AREA_KINDS):
        raise ReferenceDataError(f"{where}.dose_rate: needs exactly {', '.join(AREA_KINDS)}")
    groups: dict[str, ContaminationGroup] = {}
    for name, g in (table.get("contamination") or {}).items():
        w = f"{where}.contamination.{name}"
        if set(g) != {"nuclides", *AREA_KINDS}:
            raise ReferenceDataError(f"{w}: needs nuclides and {', '.join(AREA_KINDS)}")
        levels = {a: _converted(g[a], f"{w}.{a}", _SURFACE_UNITS, "Bq/cm2") for a in AREA_KINDS}
        groups[name] = ContaminationGroup(name, frozenset(str(n) for n in g["nuclides"]), levels)
    default = table.get("default_group")
    if default not in groups:
        raise ReferenceDataError(f"{where}: default_group {default!r} is not one of its groups")
    tol, grace = common.get("constancy_tolerance", {}), common.get("grace_days", {})
    if set(tol) != set(INSTRUMENT_TYPES) or set(grace) != set(FREQUENCIES):
        raise ReferenceDataError(f"{MONITORING_FILE} [common]: constancy_tolerance or grace_days incomplete")
    return MonitoringLevels(
        profile=pid,
        edition=str(table.get("edition") or "").strip() or pid,
        removal_fraction=_fraction(table.get("removal_fraction"), f"{where}.removal_fraction"),
        dose_rate={a: _converted(dose[a], f"{where}.dose_rate.{a}", _DOSE_RATE_UNITS, "uSv/h") for a in AREA_KINDS},
        groups=groups,
        default_group=default,
        currie_constant=sourced_entry(common["currie_constant"], "common.currie_constant"),
        currie_k_sqrt2=sourced_entry(common["currie_k_sqrt2"], "common.currie_k_sqrt2"),
        constancy_tolerance={k: _fraction(tol[k], f"common.constancy_tolerance.{k}") for k in INSTRUMENT_TYPES},
        grace_days={k: sourced_entry(grace[k], f"common.grace_days.{k}") for k in FREQUENCIES},
    )


def parse_monitoring_levels(data: dict[str, Any]) -> dict[str, MonitoringLevels]:
    """Every profile's levels from the parsed TOML (a function of its own so tests can feed broken tables)."""
    common = data.get("common")
    if not isinstance(common, dict):
        raise ReferenceDataError(f"{MONITORING_FILE}: [common] is missing")
    profiles = {pid: _profile(pid, t, common) for pid, t in data.items() if pid != "common"}
    if set(profiles) != set(PROFILES):
        raise ReferenceDataError(f"{MONITORING_FILE}: profiles {sorted(profiles)}, expected {sorted(PROFILES)}")
    return profiles


@cache
def all_monitoring_levels() -> dict[str, MonitoringLevels]:
    return parse_monitoring_levels(read_toml(MONITORING_FILE))


def get_monitoring_levels(profile_id: str) -> MonitoringLevels:
    """A profile's levels by id (``iaea``, ``euratom``, ``nrc``)."""
    key = str(profile_id or "").strip().lower()
    try:
        return all_monitoring_levels()[key]
    except KeyError:
        raise InputError(f"profile: {str(profile_id)[:40]!r} is not one of {', '.join(PROFILES)}", "profile") from None
