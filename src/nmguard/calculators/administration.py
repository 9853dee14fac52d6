"""Administration calculators shared by the CLI and the API: text in (as a person types it), a dict out.

``radiopharmaceuticals``, ``effective_dose``, ``paediatric_activity`` and ``medical_event`` wrap the
pure layer (:mod:`nmguard.reference`, :mod:`nmguard.dosimetry`, :mod:`nmguard.rules`) and return
JSON-ready values with the source and status of every reference value used. Bad input raises
:class:`~nmguard.errors.InputError` naming the field as the API calls it.
"""

from __future__ import annotations

import re
from typing import Any

from nmguard.dosimetry.effective_dose import check_activity_Bq
from nmguard.dosimetry.effective_dose import effective_dose as _effective_dose
from nmguard.errors import InputError
from nmguard.input_bounds import check_quantity, finite_result, parse_activity
from nmguard.reference import Radiopharmaceutical, all_radiopharmaceuticals, get_profile, get_radiopharmaceutical
from nmguard.reference.dose_coefficients import normalize_age_group
from nmguard.reference.radiopharmaceuticals import ROUTES
from nmguard.rules.medical_events import _norm_route, evaluate_administration
from nmguard.rules.paediatric import paediatric_activity as _paediatric_activity

_WEIGHT = re.compile(r"^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?)\s*(kg)?\s*$", re.IGNORECASE)


def _rp(text: str, field: str = "radiopharmaceutical") -> Radiopharmaceutical:
    try:
        return get_radiopharmaceutical(text)
    except InputError as exc:
        raise InputError(exc.message, field) from None


def _activity(text: str, field: str) -> float:
    """Parse ``"740 MBq"`` / ``"20 mCi"`` (a unit is required) and refuse zero or over 1 TBq."""
    try:
        bq = parse_activity(str(text), field.replace("_", " "))
    except InputError as exc:
        raise InputError(exc.message, field) from None
    return check_activity_Bq(bq, field)


def _age(text: str | None, field: str = "age") -> str:
    try:
        return normalize_age_group("adult" if text is None or not str(text).strip() else text)
    except InputError as exc:
        raise InputError(exc.message, field) from None


def _weight(text: str | float) -> float:
    """``10``, ``"10"``, ``"10 kg"`` → kg (plausibility is checked by the rule)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return check_quantity(float(text), "weight", "mass")
    match = _WEIGHT.match(str(text))
    if not match:
        raise InputError(f"weight: cannot read {text!r} as a body weight such as '20 kg'", "weight")
    return check_quantity(float(match.group(1).replace(",", ".")), "weight", "mass")


def _route(text: str | None, field: str) -> str | None:
    route = _norm_route(text)
    if route is not None and route not in ROUTES:
        raise InputError(
            f"{field.replace('_', ' ')}: unknown route {text!r} (choices: {', '.join(sorted(ROUTES))})", field
        )
    return route


def _sourced(v) -> dict[str, Any] | None:
    if v is None:
        return None
    return {"value": v.value, "unit": v.unit, "source": v.source.id, "status": v.status.value}


@finite_result
def radiopharmaceuticals() -> dict[str, Any]:
    """The catalogue: id, name, nuclide, route, therapy, aliases and typical adult activity with source."""
    items = [
        {
            "id": rp.id,
            "name": rp.name,
            "nuclide": rp.nuclide,
            "route": rp.route,
            "therapy": rp.therapy,
            "aliases": list(rp.aliases),
            "typical_adult_activity_MBq": _sourced(rp.typical_adult_activity_MBq),
            "typical_adult_activity_MBq_per_kg": _sourced(rp.typical_adult_activity_MBq_per_kg),
            "note": rp.note,
        }
        for rp in all_radiopharmaceuticals()
    ]
    return {"count": len(items), "radiopharmaceuticals": items}


@finite_result
def effective_dose(
    radiopharmaceutical: str, activity: str, age: str | None = "adult", publication: str | None = None
) -> dict[str, Any]:
    """E = coefficient (product, age group, publication) x activity; ``age`` is adult, 15, 10, 5 or 1;
    ``publication`` the one the department follows (ICRP 128 or ICRP 80; the catalogue default if none)."""
    product = _rp(radiopharmaceutical)
    activity_Bq = _activity(activity, "activity")
    group = _age(age)
    pub = publication.strip() if publication and publication.strip() else None
    out = _effective_dose(product.id, activity_Bq, group, publication=pub).to_dict()
    return {
        "radiopharmaceutical": product.name,
        "nuclide": product.nuclide,
        **out,
        "activity_MBq": activity_Bq / 1e6,
    }


@finite_result
def paediatric_activity(
    radiopharmaceutical: str, weight: str | float, card: str | None = "eanm-2016", indication: str | None = None
) -> dict[str, Any]:
    """Paediatric activity from the EANM 2016 card or the North American consensus 2016."""
    product = _rp(radiopharmaceutical)
    weight_kg = _weight(weight)
    ind = indication.strip() if indication and indication.strip() else None
    out = _paediatric_activity(product.id, weight_kg, card or "eanm-2016", indication=ind).to_dict()
    return {"radiopharmaceutical": product.name, "nuclide": product.nuclide, **out}


@finite_result
def medical_event(
    radiopharmaceutical: str,
    prescribed_activity: str,
    administered_activity: str,
    profile: str | None = "nrc",
    *,
    administered_radiopharmaceutical: str | None = None,
    route: str | None = None,
    administered_route: str | None = None,
    wrong_patient: bool = False,
    age: str | None = "adult",
) -> dict[str, Any]:
    """Deviation, tolerance and the jurisdiction profile's medical-event / unintended-exposure criteria."""
    prescribed = _rp(radiopharmaceutical)
    given = (
        _rp(administered_radiopharmaceutical, "administered_radiopharmaceutical")
        if administered_radiopharmaceutical and str(administered_radiopharmaceutical).strip()
        else prescribed
    )
    p_Bq = _activity(prescribed_activity, "prescribed_activity")
    a_Bq = _activity(administered_activity, "administered_activity")
    prof = get_profile(profile or "nrc")
    group = _age(age)
    out = evaluate_administration(
        prof,
        prescribed_rp=prescribed.id,
        administered_rp=given.id,
        prescribed_activity_Bq=p_Bq,
        administered_activity_Bq=a_Bq,
        prescribed_route=_route(route, "route"),
        administered_route=_route(administered_route, "administered_route"),
        right_patient=not wrong_patient,
        age_group=group,
    ).to_dict()
    tol = prof.tolerance_percent(out["therapy"])
    return {
        "radiopharmaceutical": prescribed.name,
        "administered_radiopharmaceutical": given.name,
        "profile_name": prof.name,
        "prescribed_activity_MBq": p_Bq / 1e6,
        "administered_activity_MBq": a_Bq / 1e6,
        **out,
        "tolerance_source": tol.source.id,
        "tolerance_status": tol.status.value,
    }
