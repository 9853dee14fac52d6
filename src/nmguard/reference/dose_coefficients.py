"""Patient dose per administered activity: effective-dose coefficients by age, organ absorbed dose
coefficients (highest organ where published) and therapy label/literature organ doses.

Files: ``effective_dose_coefficients.csv`` (one row per product, edition and age group; exactly one
edition per product and age is marked ``default`` for the calculator), ``organ_dose_coefficients.csv``
and ``therapy_organ_doses.csv``. Age groups are the ICRP 128 reference ages: adult, 15, 10, 5, 1.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference._sourced import opt_float, sourced, to_bool, to_float
from nmguard.reference.citations import SourcedValue
from nmguard.reference.radiopharmaceuticals import get_radiopharmaceutical

EFFECTIVE_FILE = "effective_dose_coefficients.csv"
ORGAN_FILE = "organ_dose_coefficients.csv"
THERAPY_FILE = "therapy_organ_doses.csv"
AGE_GROUPS = ("adult", "15", "10", "5", "1")


@dataclass(frozen=True)
class EffectiveDoseCoefficient:
    radiopharmaceutical_id: str
    edition: str
    age_group: str
    coefficient: SourcedValue  # mSv/MBq
    default: bool


@dataclass(frozen=True)
class OrganDoseCoefficient:
    radiopharmaceutical_id: str
    edition: str
    age_group: str
    organ: str
    coefficient: SourcedValue  # mGy/MBq
    highest: bool


@dataclass(frozen=True)
class TherapyOrganDose:
    radiopharmaceutical_id: str
    organ: str
    dose_per_activity: SourcedValue  # Gy/GBq (= mGy/MBq)
    maximum_Gy_per_GBq: float | None  # upper end where the source gives a range
    dataset: str


def normalize_age_group(age_group: str | int | float) -> str:
    text = str(age_group).strip().lower().removesuffix("y").removesuffix("years").strip()
    if text in ("adult", "a"):
        return "adult"
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None and number.is_integer() and str(int(number)) in AGE_GROUPS:
        return str(int(number))
    raise InputError(f"age group {age_group!r} is not one of {', '.join(AGE_GROUPS)}", field="age")


@cache
def _effective() -> dict[str, tuple[EffectiveDoseCoefficient, ...]]:
    out: dict[str, list[EffectiveDoseCoefficient]] = defaultdict(list)
    for i, row in enumerate(read_csv(EFFECTIVE_FILE), start=2):
        where = f"{EFFECTIVE_FILE} line {i}"
        rp = get_radiopharmaceutical(row["radiopharmaceutical_id"]).id
        age = row["age_group"].strip()
        if age not in AGE_GROUPS:
            raise ReferenceDataError(f"{where}: age group {age!r}")
        value = to_float(row["mSv_per_MBq"], where)
        out[rp].append(
            EffectiveDoseCoefficient(
                radiopharmaceutical_id=rp,
                edition=row["edition"].strip(),
                age_group=age,
                coefficient=sourced(value, "mSv/MBq", row["source"], row["status"], where, row.get("note")),
                default=to_bool(row["default"], where),
            )
        )
    for rp, rows in out.items():
        for age in AGE_GROUPS:
            defaults = [r for r in rows if r.age_group == age and r.default]
            if len(defaults) > 1 or (not defaults and any(r.age_group == age for r in rows)):
                raise ReferenceDataError(f"{EFFECTIVE_FILE}: {rp} age {age} needs exactly one default edition")
    return {rp: tuple(rows) for rp, rows in out.items()}


def effective_dose_coefficients(rp: str) -> tuple[EffectiveDoseCoefficient, ...]:
    """Every shipped effective-dose coefficient of a product (all editions and ages)."""
    return _effective().get(get_radiopharmaceutical(rp).id, ())


def effective_dose_coefficient(rp: str, age_group: str = "adult", edition: str | None = None) -> SourcedValue:
    """The coefficient (mSv/MBq) for a product and ICRP 128 age group; ``edition=None`` takes the default."""
    return effective_dose_coefficient_entry(rp, age_group, edition).coefficient


def effective_dose_coefficient_entry(
    rp: str, age_group: str = "adult", edition: str | None = None
) -> EffectiveDoseCoefficient:
    product = get_radiopharmaceutical(rp)
    age = normalize_age_group(age_group)
    rows = _effective().get(product.id, ())
    if not rows:
        raise InputError(f"no effective-dose coefficient is shipped for {product.id}", field="radiopharmaceutical")
    if edition is None:
        hits = [r for r in rows if r.age_group == age and r.default]
    else:
        hits = [r for r in rows if r.age_group == age and r.edition.lower() == edition.strip().lower()]
    if not hits:
        ages = sorted(
            {r.age_group for r in rows if edition is None or r.edition.lower() == edition.strip().lower()},
            key=AGE_GROUPS.index,
        )
        editions = sorted({r.edition for r in rows if r.age_group == age})
        detail = f"ages available: {', '.join(ages) or 'none'}"
        if editions:
            detail += f"; editions for age {age}: {', '.join(editions)}"
        raise InputError(
            f"no effective-dose coefficient for {product.id} at age {age}"
            + (f" in edition {edition!r}" if edition else "")
            + f" ({detail})",
            field="age",
        )
    return hits[0]


@cache
def _organs() -> dict[str, tuple[OrganDoseCoefficient, ...]]:
    out: dict[str, list[OrganDoseCoefficient]] = defaultdict(list)
    for i, row in enumerate(read_csv(ORGAN_FILE), start=2):
        where = f"{ORGAN_FILE} line {i}"
        rp = get_radiopharmaceutical(row["radiopharmaceutical_id"]).id
        age = row["age_group"].strip()
        if age not in AGE_GROUPS:
            raise ReferenceDataError(f"{where}: age group {age!r}")
        out[rp].append(
            OrganDoseCoefficient(
                radiopharmaceutical_id=rp,
                edition=row["edition"].strip(),
                age_group=age,
                organ=row["organ"].strip(),
                coefficient=sourced(
                    to_float(row["mGy_per_MBq"], where), "mGy/MBq", row["source"], row["status"], where, row.get("note")
                ),
                highest=to_bool(row["highest"], where),
            )
        )
    return {rp: tuple(rows) for rp, rows in out.items()}


def organ_dose_coefficients(
    rp: str, age_group: str | None = None, highest_only: bool = False
) -> tuple[OrganDoseCoefficient, ...]:
    """Organ absorbed dose per activity (mGy/MBq) shipped for a product; may be empty."""
    rows = _organs().get(get_radiopharmaceutical(rp).id, ())
    if age_group is not None:
        age = normalize_age_group(age_group)
        rows = tuple(r for r in rows if r.age_group == age)
    if highest_only:
        rows = tuple(r for r in rows if r.highest)
    return rows


@cache
def _therapy() -> dict[str, tuple[TherapyOrganDose, ...]]:
    out: dict[str, list[TherapyOrganDose]] = defaultdict(list)
    for i, row in enumerate(read_csv(THERAPY_FILE), start=2):
        where = f"{THERAPY_FILE} line {i}"
        product = get_radiopharmaceutical(row["radiopharmaceutical_id"])
        if not product.therapy:
            raise ReferenceDataError(f"{where}: {product.id} is not a therapy product")
        value = sourced(
            to_float(row["Gy_per_GBq"], where), "Gy/GBq", row["source"], row["status"], where, row.get("note")
        )
        unc = opt_float(row["uncertainty_Gy_per_GBq"], where)
        if unc is not None:
            value = SourcedValue(value.value, value.unit, value.source, value.status, unc, value.note)
        out[product.id].append(
            TherapyOrganDose(
                radiopharmaceutical_id=product.id,
                organ=row["organ"].strip(),
                dose_per_activity=value,
                maximum_Gy_per_GBq=opt_float(row["Gy_per_GBq_max"], where),
                dataset=row["dataset"].strip(),
            )
        )
    return {rp: tuple(rows) for rp, rows in out.items()}


def therapy_organ_doses(rp: str) -> tuple[TherapyOrganDose, ...]:
    """Label / literature organ absorbed dose per activity for a therapy product (Gy/GBq); may be empty."""
    return _therapy().get(get_radiopharmaceutical(rp).id, ())
