"""Patient release after therapy (``data/patient_release.toml``): NRC table values, Eq. U-1 inputs, the I-131
two-component model and the IAEA constraints, each value with its citation and status.

Why a loader of its own: the release decision (``protection/release.py``) and a later release record must read
the same numbers with their statuses, and a bad file must fail on loading, not mid-decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from nmguard.errors import UnknownNuclideError
from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference._sourced import sourced_entry
from nmguard.reference.citations import SourcedValue
from nmguard.reference.nuclides import _canonical_forms

PATIENT_RELEASE_FILE = "patient_release.toml"
CONSTRAINTS = ("carer", "public")


@dataclass(frozen=True)
class ReleaseNuclide:
    """One row of Table U.1 with the Eq. U-1 inputs; Table U.2 values only where the guide's print was read."""

    name: str
    half_life_d: SourcedValue
    gamma: SourcedValue  # R cm2 / (mCi h)
    occupancy: SourcedValue
    release_activity_mCi: SourcedValue
    release_dose_rate_mSv_h: SourcedValue
    release_activity_GBq: SourcedValue | None = None
    release_dose_rate_mrem_h: SourcedValue | None = None
    instruction_activity_GBq: SourcedValue | None = None
    instruction_activity_mCi: SourcedValue | None = None
    instruction_dose_rate_mSv_h: SourcedValue | None = None
    instruction_dose_rate_mrem_h: SourcedValue | None = None


@dataclass(frozen=True)
class IodineCondition:
    """RG 8.39 Table B-1 uptake fractions and effective half-lives (d) for one condition."""

    key: str
    label: str
    extrathyroidal_fraction: SourcedValue
    extrathyroidal_half_life: SourcedValue
    thyroidal_fraction: SourcedValue
    thyroidal_half_life: SourcedValue


@dataclass(frozen=True)
class Contact:
    """A contact whose restriction NMGuard times: hours a day at a distance once the restriction ends."""

    key: str
    label: str
    constraint: str  # carer | public
    hours_per_day: SourcedValue
    distance_m: SourcedValue


@dataclass(frozen=True)
class PatientReleaseData:
    edition: str
    values: dict[str, SourcedValue]  # criteria, equation, iodine131 and iaea scalars, by "<table>.<key>"
    nuclides: dict[str, ReleaseNuclide]
    pure_beta: tuple[str, ...]
    pure_beta_basis: SourcedValue
    conditions: dict[str, IodineCondition]
    contacts: dict[str, Contact]

    def value(self, key: str) -> SourcedValue:
        return self.values[key]


def _entries(table: dict[str, Any], where: str) -> dict[str, SourcedValue]:
    out = {}
    for key, entry in table.items():
        if isinstance(entry, dict) and "value" in entry:
            value = sourced_entry(entry, f"{where}.{key}")
            if value.value < 0:
                raise ReferenceDataError(f"{where}.{key}: negative value {value.value:g}")
            out[key] = value
    return out


def _need(table: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    if missing := [k for k in keys if k not in table]:
        raise ReferenceDataError(f"{where}: missing {', '.join(missing)}")


def parse_patient_release(data: dict[str, Any]) -> PatientReleaseData:
    """Check and type the file's content; every structural fault is a :class:`ReferenceDataError`."""
    f = PATIENT_RELEASE_FILE
    values: dict[str, SourcedValue] = {}
    scalar_keys = {
        "criteria": ("release_dose", "instruction_dose"),
        "equation": ("factor", "distance", "occupancy_default", "occupancy_short", "short_half_life_limit"),
        "iodine131": ("first_period", "first_period_fraction", "occupancy_first_period", "occupancy_after"),
        "iaea": ("carer_constraint", "public_constraint", "instructions_always"),
        "records": ("retention_years",),
    }
    for table, keys in scalar_keys.items():
        entries = _entries(data.get(table, {}), f"{f} [{table}]")
        _need(entries, keys, f"{f} [{table}]")
        values.update({f"{table}.{k}": v for k, v in entries.items()})
    nuclides = {}
    for name, row in data.get("nuclides", {}).items():
        where = f"{f} [nuclides.{name}]"
        entries = _entries(row, where)
        _need(entries, ("half_life", "gamma", "occupancy", "release_activity_mCi", "release_dose_rate_mSv_h"), where)
        if entries["half_life"].value <= 0 or entries["gamma"].value <= 0:
            raise ReferenceDataError(f"{where}: half-life and gamma must be > 0")
        half_life, gamma = entries.pop("half_life"), entries.pop("gamma")
        nuclides[name] = ReleaseNuclide(name=name, half_life_d=half_life, gamma=gamma, **entries)
    conditions = {}
    for key, row in data.get("iodine131", {}).get("conditions", {}).items():
        where = f"{f} [iodine131.conditions.{key}]"
        entries = _entries(row, where)
        keys = ("extrathyroidal_fraction", "extrathyroidal_half_life", "thyroidal_fraction", "thyroidal_half_life")
        _need(entries, keys, where)
        total = entries["extrathyroidal_fraction"].value + entries["thyroidal_fraction"].value
        if abs(total - 1.0) > 1e-9:
            raise ReferenceDataError(f"{where}: fractions sum to {total:g}, not 1")
        conditions[key] = IodineCondition(key=key, label=str(row.get("label", key)), **entries)
    contacts = {}
    for key, row in data.get("contacts", {}).items():
        where = f"{f} [contacts.{key}]"
        entries = _entries(row, where)
        _need(entries, ("hours_per_day", "distance"), where)
        if row.get("constraint") not in CONSTRAINTS:
            raise ReferenceDataError(f"{where}: constraint must be one of {', '.join(CONSTRAINTS)}")
        if not 0 < entries["hours_per_day"].value <= 24 or entries["distance"].value <= 0:
            raise ReferenceDataError(f"{where}: hours_per_day in (0, 24] and distance > 0 required")
        contacts[key] = Contact(
            key=key,
            label=str(row.get("label", key)),
            constraint=row["constraint"],
            hours_per_day=entries["hours_per_day"],
            distance_m=entries["distance"],
        )
    pure = data.get("pure_beta", {})
    basis = _entries(pure, f"{f} [pure_beta]")
    _need(basis, ("basis",), f"{f} [pure_beta]")
    if not nuclides or not conditions or not contacts:
        raise ReferenceDataError(f"{f}: nuclides, iodine131.conditions and contacts must not be empty")
    return PatientReleaseData(
        edition=str(data.get("edition", "")).strip(),
        values=values,
        nuclides=nuclides,
        pure_beta=tuple(pure.get("nuclides", ())),
        pure_beta_basis=basis["basis"],
        conditions=conditions,
        contacts=contacts,
    )


@cache
def patient_release_data() -> PatientReleaseData:
    return parse_patient_release(read_toml(PATIENT_RELEASE_FILE))


def release_nuclide_name(text: str) -> str:
    """The table's name for ``text`` (``"131I"`` -> ``"I-131"``), any spelling the nuclide table accepts."""
    data = patient_release_data()
    known = set(data.nuclides) | set(data.pure_beta)
    forms = _canonical_forms(text) if isinstance(text, str) else []
    name = next((form for form in forms if form in known), None)
    if name is None:
        raise UnknownNuclideError(
            f"nuclide {text!r} is not in the release table (NUREG-1556 Vol. 9 App. U Table U.1); "
            f"known: {', '.join(sorted(known))}",
            field="nuclide",
        )
    return name
