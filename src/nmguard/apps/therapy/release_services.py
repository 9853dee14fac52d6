"""Release of a patient after a therapy cycle as business actions: assess, re-assess, sign the release.

The decision is :func:`nmguard.protection.release.assess_release` (the CLI's); this module stores its result,
checks the measurement's time and the roles, and refuses to sign a release that the calculation refuses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.guards import check_not_future, require_role
from nmguard.apps.core.roles import Role
from nmguard.apps.core.signatures import reauthenticate, sign
from nmguard.apps.patients.services import jurisdiction_profile_id, require_reason_of_substance
from nmguard.apps.therapy.models import TherapyCycle
from nmguard.apps.therapy.release_models import ReleaseDecision
from nmguard.errors import InputError
from nmguard.protection.release import assess_release
from nmguard.protection.release_instructions import InstructionLine, breastfeeding_text, instruction_lines

ASSESS_ROLES = (Role.PHYSICIAN, Role.PHYSICIST)
SIGN_ROLES = (Role.PHYSICIAN,)  # the authorised user decides the release (10 CFR 35.75)
_FIELDS = {"effective_half_life": "effective_half_life_d"}


def release_profile() -> str:
    """The pure calculation's profile: ``nrc`` for the NRC department, the IAEA approach otherwise (Euratom
    2013/59 Art. 6 and GSR Part 3 both set dose constraints for carers and comforters, without a table)."""
    return "nrc" if jurisdiction_profile_id() == "nrc" else "iaea"


@dataclass(frozen=True)
class Assessment:
    """What the user typed (or the form prefilled); activity and nuclide may come from the administration."""

    method: str
    basis: str = ReleaseDecision.Basis.ACTIVITY
    condition: str = ""
    nuclide: str | None = None
    activity_Bq: float | None = None
    retained_activity: bool = False
    dose_rate_1m_uSv_h: float | None = None
    dose_rate_instrument: str = ""
    dose_rate_measured_at: dt.datetime | None = None
    occupancy: float | None = None
    effective_half_life_d: float | None = None
    breastfeeding_patient: bool = False
    reason: str = ""


def current_decision(cycle: TherapyCycle) -> ReleaseDecision | None:
    return cycle.release_decisions.filter(superseded_by__isnull=True).select_related("signature").first()


def cycle_defaults(cycle: TherapyCycle) -> dict[str, object]:
    """Nuclide, product and activity of the cycle: the administration's when there is one, else the protocol's."""
    product = cycle.course.protocol.radiopharmaceutical
    adm = cycle.administration
    if adm is not None:
        product = adm.prescription.protocol.radiopharmaceutical
    return {
        "nuclide": product.nuclide,
        "radiopharmaceutical": product.catalogue_id,
        "activity_Bq": adm.administered_activity_Bq if adm else None,
        "administered_at": adm.administered_at if adm else None,
    }


def _check_measurement(a: Assessment, administered_at: dt.datetime | None) -> None:
    """The measured dose rate: needed by the dose-rate basis, with its instrument and a time after the
    administration and not in the future; refused with the other bases (they would not use it)."""
    if a.basis != ReleaseDecision.Basis.DOSE_RATE:
        if a.dose_rate_1m_uSv_h is not None:
            raise InputError(
                "dose_rate_1m: a measured dose rate is used only with the basis 'dose rate'", "dose_rate_1m"
            )
        return
    if a.dose_rate_1m_uSv_h is None:
        raise InputError("dose_rate_1m: the basis 'dose rate at 1 m' needs the measured dose rate", "dose_rate_1m")
    if not a.dose_rate_instrument.strip():
        raise InputError("dose_rate_instrument: name the survey meter used", "dose_rate_instrument")
    if a.dose_rate_measured_at is None:
        raise InputError("dose_rate_measured_at: give the time of the measurement", "dose_rate_measured_at")
    check_not_future(a.dose_rate_measured_at, "dose_rate_measured_at")
    if administered_at is not None and a.dose_rate_measured_at < administered_at:
        local = timezone.localtime(administered_at)
        raise InputError(
            f"dose_rate_measured_at: the measurement lies before the administration ({local:%Y-%m-%d %H:%M})",
            "dose_rate_measured_at",
        )


def assess(cycle: TherapyCycle, a: Assessment, user) -> ReleaseDecision:
    """Compute and store a release assessment; a current one is superseded (with ``a.reason``), never changed."""
    require_role(user, *ASSESS_ROLES, what="assessing a patient's release")
    defaults = cycle_defaults(cycle)
    from_adm = defaults["activity_Bq"] is not None
    nuclide = str(defaults["nuclide"]) if from_adm else (a.nuclide or str(defaults["nuclide"]))
    # the administration's activity unless a retained activity is typed; without an administration, typed
    if a.retained_activity or not from_adm:
        if a.activity_Bq is None:
            what = "the retained activity" if a.retained_activity else "the activity in the patient (no administration)"
            raise InputError(f"activity: type {what}", "activity")
        activity = a.activity_Bq
    else:
        activity = float(defaults["activity_Bq"])  # type: ignore[arg-type]
    if (a.basis == ReleaseDecision.Basis.UPTAKE) != bool(a.condition):
        raise InputError("condition: the I-131 uptake model needs a condition, and only it takes one", "condition")
    if a.basis == ReleaseDecision.Basis.UPTAKE and a.method != ReleaseDecision.Method.PATIENT_SPECIFIC:
        raise InputError("method: the I-131 uptake model is a patient-specific calculation, not the table", "method")
    _check_measurement(a, defaults["administered_at"])  # type: ignore[arg-type]
    previous = current_decision(cycle)
    reason = a.reason.strip()
    if previous is not None:
        reason = require_reason_of_substance(reason, "reason")
    profile = release_profile()
    try:
        result = assess_release(
            nuclide,
            float(activity),  # type: ignore[arg-type]
            a.method,
            condition=a.condition or None,
            dose_rate_1m_uSv_h=a.dose_rate_1m_uSv_h,
            occupancy=a.occupancy,
            effective_half_life_d=a.effective_half_life_d,
            profile=profile,
            radiopharmaceutical=str(defaults["radiopharmaceutical"]) or None,
            retained_activity=a.retained_activity,
        ).as_dict()
    except InputError as exc:  # the pure layer names its CLI's options; the record's fields differ in one name
        raise InputError(exc.message, _FIELDS.get(exc.field or "", exc.field)) from None
    with transaction.atomic(), acting_as(user, reason=reason or "release assessed"):
        decision = ReleaseDecision.objects.create(
            cycle=cycle,
            profile=profile,
            nuclide=str(result["inputs"]["nuclide"]),  # type: ignore[index]
            radiopharmaceutical=str(defaults["radiopharmaceutical"] or ""),
            activity_Bq=float(activity),  # type: ignore[arg-type]
            activity_from_administration=from_adm and not a.retained_activity,
            administered_at=defaults["administered_at"],
            retained_activity=a.retained_activity,
            method=a.method,
            basis=a.basis,
            condition=a.condition,
            dose_rate_1m_uSv_h=a.dose_rate_1m_uSv_h,
            dose_rate_instrument=a.dose_rate_instrument.strip(),
            dose_rate_measured_at=a.dose_rate_measured_at,
            occupancy=a.occupancy,
            effective_half_life_d=a.effective_half_life_d,
            breastfeeding_patient=a.breastfeeding_patient,
            result=result,
            releasable=bool(result["releasable"]),
            dose_to_others_mSv=result["dose_to_others_mSv"],  # type: ignore[arg-type]
            instructions_required=bool(result["instructions_required"]),
            reason=reason,
            assessed_by=user,
        )
        if previous is not None:
            previous.superseded_by = decision
            previous.save()
    return decision


def sign_release(decision: ReleaseDecision, *, physician, password: str, statement: str = "") -> ReleaseDecision:
    """The authorised user signs the release (meaning ``released``); refused for a decision that is not the
    current one, already signed, or not releasable. A wrong password is audited and refused."""
    require_role(physician, *SIGN_ROLES, what="signing a patient's release")
    if not decision.is_current:
        raise InputError("this assessment was superseded; sign the current one", "decision")
    if decision.signature_id:
        raise InputError("this release is already signed", "decision")
    if not decision.releasable:
        raise InputError(
            "not releasable: the dose to others exceeds the criterion; the release cannot be signed", "decision"
        )
    reauthenticate(physician, password, decision, "released")
    with transaction.atomic(), acting_as(physician, reason="patient released"):
        decision.released_at = timezone.now()
        decision.save()
        decision.signature = sign(
            decision,
            physician,
            password,
            "released",
            statement or f"Patient released after cycle {decision.cycle.number}",
        )
        decision.save()
    return decision


def instructions(decision: ReleaseDecision) -> list[InstructionLine]:
    """The restrictions with their end dates, counted from the release (or, before it, from now)."""
    moment = decision.released_at or timezone.now()
    return instruction_lines(list(decision.result.get("restrictions", [])), moment, settings.TIME_ZONE)


def breastfeeding_line(decision: ReleaseDecision) -> str:
    """The stored breast-feeding advice, with the time breast-feeding may resume after an interruption."""
    return breastfeeding_text(decision.result.get("breastfeeding"), decision.administered_at, settings.TIME_ZONE)


def awaiting_release() -> QuerySet[TherapyCycle]:
    """Cycles administered whose current release decision is not signed (or that have none): the RPO dashboard's
    and the physicians' list, oldest administration first."""
    signed = ReleaseDecision.objects.filter(cycle=OuterRef("pk"), superseded_by__isnull=True, signature__isnull=False)
    return (
        TherapyCycle.objects.filter(administration__isnull=False)
        .exclude(Exists(signed))
        .select_related("course__patient", "administration")
        .order_by("administration__administered_at", "pk")
    )


def release_url(cycle: TherapyCycle) -> str:
    return reverse("therapy-release", args=[cycle.course_id, cycle.pk])


def release_attention(user) -> list:
    """Dashboard items for physicians: each administered cycle still waiting for a signed release decision."""
    from nmguard.apps.core.dashboard import AttentionItem

    if not set(user.groups.values_list("name", flat=True)) & {r.value for r in SIGN_ROLES}:
        return []
    return [
        AttentionItem(
            f"Release decision awaited: {c.course.patient}",
            f"cycle {c.number}, administered {timezone.localtime(c.administration.administered_at):%Y-%m-%d %H:%M}",
            release_url(c),
        )
        for c in awaiting_release()[:50]
    ]
