"""REST endpoints for release decisions (the same services as the pages): list them, create an assessment.

Quantities are texts as on the page and the CLI ("5.55 GBq", "25 uSv/h"), read by the units module's parsers;
bad input is a 422 whose ``loc`` names the field.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Status

from nmguard.apps.core.web import require_perm
from nmguard.apps.therapy import release_services as svc
from nmguard.apps.therapy.models import TherapyCycle
from nmguard.apps.therapy.release_models import ReleaseDecision
from nmguard.errors import InputError
from nmguard.physics.units import parse_activity, parse_dose
from nmguard.web.input_bounds import BoundedSchema, object_or_404

router = Router(tags=["release"])


class AssessmentIn(BoundedSchema):
    cycle: int
    method: str
    basis: str = ReleaseDecision.Basis.ACTIVITY
    condition: str = ""
    nuclide: str | None = None
    activity: str | None = None
    retained_activity: bool = False
    dose_rate_1m: str | None = None
    dose_rate_instrument: str = ""
    dose_rate_measured_at: dt.datetime | None = None
    occupancy: float | None = None
    effective_half_life_d: float | None = None
    breastfeeding_patient: bool
    reason: str = ""


def decision_dict(d: ReleaseDecision) -> dict[str, object]:
    """The stored record: the pure result as computed then, plus who, when and the release's signature."""
    return {
        "id": d.pk,
        "cycle": d.cycle_id,
        "current": d.is_current,
        "superseded_by": d.superseded_by_id,
        "releasable": d.releasable,
        "dose_to_others_mSv": d.dose_to_others_mSv,
        "instructions_required": d.instructions_required,
        "basis": d.result.get("basis"),
        "result": d.result,
        "basis_kind": d.basis,
        "dose_rate_instrument": d.dose_rate_instrument,
        "dose_rate_measured_at": d.dose_rate_measured_at.isoformat() if d.dose_rate_measured_at else None,
        "breastfeeding_patient": d.breastfeeding_patient,
        "assessed_by": d.assessed_by.username,
        "assessed_at": d.created_at.isoformat(),
        "released_at": d.released_at.isoformat() if d.released_at else None,
        "signed_by": d.signature.signer_name if d.signature_id else None,
        "instructions": [line.as_dict() for line in svc.instructions(d)],
    }


@router.get("/decisions", response=list[dict])
def list_decisions(request: HttpRequest, cycle: int | None = None, current: bool = False):
    """Release decisions, newest first; ``cycle`` and ``current`` filter."""
    require_perm(request, "therapy.view_releasedecision")
    qs = ReleaseDecision.objects.select_related("assessed_by", "signature").order_by("-created_at", "-pk")
    if cycle is not None:
        qs = qs.filter(cycle=object_or_404(TherapyCycle, pk=cycle))
    if current:
        qs = qs.filter(superseded_by__isnull=True)
    return [decision_dict(d) for d in qs[:500]]


@router.post("/decisions", response={201: dict})
def create_assessment(request: HttpRequest, payload: AssessmentIn):
    """A release assessment of a cycle (a current one is superseded; ``reason`` then required)."""
    require_perm(request, "therapy.add_releasedecision")
    cycle = object_or_404(TherapyCycle, pk=payload.cycle)
    if payload.method not in ReleaseDecision.Method.values:
        raise InputError(f"method: use one of {', '.join(ReleaseDecision.Method.values)}", "method")
    if payload.basis not in ReleaseDecision.Basis.values:
        raise InputError(f"basis: use one of {', '.join(ReleaseDecision.Basis.values)}", "basis")
    measured = payload.dose_rate_measured_at
    if measured is not None and (measured.tzinfo is None or measured.utcoffset() is None):
        raise InputError("dose_rate_measured_at: give the time with its UTC offset", "dose_rate_measured_at")
    assessment = svc.Assessment(
        method=payload.method,
        basis=payload.basis,
        condition=payload.condition,
        nuclide=payload.nuclide,
        activity_Bq=parse_activity(payload.activity, "activity") if payload.activity else None,
        retained_activity=payload.retained_activity,
        dose_rate_1m_uSv_h=parse_dose(payload.dose_rate_1m, "dose_rate_1m", per="h") * 1e6
        if payload.dose_rate_1m
        else None,
        dose_rate_instrument=payload.dose_rate_instrument,
        dose_rate_measured_at=measured,
        occupancy=payload.occupancy,
        effective_half_life_d=payload.effective_half_life_d,
        breastfeeding_patient=payload.breastfeeding_patient,
        reason=payload.reason,
    )
    decision = svc.assess(cycle, assessment, request.user)
    return Status(201, decision_dict(decision))
