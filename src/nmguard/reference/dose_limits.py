"""Planned-exposure dose limits per jurisdiction profile (``data/dose_limits.toml``).

Why a file of its own: ``jurisdictions.toml`` holds the administration-safety rules; the limits for workers,
apprentices, the public and the embryo/fetus are a second, larger table with their own citations. Each
profile's limits hang on its :class:`~nmguard.reference.jurisdictions.JurisdictionProfile` as ``dose_limits``,
so the decision-path listing (``/reference/unverified/``) walks them with the profile.

The averaging rule is kept as each text words it (``rule``): a single-year limit (NRC 10 CFR 20.1201), a
five-year sum *and* a single-year cap (IAEA GSR Part 3 Schedule III), or a single-year limit with a national
five-year option (Directive 2013/59/Euratom Art. 9(2) and 9(3)(a)). Doses are in mSv.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference._sourced import sourced_entry
from nmguard.reference.citations import SourcedValue

DOSE_LIMITS_FILE = "dose_limits.toml"
CATEGORIES = ("worker", "apprentice", "public")
QUANTITIES = ("effective", "lens", "skin", "extremity")
EMBRYO_BASES = frozenset({"entire-pregnancy", "remainder-after-declaration"})
# rule -> (required value keys, optional value keys)
RULES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "single-year": (frozenset({"single_year"}), frozenset()),
    "five-year-and-single-year": (frozenset({"single_year", "five_year"}), frozenset()),
    "single-year-or-national-five-year": (
        frozenset({"single_year", "option_five_year"}),
        frozenset({"option_single_year"}),
    ),
}
_PROFILE_KEYS = frozenset({*CATEGORIES, "edition", "embryo_fetus", "levels", "public_hourly"})
_VALUE_KEYS = frozenset({"single_year", "five_year", "option_single_year", "option_five_year"})


@dataclass(frozen=True)
class AppliedLimit:
    """One limit that applies to a sum: over one calendar year (``years=1``) or five consecutive years."""

    years: int
    limit: SourcedValue
    wording: str


@dataclass(frozen=True)
class QuantityLimit:
    category: str
    quantity: str
    rule: str
    wording: str
    single_year: SourcedValue
    five_year: SourcedValue | None = None
    option_single_year: SourcedValue | None = None
    option_five_year: SourcedValue | None = None

    def applicable(self, national_option: bool = False) -> tuple[AppliedLimit, ...]:
        """The limits a sum is compared with; ``national_option`` takes the text's five-year option where it has one.

        The loader guarantees the values each rule needs, so the pairs below hold no None."""
        pairs: tuple[tuple[int, SourcedValue | None], ...]
        if self.rule == "single-year-or-national-five-year" and national_option:
            pairs = ((5, self.option_five_year), (1, self.option_single_year))
        elif self.rule == "five-year-and-single-year":
            pairs = ((5, self.five_year), (1, self.single_year))
        else:
            pairs = ((1, self.single_year),)
        return tuple(AppliedLimit(years, value, self.wording) for years, value in pairs if value is not None)

    def annual_reference(self, national_option: bool = False) -> float:
        """The yearly dose the levels are fractions of: the five-year sum / 5 where one applies, else the limit."""
        five = next((a for a in self.applicable(national_option) if a.years == 5), None)
        return five.limit.value / 5.0 if five is not None else self.single_year.value


@dataclass(frozen=True)
class EmbryoFetusLimit:
    basis: str  # entire-pregnancy | remainder-after-declaration
    wording: str
    limit: SourcedValue
    near_limit_margin: SourcedValue | None = None  # NRC 20.1208(d)
    remainder_if_near: SourcedValue | None = None


@dataclass(frozen=True)
class DoseLevels:
    """Department-set recording and investigation levels, as fractions of a quantity's annual reference."""

    recording_fraction: SourcedValue
    investigation_fraction: SourcedValue


@dataclass(frozen=True)
class DoseLimits:
    profile: str
    edition: str
    limits: dict[str, dict[str, QuantityLimit]]  # category -> quantity -> limit
    embryo_fetus: EmbryoFetusLimit
    levels: DoseLevels
    public_hourly: SourcedValue | None = None
    public_hourly_wording: str | None = None

    def limit(self, category: str, quantity: str) -> QuantityLimit | None:
        """The limit of a quantity for a category, or None where the text sets none (e.g. NRC public lens)."""
        if category not in CATEGORIES:
            raise InputError(
                f"unknown worker category {category!r} (choices: {', '.join(CATEGORIES)})", field="category"
            )
        if quantity not in QUANTITIES:
            raise InputError(f"unknown quantity {quantity!r} (choices: {', '.join(QUANTITIES)})", field="quantity")
        return self.limits.get(category, {}).get(quantity)


def _text(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ReferenceDataError(f"{where}: missing or empty {key!r}")
    return value.strip()


def _entry(table: dict[str, Any], key: str, where: str) -> SourcedValue:
    entry = table.get(key)
    if not isinstance(entry, dict):
        raise ReferenceDataError(f"{where}: {key!r} is not an inline table {{value, unit, source, status, note}}")
    value = sourced_entry(entry, f"{where}.{key}")
    if value.unit not in ("mSv", "1") or value.value < 0:
        raise ReferenceDataError(f"{where}.{key}: {value.value:g} {value.unit} is not a dose in mSv >= 0")
    return value


def _quantity(category: str, quantity: str, table: dict[str, Any], where: str) -> QuantityLimit:
    rule = table.get("rule")
    if rule not in RULES:
        raise ReferenceDataError(f"{where}: rule {rule!r} is not one of {', '.join(RULES)}")
    required, optional = RULES[rule]
    present = _VALUE_KEYS & set(table)
    if missing := required - present:
        raise ReferenceDataError(f"{where}: rule {rule} needs {', '.join(sorted(missing))}")
    if extra := present - required - optional:
        raise ReferenceDataError(f"{where}: rule {rule} takes no {', '.join(sorted(extra))}")
    values = {k: _entry(table, k, where) for k in present}
    return QuantityLimit(
        category=category, quantity=quantity, rule=rule, wording=_text(table, "wording", where), **values
    )


def _profile(pid: str, table: dict[str, Any]) -> DoseLimits:
    where = f"{DOSE_LIMITS_FILE} [{pid}]"
    if unknown_keys := set(table) - _PROFILE_KEYS:
        raise ReferenceDataError(f"{where}: unknown key {', '.join(sorted(unknown_keys))}")
    limits: dict[str, dict[str, QuantityLimit]] = {}
    for category in CATEGORIES:
        section = table.get(category)
        if not isinstance(section, dict) or "effective" not in section:
            raise ReferenceDataError(f"{where}: [{pid}.{category}] with at least an effective-dose limit is missing")
        unknown = set(section) - set(QUANTITIES)
        if unknown:
            raise ReferenceDataError(f"{where}.{category}: unknown quantity {', '.join(sorted(unknown))}")
        limits[category] = {q: _quantity(category, q, t, f"{where}.{category}.{q}") for q, t in section.items()}
    ef = table.get("embryo_fetus")
    if not isinstance(ef, dict):
        raise ReferenceDataError(f"{where}: [{pid}.embryo_fetus] is missing")
    w = f"{where}.embryo_fetus"
    if ef.get("basis") not in EMBRYO_BASES:
        raise ReferenceDataError(f"{w}: basis {ef.get('basis')!r} is not one of {', '.join(sorted(EMBRYO_BASES))}")
    near = [k for k in ("near_limit_margin", "remainder_if_near") if k in ef]
    if near and len(near) != 2:
        raise ReferenceDataError(f"{w}: near_limit_margin and remainder_if_near go together")
    embryo = EmbryoFetusLimit(
        basis=ef["basis"],
        wording=_text(ef, "wording", w),
        limit=_entry(ef, "limit", w),
        **{k: _entry(ef, k, w) for k in near},
    )
    lv = table.get("levels")
    if not isinstance(lv, dict):
        raise ReferenceDataError(f"{where}: [{pid}.levels] is missing")
    levels = DoseLevels(
        recording_fraction=_entry(lv, "recording_fraction", f"{where}.levels"),
        investigation_fraction=_entry(lv, "investigation_fraction", f"{where}.levels"),
    )
    if not 0 < levels.recording_fraction.value <= levels.investigation_fraction.value < 1:
        raise ReferenceDataError(f"{where}.levels: need 0 < recording_fraction <= investigation_fraction < 1")
    hourly = table.get("public_hourly")
    return DoseLimits(
        profile=pid,
        edition=_text(table, "edition", where),
        limits=limits,
        embryo_fetus=embryo,
        levels=levels,
        public_hourly=None
        if hourly is None
        else _entry(hourly, "unrestricted_area_any_hour", f"{where}.public_hourly"),
        public_hourly_wording=None if hourly is None else _text(hourly, "wording", f"{where}.public_hourly"),
    )


def parse_dose_limits(data: dict[str, Any]) -> dict[str, DoseLimits]:
    """Every profile's limits from the parsed TOML (a function of its own so tests can feed broken tables)."""
    return {pid: _profile(pid, table) for pid, table in data.items()}


@cache
def all_dose_limits() -> dict[str, DoseLimits]:
    """The shipped limits by profile id (read once; the data files are read-only)."""
    return parse_dose_limits(read_toml(DOSE_LIMITS_FILE))
