"""Durations of the restrictions in a released patient's written instructions, and breast-feeding.

Model (NMGuard's own, status unverified: neither RG 8.39 / NUREG-1556 App. U nor IAEA SRS 63 gives one to
compute): the patient is a point source whose dose rate at 1 m at release is ``rate0`` and falls as a sum of
exponentials (fractions F_i, half-lives T_i in days: the physical half-life, an effective half-life, or the I-131
components of RG 8.39 Table B-1). During a restriction of ``t`` days the contact is taken to receive nothing from
the patient; from its end, ``h`` hours a day at ``d`` metres (inverse square) until the activity has gone:

    D(t) = rate0 * h / d**2 * sum_i F_i * (T_i / ln 2) * exp(-ln 2 * t / T_i)          [mSv, rate0 in mSv/h]

The restriction lasts the smallest ``t`` with D(t) <= the contact's constraint (a carer's or the public's, from
``patient_release.toml``). Contact patterns are data (``[contacts]``), so a department can change them.
Breast-feeding comes from the breast-feeding table (``reference/breastfeeding.py``), not from this model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from nmguard.reference.breastfeeding import BreastfeedingAdvice, breastfeeding_advice, breastfeeding_entries
from nmguard.reference.patient_release import Contact, patient_release_data
from nmguard.reference.radiopharmaceuticals import get_radiopharmaceutical

LN2 = math.log(2.0)
MAX_DAYS = 3650.0  # a restriction longer than ten years means the inputs are wrong, not a plan


@dataclass(frozen=True)
class Component:
    """A retained fraction of the activity at release and its (effective) half-life in days."""

    fraction: float
    half_life_d: float


@dataclass(frozen=True)
class Restriction:
    contact: str
    label: str
    days: int | None  # whole days to write in the instructions (rounded up); None: not within MAX_DAYS
    exact_days: float | None
    constraint_mSv: float
    constraint: str  # carer | public
    dose_without_restriction_mSv: float
    hours_per_day: float
    distance_m: float
    source: str
    status: str

    def as_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def dose_after(
    rate0_mSv_h: float, components: tuple[Component, ...], hours_per_day: float, distance_m: float, days: float
) -> float:
    """Dose (mSv) to a contact from day ``days`` after release onwards (the model in the module docstring)."""
    per_day = rate0_mSv_h * hours_per_day / distance_m**2
    return per_day * sum(c.fraction * (c.half_life_d / LN2) * math.exp(-LN2 * days / c.half_life_d) for c in components)


def restriction_days(
    rate0_mSv_h: float,
    components: tuple[Component, ...],
    hours_per_day: float,
    distance_m: float,
    constraint_mSv: float,
) -> float:
    """Smallest delay (days) after which the contact's remaining dose is within ``constraint_mSv``.

    D(t) falls monotonically, so bisection finds it; 0 when no restriction is needed."""
    if dose_after(rate0_mSv_h, components, hours_per_day, distance_m, 0.0) <= constraint_mSv:
        return 0.0
    low, high = 0.0, MAX_DAYS
    if dose_after(rate0_mSv_h, components, hours_per_day, distance_m, high) > constraint_mSv:
        return math.inf
    for _ in range(80):
        mid = 0.5 * (low + high)
        if dose_after(rate0_mSv_h, components, hours_per_day, distance_m, mid) > constraint_mSv:
            low = mid
        else:
            high = mid
    return high


def _constraint(contact: Contact) -> float:
    data = patient_release_data()
    return data.value(f"iaea.{contact.constraint}_constraint").value


def restrictions(rate0_mSv_h: float, components: tuple[Component, ...]) -> tuple[Restriction, ...]:
    """Every contact of ``patient_release.toml`` with its restriction in whole days (rounded up)."""
    out = []
    for contact in patient_release_data().contacts.values():
        h, d = contact.hours_per_day.value, contact.distance_m.value
        limit = _constraint(contact)
        exact = restriction_days(rate0_mSv_h, components, h, d, limit)
        out.append(
            Restriction(
                contact=contact.key,
                label=contact.label,
                days=math.ceil(exact - 1e-9) if math.isfinite(exact) else None,
                exact_days=exact if math.isfinite(exact) else None,
                constraint_mSv=limit,
                constraint=contact.constraint,
                dose_without_restriction_mSv=dose_after(rate0_mSv_h, components, h, d, 0.0),
                hours_per_day=h,
                distance_m=d,
                source=contact.hours_per_day.source.id,
                status=contact.hours_per_day.status.value,
            )
        )
    return tuple(out)


def breastfeeding_for(nuclide: str, radiopharmaceutical: str | None = None) -> BreastfeedingAdvice | None:
    """The breast-feeding row for the product given, else the nuclide's own row or its only product's row."""
    if radiopharmaceutical:
        return breastfeeding_advice(radiopharmaceutical)
    entries = breastfeeding_entries()
    own = [e for e in entries if e.applies_to == f"nuclide:{nuclide}"]
    if own:
        return own[0]
    products = [
        e
        for e in entries
        if not e.applies_to.startswith("nuclide:") and get_radiopharmaceutical(e.applies_to).nuclide == nuclide
    ]
    return products[0] if len(products) == 1 else None


def breastfeeding_dict(advice: BreastfeedingAdvice | None) -> dict[str, object] | None:
    if advice is None:
        return None
    return {
        "applies_to": advice.applies_to,
        "cessation": advice.cessation,
        "interruption_h": advice.interruption_h,
        "edition": advice.edition,
        "source": advice.source.id,
        "status": advice.status.value,
        "note": advice.note,
    }
