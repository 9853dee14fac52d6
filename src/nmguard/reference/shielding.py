"""Shielding design data (``data/shielding.toml``): the PET patient as a source (AAPM TG-108), Archer fits of
broad-beam transmission, and the weekly design goals per jurisdiction profile.

Why a loader of its own: the numbers are used together by :mod:`nmguard.protection.shielding` and shown with
their sources on the shielding pages. The public limit that an uncontrolled area's goal rests on is *read* from
:mod:`nmguard.reference.dose_limits` (never repeated here), so switching a profile's limit moves the goal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference._sourced import sourced_entry
from nmguard.reference.citations import SourcedValue, Status, get_citation
from nmguard.reference.dose_limits import all_dose_limits

SHIELDING_FILE = "shielding.toml"
AREAS = ("controlled", "uncontrolled")
BASES = ("public-limit", "annual")
DOSE_RATE_UNIT = "uSv m2 MBq-1 h-1"


@dataclass(frozen=True)
class PetSource:
    """TG-108's F-18 patient: constant in air, body transmission, the product its equations use, voiding."""

    nuclide: str
    dose_rate_constant: SourcedValue
    body_transmission: SourcedValue
    patient_dose_rate_constant: SourcedValue
    voiding_factor: SourcedValue


@dataclass(frozen=True)
class ArcherFit:
    """Broad-beam transmission B(x) = [(1 + b/a) exp(a g x) - b/a]^(-1/g), x in cm (Archer et al. 1983)."""

    energy: str
    material: str
    alpha: SourcedValue  # cm-1
    beta: SourcedValue  # cm-1
    gamma: SourcedValue  # 1


@dataclass(frozen=True)
class DesignGoal:
    """The weekly design goal P of an area under a profile, with the annual value and the rule it came from."""

    profile: str
    area: str
    basis: str
    wording: str
    annual_mSv: SourcedValue
    weeks_per_year: SourcedValue
    weekly_uSv: SourcedValue


@dataclass(frozen=True)
class ShieldingData:
    pet: PetSource
    fits: dict[str, dict[str, ArcherFit]]  # energy -> material -> fit
    weeks_per_year: SourcedValue
    goals: dict[str, dict[str, dict[str, Any]]]  # profile -> area -> raw table (resolved by design_goal)


def _value(table: dict[str, Any], key: str, where: str, unit: str) -> SourcedValue:
    entry = table.get(key)
    if not isinstance(entry, dict):
        raise ReferenceDataError(f"{where}: {key!r} is not an inline table {{value, unit, source, status, note}}")
    value = sourced_entry(entry, f"{where}.{key}")
    if value.unit != unit:
        raise ReferenceDataError(f"{where}.{key}: unit {value.unit!r}, expected {unit!r}")
    return value


def _pet(table: dict[str, Any]) -> PetSource:
    w = f"{SHIELDING_FILE} [pet]"
    pet = PetSource(
        nuclide=str(table.get("nuclide", "")),
        dose_rate_constant=_value(table, "dose_rate_constant", w, DOSE_RATE_UNIT),
        body_transmission=_value(table, "body_transmission", w, "1"),
        patient_dose_rate_constant=_value(table, "patient_dose_rate_constant", w, DOSE_RATE_UNIT),
        voiding_factor=_value(table, "voiding_factor", w, "1"),
    )
    product = pet.dose_rate_constant.value * pet.body_transmission.value
    # TG-108 rounds 0.143 x 0.64 = 0.0915 to 0.092: the shipped constant must be that product to its rounding.
    if abs(pet.patient_dose_rate_constant.value - product) > 0.006 * product:
        raise ReferenceDataError(f"{w}: patient_dose_rate_constant is not dose_rate_constant x body_transmission")
    if not 0 < pet.body_transmission.value <= 1 or not 0 < pet.voiding_factor.value <= 1:
        raise ReferenceDataError(f"{w}: body_transmission and voiding_factor must lie in (0, 1]")
    return pet


def _fit(energy: str, material: str, table: dict[str, Any]) -> ArcherFit:
    w = f"{SHIELDING_FILE} [transmission.{energy}.{material}]"
    fit = ArcherFit(
        energy=energy,
        material=material,
        alpha=_value(table, "alpha", w, "cm-1"),
        beta=_value(table, "beta", w, "cm-1"),
        gamma=_value(table, "gamma", w, "1"),
    )
    # B(0) = 1 and B falling with x need alpha > 0, gamma > 0 and 1 + beta/alpha > 0.
    if fit.alpha.value <= 0 or fit.gamma.value <= 0 or 1 + fit.beta.value / fit.alpha.value <= 0:
        raise ReferenceDataError(f"{w}: need alpha > 0, gamma > 0 and 1 + beta/alpha > 0")
    return fit


def parse_shielding(data: dict[str, Any]) -> ShieldingData:
    """The whole file, checked (a function of its own so tests can feed broken tables)."""
    fits = {
        energy: {material: _fit(energy, material, t) for material, t in materials.items()}
        for energy, materials in data.get("transmission", {}).items()
    }
    goals = data.get("design_goals", {})
    for profile, areas in goals.items():
        if set(areas) != set(AREAS):
            raise ReferenceDataError(f"{SHIELDING_FILE} [design_goals.{profile}]: needs exactly {', '.join(AREAS)}")
        for area, table in areas.items():
            if table.get("basis") not in BASES:
                raise ReferenceDataError(f"{SHIELDING_FILE} [design_goals.{profile}.{area}]: basis not in {BASES}")
    return ShieldingData(
        pet=_pet(data.get("pet", {})),
        fits=fits,
        weeks_per_year=_value(data, "weeks_per_year", SHIELDING_FILE, "week"),
        goals=goals,
    )


@cache
def shielding_data() -> ShieldingData:
    """The shipped shielding data (read once; the data files are read-only)."""
    return parse_shielding(read_toml(SHIELDING_FILE))


def archer_fit(material: str, energy: str = "511keV") -> ArcherFit:
    """The cited fit for ``material`` at ``energy``; anything else is refused, never extrapolated."""
    fits = shielding_data().fits
    if energy not in fits:
        raise InputError(
            f"not yet: no cited broad-beam transmission data for {str(energy)[:40]} (have: {', '.join(fits)})",
            field="nuclide",
        )
    if material not in fits[energy]:
        have = ", ".join(fits[energy])
        raise InputError(
            f"not yet: no cited {energy} transmission data for {str(material)[:40]!r} (have: {have})", "material"
        )
    return fits[energy][material]


def design_goal(profile: str, area: str) -> DesignGoal:
    """The weekly design goal of ``area`` under ``profile``; the public limit is taken from dose_limits."""
    data = shielding_data()
    if profile not in data.goals:
        raise InputError(f"unknown profile {str(profile)[:40]!r} (choices: {', '.join(data.goals)})", field="profile")
    if area not in AREAS:
        raise InputError(f"unknown area {str(area)[:40]!r} (choices: {', '.join(AREAS)})", field="area")
    table = data.goals[profile][area]
    where = f"{SHIELDING_FILE} [design_goals.{profile}.{area}]"
    if table["basis"] == "public-limit":
        limit = all_dose_limits()[profile].limit("public", "effective")
        if limit is None:
            raise ReferenceDataError(f"{where}: profile {profile} has no public effective-dose limit")
        annual = limit.single_year
    else:
        annual = _value(table, "annual", where, "mSv")
    weeks = data.weeks_per_year
    weekly = annual.value * 1000.0 / weeks.value
    if not math.isfinite(weekly) or weekly <= 0:
        raise ReferenceDataError(f"{where}: the weekly goal is not positive")
    note = (
        f"{annual.value:g} mSv/y ({annual.source.id}, {annual.status.value}) / {weeks.value:g} weeks "
        f"({weeks.source.id}, {weeks.status.value})"
    )
    return DesignGoal(
        profile=profile,
        area=area,
        basis=table["basis"],
        wording=str(table.get("wording", "")).strip(),
        annual_mSv=annual,
        weeks_per_year=weeks,
        weekly_uSv=SourcedValue(
            weekly, "uSv/week", get_citation("nmguard-derivation", where), Status.DERIVED, None, note
        ),
    )


@dataclass(frozen=True)
class OccupancyChoice:
    """A suggested occupancy factor T for a kind of area (NCRP 147 Table 4.1 as TG-108 quotes it)."""

    key: str
    label: str
    factor: SourcedValue


@cache
def occupancy_choices() -> dict[str, OccupancyChoice]:
    """The suggested occupancy factors by key, in file order (each 0 < T <= 1, checked)."""
    choices: dict[str, OccupancyChoice] = {}
    for key, table in read_toml(SHIELDING_FILE).get("occupancy", {}).items():
        where = f"{SHIELDING_FILE} [occupancy.{key}]"
        factor = _value(table, "factor", where, "1")
        if not 0 < factor.value <= 1 or not str(table.get("label", "")).strip():
            raise ReferenceDataError(f"{where}: needs a label and 0 < factor <= 1")
        choices[key] = OccupancyChoice(key, str(table["label"]).strip(), factor)
    return choices
