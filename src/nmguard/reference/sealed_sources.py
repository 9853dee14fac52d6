"""Sealed-source rules per jurisdiction profile (``data/sealed_sources.toml``): the leak-test limit and
interval, the exemptions from leak testing, the physical-inventory interval and the record retention.

Why a file of its own: these are the possession rules of sealed sources (10 CFR 35.67 / 35.2067 for the NRC),
apart from the dose limits and the administration rules; IAEA and Euratom texts set no value here, so their
profiles carry the ISO 9978 wipe limit and the department's policy, each with its status.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference._sourced import sourced_entry
from nmguard.reference.citations import SourcedValue

SEALED_SOURCES_FILE = "sealed_sources.toml"
# key -> unit the value must carry
_VALUES: dict[str, str] = {
    "leak_limit": "Bq",
    "leak_interval": "month",
    "exempt_half_life_below": "d",
    "exempt_beta_gamma_max": "Bq",
    "exempt_alpha_max": "Bq",
    "exempt_gaseous": "1",
    "exempt_stored": "1",
    "inventory_interval": "month",
    "record_retention": "a",
    "due_soon": "d",
    "block_overdue": "1",
}
_FLAGS = ("exempt_gaseous", "exempt_stored", "block_overdue")
_MONTHS = ("leak_interval", "inventory_interval")


@dataclass(frozen=True)
class SealedSourceRules:
    """One profile's rules; each value keeps its citation and status (``SourcedValue``)."""

    profile: str
    edition: str
    wording: str
    leak_limit: SourcedValue
    leak_interval: SourcedValue
    exempt_half_life_below: SourcedValue
    exempt_beta_gamma_max: SourcedValue
    exempt_alpha_max: SourcedValue
    exempt_gaseous: SourcedValue
    exempt_stored: SourcedValue
    inventory_interval: SourcedValue
    record_retention: SourcedValue
    due_soon: SourcedValue
    block_overdue: SourcedValue

    @property
    def leak_limit_Bq(self) -> float:
        return self.leak_limit.value

    @property
    def leak_interval_months(self) -> int:
        return int(self.leak_interval.value)

    @property
    def inventory_interval_months(self) -> int:
        return int(self.inventory_interval.value)

    @property
    def due_soon_days(self) -> int:
        return int(self.due_soon.value)


def _text(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ReferenceDataError(f"{where}: missing or empty {key!r}")
    return value.strip()


def _profile(pid: str, table: dict[str, Any]) -> SealedSourceRules:
    where = f"{SEALED_SOURCES_FILE} [{pid}]"
    if unknown := set(table) - set(_VALUES) - {"edition", "wording"}:
        raise ReferenceDataError(f"{where}: unknown key {', '.join(sorted(unknown))}")
    values: dict[str, SourcedValue] = {}
    for key, unit in _VALUES.items():
        entry = table.get(key)
        if not isinstance(entry, dict):
            raise ReferenceDataError(f"{where}: {key!r} is missing or not an inline table")
        value = sourced_entry(entry, f"{where}.{key}")
        if value.unit != unit:
            raise ReferenceDataError(f"{where}.{key}: unit {value.unit!r}, expected {unit!r}")
        if key in _FLAGS and value.value not in (0.0, 1.0):
            raise ReferenceDataError(f"{where}.{key}: a flag is 0 or 1, got {value.value:g}")
        if key in _MONTHS and (value.value != int(value.value) or not 1 <= value.value <= 60):
            raise ReferenceDataError(f"{where}.{key}: {value.value:g} is not a whole number of months in 1..60")
        if key not in _FLAGS and value.value <= 0:
            raise ReferenceDataError(f"{where}.{key}: {value.value:g} must be positive")
        values[key] = value
    return SealedSourceRules(
        profile=pid, edition=_text(table, "edition", where), wording=_text(table, "wording", where), **values
    )


def parse_sealed_source_rules(data: dict[str, Any]) -> dict[str, SealedSourceRules]:
    """Every profile's rules from the parsed TOML (a function of its own so tests can feed broken tables)."""
    return {pid: _profile(pid, table) for pid, table in data.items()}


@cache
def all_sealed_source_rules() -> dict[str, SealedSourceRules]:
    """The shipped rules by profile id (read once; the data files are read-only)."""
    return parse_sealed_source_rules(read_toml(SEALED_SOURCES_FILE))


def sealed_source_rules(profile: str) -> SealedSourceRules:
    """The rules of ``profile`` (``nrc``, ``euratom``, ``iaea``); an unknown id is the caller's error."""
    rules = all_sealed_source_rules()
    if profile not in rules:
        raise InputError(f"profile: {profile[:40]!r} is not one of {', '.join(sorted(rules))}", "profile")
    return rules[profile]
