"""The administration path as business actions, each one transaction, each attributed.

Views and API handlers call these; the decisions themselves live in the pure layer
(:mod:`nmguard.rules`, :mod:`nmguard.dosimetry`, :mod:`nmguard.physics`).

Why one module of about 810 lines: the administration path's actions (register, prescribe, measure, check, administer,
correct) share the checks that guard each step; one module keeps the order of the path visible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.competence import check_competence
from nmguard.apps.core.guards import check_not_future
from nmguard.apps.core.models import Department
from nmguard.apps.core.signatures import reauthenticate, sign
from nmguard.apps.equipment.models import Equipment
from nmguard.apps.patients.models import (
    Administration,
    DoseMeasurement,
    MedicalEvent,
    Patient,
    Prescription,
    Protocol,
    SafetyCheck,
)
from nmguard.apps.patients.permissions import require, step_responsible
from nmguard.errors import InputError
from nmguard.input_bounds import check_instant
from nmguard.physics.decay import decay_factor
from nmguard.physics.display import format_sig
from nmguard.reference import get_nuclide
from nmguard.reference.administration_plausibility import administration_plausibility
from nmguard.rules import administration_checks as checks
from nmguard.rules import administration_plausibility as plausible
from nmguard.rules.protocol_activity import ProtocolRule, protocol_activity


class AdministrationBlocked(InputError):
    """The administration may not go ahead; nothing was stored."""


# ---------------------------------------------------------------- helpers
def jurisdiction_profile_id() -> str:
    department = Department.objects.first()
    mapping = {"iaea-gsr3": "iaea", "euratom-2013-59": "euratom", "us-nrc": "nrc"}
    return mapping.get(department.jurisdiction if department else "", "iaea")


def protocol_rule(protocol: Protocol) -> ProtocolRule:
    return ProtocolRule(
        radiopharmaceutical_id=protocol.radiopharmaceutical.catalogue_id,
        mode=protocol.activity_mode,
        adult_activity_MBq=protocol.adult_activity_MBq,
        activity_per_kg_MBq=protocol.activity_per_kg_MBq,
        min_activity_MBq=protocol.min_activity_MBq,
        max_activity_MBq=protocol.max_activity_MBq,
        paediatric_method=protocol.paediatric_method,
        paediatric_indication=protocol.paediatric_indication or None,
    )


def tolerance_percent(protocol: Protocol) -> tuple[float, str]:
    """The protocol's tolerance, else the jurisdiction profile's for diagnostic or therapy use."""
    if protocol.tolerance_percent is not None:
        return protocol.tolerance_percent, f"protocol '{protocol.name}'"
    from nmguard.reference.jurisdictions import get_profile

    profile = get_profile(jurisdiction_profile_id())
    value = profile.tolerance_percent(protocol.radiopharmaceutical.is_therapy)
    return value.value, f"{profile.name} ({value.source.id}, {value.status.value})"


def require_reason_of_substance(reason: str, field: str) -> str:
    """The stripped reason, or an InputError on ``field`` when it says nothing (limits from reference data)."""
    limits = administration_plausibility()
    problem = plausible.reason_problem(
        reason, int(limits.override_reason_min_characters.value), int(limits.override_reason_min_words.value)
    )
    if problem:
        raise InputError(problem, field)
    return reason.strip()


def _local(at: dt.datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M %Z}"


# ---------------------------------------------------------------- patients
def check_patient_entry(
    *,
    mrn: str,
    family_name: str,
    given_name: str,
    birth_date: dt.date,
    sex: str,
    confirm_distinct: bool = False,
    existing_pk: int | None = None,
) -> None:
    """Refuse an entry that would make two records of one person or an impossible one.

    An ID that differs from another patient's only in case (or spaces) is the same ID; the same name
    and birth date as another patient needs an explicit confirmation that this is another person; a
    birth date in the future or before the reference-data year is a typing error. ``existing_pk``:
    the record being corrected (not compared with itself).
    """
    others = Patient.objects.exclude(pk=existing_pk) if existing_pk else Patient.objects.all()
    mrn = (mrn or "").strip()
    if not mrn:
        raise InputError("give the patient ID (MRN)", "mrn")
    same_id = others.filter(mrn__iexact=mrn).first()
    if same_id is not None:
        raise InputError(f"patient ID {same_id.mrn} exists already ({same_id}): use that record", "mrn")
    if not (family_name or "").strip():
        raise InputError("give the family name", "family_name")
    if not (given_name or "").strip():
        raise InputError("give the given name", "given_name")
    if sex not in Patient.Sex.values:
        raise InputError(f"sex must be one of {', '.join(Patient.Sex.values)}", "sex")
    if birth_date > timezone.localdate():
        raise InputError("birth date lies in the future", "birth_date")
    earliest = int(administration_plausibility().earliest_birth_year.value)
    if birth_date.year < earliest:
        raise InputError(f"birth date {birth_date.isoformat()} lies before {earliest}: check the entry", "birth_date")
    twin = others.filter(
        family_name__iexact=family_name.strip(), given_name__iexact=given_name.strip(), birth_date=birth_date
    ).first()
    if twin is not None and not confirm_distinct:
        raise InputError(
            f"{twin} has the same name and birth date: if this is the same person use that record; if not, "
            "check a second identifier and confirm that this is a different person",
            "confirm_distinct",
        )


@transaction.atomic
def register_patient(
    *,
    mrn: str,
    family_name: str,
    given_name: str,
    birth_date: dt.date,
    sex: str,
    user,
    confirm_distinct: bool = False,
) -> Patient:
    """Register a patient after :func:`check_patient_entry` (the form, the API and the admin share it)."""
    require(user, "register_patient")
    check_patient_entry(
        mrn=mrn,
        family_name=family_name,
        given_name=given_name,
        birth_date=birth_date,
        sex=sex,
        confirm_distinct=confirm_distinct,
    )
    confirmed = " (same name and birth date as another patient: confirmed distinct)" if confirm_distinct else ""
    with acting_as(user, reason="registered" + confirmed):
        return Patient.objects.create(
            mrn=mrn.strip(),
            family_name=family_name.strip(),
            given_name=given_name.strip(),
            birth_date=birth_date,
            sex=sex,
        )


PATIENT_FIELDS = ("mrn", "family_name", "given_name", "birth_date", "sex")


@transaction.atomic
def correct_patient(
    patient: Patient,
    *,
    mrn: str,
    family_name: str,
    given_name: str,
    birth_date: dt.date,
    sex: str,
    reason: str,
    user,
    confirm_distinct: bool = False,
) -> list[str]:
    """Correct a patient's identity details with the checks of a registration and a reason of substance;
    the change is audited with the values before and after (never a new record, never a deletion).

    Returns what the user must review: doses and activities already worked out from the old birth date or sex
    stay as they were recorded."""
    require(user, "correct_patient")
    reason = require_reason_of_substance(reason, "reason")
    new = {"mrn": mrn.strip(), "family_name": family_name.strip(), "given_name": given_name.strip()}
    new |= {"birth_date": birth_date, "sex": sex}
    changed = [f for f in PATIENT_FIELDS if getattr(patient, f) != new[f]]
    if not changed:
        raise InputError("nothing differs from the record: change a detail or leave the page", "mrn")
    check_patient_entry(**new, confirm_distinct=confirm_distinct, existing_pk=patient.pk)
    with acting_as(user, reason=f"corrected ({', '.join(changed)}): {reason}"):
        for field in changed:
            setattr(patient, field, new[field])
        patient.save()
    review: list[str] = []
    if {"birth_date", "sex"} & set(changed):
        done = Administration.objects.filter(prescription__patient=patient).count()
        open_ = patient.prescriptions.exclude(
            status__in=(Prescription.Status.ADMINISTERED, Prescription.Status.CANCELLED)
        ).count()
        if done or open_:
            review.append(
                f"{done} administration(s) and {open_} open prescription(s) of this patient were worked out with "
                "the old birth date or sex (age-based activity, effective dose): review them; recorded doses stay "
                "as recorded"
            )
    return review


# ---------------------------------------------------------------- prescription
@dataclass(frozen=True)
class ProtocolProposal:
    activity_MBq: float
    rule: str
    warnings: tuple[str, ...]


def propose_activity(
    protocol: Protocol, patient: Patient, weight_kg: float | None, on_day: dt.date
) -> ProtocolProposal:
    result = protocol_activity(protocol_rule(protocol), patient.age_years(on_day), weight_kg)
    rule = result.rule + (f" [{result.source}, {result.status}]" if result.source else "")
    return ProtocolProposal(result.activity_MBq, rule, result.warnings)


def prescribe(
    *,
    patient: Patient,
    protocol: Protocol,
    scheduled_for: dt.datetime,
    weight_kg: float | None,
    prescriber,
    activity_MBq: float | None = None,
    override_reason: str = "",
    signature_password: str = "",
    as_of: dt.datetime | None = None,
) -> Prescription:
    """An authorised physician prescribes for a coming examination.

    Refused: a time in the past (beyond the reference-data margin), an identical prescription already
    open. An activity other than the protocol's needs a reason of substance; one far above the protocol
    (more than the reference-data factor) also the prescriber's e-signature (``signature_password``).
    ``as_of`` is the moment the prescription counts as written (only the demo's history passes it).
    """
    require(prescriber, "prescribe")
    if not protocol.active:
        raise InputError(f"protocol {protocol} is not active", "protocol")
    if scheduled_for.tzinfo is None:
        raise InputError("scheduled time must carry a UTC offset", "scheduled_for")
    limits = administration_plausibility()
    now = as_of or timezone.now()
    earliest = now - dt.timedelta(minutes=limits.scheduled_past_margin_minutes.value)
    if scheduled_for < earliest:
        raise InputError(
            f"{_local(scheduled_for)} lies in the past (earliest {_local(earliest)}): "
            "a prescription is for a coming examination",
            "scheduled_for",
        )
    check_instant(scheduled_for, "scheduled_for", now=now, ahead=dt.timedelta(days=limits.scheduled_ahead_days.value))
    duplicate = (
        Prescription.objects.filter(patient=patient, protocol=protocol, scheduled_for=scheduled_for)
        .exclude(status=Prescription.Status.CANCELLED)
        .first()
    )
    if duplicate is not None:
        raise InputError(
            f"{patient} already has {protocol} prescribed for {_local(scheduled_for)} (prescription "
            f"{duplicate.pk}, {duplicate.get_status_display().lower()}): open that one",
            "scheduled_for",
        )
    proposal = propose_activity(protocol, patient, weight_kg, timezone.localdate(scheduled_for))
    prescribed = proposal.activity_MBq if activity_MBq is None else activity_MBq
    if prescribed <= 0:
        raise InputError("prescribed activity must be positive", "activity_MBq")
    differs = abs(prescribed - proposal.activity_MBq) > 1e-9 * proposal.activity_MBq
    reason = ""
    if differs:
        try:
            reason = require_reason_of_substance(override_reason, "override_reason")
        except InputError as exc:
            raise InputError(
                f"{format_sig(prescribed, 4)} MBq differs from the protocol's {format_sig(proposal.activity_MBq, 4)} "
                f"MBq: {exc.message}",
                "override_reason",
            ) from None
    factor = limits.far_above_protocol_factor
    far = plausible.far_above_protocol(prescribed, proposal.activity_MBq, factor.value)
    if far:
        if not signature_password:
            raise InputError(
                f"{format_sig(prescribed, 4)} MBq is more than {format_sig(factor.value)} × the protocol's "
                f"{format_sig(proposal.activity_MBq, 4)} MBq ({factor.source.id}, {factor.status.value}): "
                "sign the override with your password",
                "signature_password",
            )
        reauthenticate(prescriber, signature_password, patient, "approved")  # a failure stays in the trail
    with transaction.atomic(), acting_as(prescriber, reason=reason or "prescribed"):
        prescription = Prescription.objects.create(
            patient=patient,
            protocol=protocol,
            scheduled_for=scheduled_for,
            weight_kg=weight_kg,
            protocol_activity_Bq=proposal.activity_MBq * 1e6,
            activity_rule=proposal.rule,
            prescribed_activity_Bq=prescribed * 1e6,
            override_reason=reason,
            prescribed_by=prescriber,
        )
        if far:
            statement = (
                f"{format_sig(prescribed, 4)} MBq, more than {format_sig(factor.value)} × the protocol's "
                f"{format_sig(proposal.activity_MBq, 4)} MBq: {reason}"
            )
            prescription.override_signature = sign(prescription, prescriber, signature_password, "approved", statement)
            prescription.save()
    return prescription


# ---------------------------------------------------------------- measurement
def _half_life_s(prescription: Prescription) -> float:
    return get_nuclide(prescription.protocol.radiopharmaceutical.nuclide).half_life_s


@transaction.atomic
def record_measurement(
    prescription: Prescription,
    *,
    meter: Equipment,
    activity_Bq: float,
    measured_at: dt.datetime,
    user,
) -> DoseMeasurement:
    """The syringe reading on an activity meter that is in clinical use with its QC in date."""
    require(user, "measure")
    if prescription.status not in (Prescription.Status.PRESCRIBED, Prescription.Status.MEASURED):
        raise InputError(f"prescription is {prescription.get_status_display().lower()}", "prescription")
    if meter.kind != Equipment.Kind.ACTIVITY_METER:
        raise InputError(f"{meter} is not an activity meter", "activity_meter")
    check_not_future(measured_at, "measured_at")
    if refusal := meter.clinical_use_refusal(timezone.localdate(measured_at)):
        raise InputError(f"{refusal}: measure on another meter", "activity_meter")
    if not activity_Bq > 0:
        raise InputError("measured activity must be positive", "activity")
    with acting_as(user, reason="dose measured"):
        measurement = DoseMeasurement.objects.create(
            prescription=prescription,
            activity_meter=meter,
            measured_activity_Bq=activity_Bq,
            measured_at=measured_at,
            measured_by=user,
        )
        prescription.status = Prescription.Status.MEASURED
        prescription.save()
    return measurement


def latest_measurement(prescription: Prescription) -> DoseMeasurement:
    measurement = prescription.measurements.order_by("-measured_at", "-pk").first()
    if measurement is None:
        raise InputError("measure the dose first", "measurement")
    return measurement


def activity_at(measurement: DoseMeasurement, at: dt.datetime, half_life_s: float) -> float:
    """Syringe activity decayed from its reading to ``at``."""
    return measurement.measured_activity_Bq * decay_factor(half_life_s, (at - measurement.measured_at).total_seconds())


# ---------------------------------------------------------------- checks
@dataclass(frozen=True)
class CheckAnswers:
    """What the technologist records at the bedside."""

    patient_id: str
    birth_date: dt.date | None
    pregnancy: str | None  # not_pregnant | pregnant | unknown; None = not asked (refused where it applies)
    breastfeeding: bool | None  # None = not asked (refused where it applies)
    breastfeeding_advice_given: bool
    previous_reaction: bool | None  # None = not asked (refused)
    reaction_note: str
    radiopharmaceutical_id: int | None  # the department product drawn up (Radiopharmaceutical pk)
    planned_at: dt.datetime  # the planned injection time: a plan, it may lie later today


def pregnancy_question(prescription: Prescription, on_day: dt.date | None = None):
    """Whether pregnancy and breast-feeding must be asked for this patient (the profile's age range)."""
    from nmguard.reference.jurisdictions import get_profile
    from nmguard.rules.pregnancy import should_ask_pregnancy

    patient = prescription.patient
    age = patient.age_years(on_day or timezone.localdate())
    return should_ask_pregnancy(get_profile(jurisdiction_profile_id()), patient.sex, age)


def evaluate_checks(prescription: Prescription, answers: CheckAnswers) -> list[checks.CheckResult]:
    """All checks for this prescription, decided by the pure rules (nothing stored)."""
    from nmguard.apps.radiopharmacy.models import Radiopharmaceutical
    from nmguard.reference.jurisdictions import get_profile
    from nmguard.rules.pregnancy import breastfeeding_check, should_ask_pregnancy

    patient, protocol = prescription.patient, prescription.protocol
    product = protocol.radiopharmaceutical
    profile = get_profile(jurisdiction_profile_id())
    age = patient.age_years(timezone.localdate(answers.planned_at))
    measurement = latest_measurement(prescription)
    plausible.require_after_measurement(measurement.measured_at, answers.planned_at, "planned_at")
    net = activity_at(measurement, answers.planned_at, _half_life_s(prescription))
    tolerance, tolerance_basis = tolerance_percent(protocol)
    question = should_ask_pregnancy(profile, patient.sex, age)
    advice = breastfeeding_check(product.catalogue_id, net).advice if question.ask and product.catalogue_id else None
    drawn = Radiopharmaceutical.objects.filter(pk=answers.radiopharmaceutical_id).first()
    if drawn is None:
        raise InputError("choose the radiopharmaceutical drawn up", "radiopharmaceutical")
    return [
        checks.identity_check(patient.mrn, patient.birth_date, answers.patient_id, answers.birth_date),
        checks.pregnancy_check(question.ask, answers.pregnancy, question.reason),
        checks.breastfeeding_check(question.ask, answers.breastfeeding, advice, answers.breastfeeding_advice_given),
        checks.allergy_check(answers.previous_reaction, answers.reaction_note),
        checks.radiopharmaceutical_check(str(product.pk), product.name, str(drawn.pk), drawn.name),
        checks.activity_check(prescription.prescribed_activity_Bq, net, tolerance, tolerance_basis),
        _measurement_day(measurement, answers.planned_at),
        checks.meter_qc_check(
            measurement.activity_meter.clinical_use_refusal(timezone.localdate(answers.planned_at)),
            str(measurement.activity_meter),
        ),
    ]


def _measurement_day(measurement: DoseMeasurement, injection_at: dt.datetime) -> checks.CheckResult:
    return plausible.measurement_day_check(
        timezone.localdate(measurement.measured_at), timezone.localdate(injection_at), _local(measurement.measured_at)
    )


@transaction.atomic
def record_checks(prescription: Prescription, answers: CheckAnswers, user) -> list[SafetyCheck]:
    """Store every check with who answered; the prescription moves on only if none blocks.

    The planned injection time is a plan: it may lie later today; it may not lie before the measurement.
    """
    require(user, "check")
    if prescription.status not in (Prescription.Status.MEASURED, Prescription.Status.CHECKED):
        raise InputError("measure the dose before the checks", "prescription")
    if answers.planned_at.tzinfo is None or answers.planned_at.utcoffset() is None:
        raise InputError("the planned injection time must carry a UTC offset", "planned_at")
    results = evaluate_checks(prescription, answers)
    with acting_as(user, reason="pre-administration checks"):
        stored = [
            SafetyCheck.objects.create(
                prescription=prescription,
                kind=r.kind,
                outcome=r.outcome,
                message=r.message,
                detail=r.detail,
                answered_by=user,
            )
            for r in results
        ]
        if not any(c.blocks for c in stored):
            prescription.status = Prescription.Status.CHECKED
            prescription.save()
    return stored


def current_checks(prescription: Prescription) -> dict[str, SafetyCheck]:
    """The latest check of each kind (a re-check supersedes an earlier one)."""
    latest: dict[str, SafetyCheck] = {}
    for check in prescription.checks.order_by("created_at", "pk"):
        latest[check.kind] = check
    return latest


def override_check(check: SafetyCheck, *, physician, password: str, reason: str) -> SafetyCheck:
    """A physician accepts a failed check, with a reason and an e-signature over the overridden check."""
    require(physician, "override")
    if check.outcome != SafetyCheck.Outcome.FAIL or check.overridden_by_id:
        raise InputError("only a failed, not yet overridden check can be overridden", "check")
    reason = require_reason_of_substance(reason, "reason")
    reauthenticate(physician, password, check, "approved")  # a failed attempt stays in the trail
    with transaction.atomic(), acting_as(physician, reason=f"override: {reason.strip()}"):
        check.overridden_by = physician
        check.override_reason = reason.strip()
        check.save()
        check.override_signature = sign(check, physician, password, "approved", f"override: {reason.strip()}")
        check.save()
        prescription = check.prescription
        if not any(c.blocks for c in current_checks(prescription).values()):
            prescription.status = Prescription.Status.CHECKED
            prescription.save()
    return check


# ---------------------------------------------------------------- administration
@dataclass(frozen=True)
class AdministrationInput:
    administered_at: dt.datetime
    route: str
    site: str = ""
    residual_Bq: float | None = None
    residual_measured_at: dt.datetime | None = None
    extravasation: bool | None = None  # observed and answered; None (not answered) is refused
    extravasation_follow_up: str = ""
    adverse_reaction: str = ""


def net_administered_activity(prescription: Prescription, data: AdministrationInput) -> float:
    """Syringe reading decayed to the injection time minus the residual decayed back to it."""
    half_life = _half_life_s(prescription)
    gross = activity_at(latest_measurement(prescription), data.administered_at, half_life)
    residual = 0.0
    if data.residual_Bq:
        if data.residual_measured_at is None:
            raise InputError("give the time the residual was measured", "residual_measured_at")
        if data.residual_measured_at < data.administered_at:
            raise InputError("the residual is measured after the injection", "residual_measured_at")
        back = (data.administered_at - data.residual_measured_at).total_seconds()
        residual = data.residual_Bq * decay_factor(half_life, back)
    net = gross - residual
    if net <= 0:
        raise InputError("the residual is not smaller than the syringe activity", "residual")
    return net


def _blocking_reasons(prescription: Prescription) -> list[str]:
    latest = current_checks(prescription)
    reasons = [f"{SafetyCheck.Kind(kind).label}: not done" for kind in SafetyCheck.Kind.values if kind not in latest]
    reasons += [f"{c.get_kind_display()}: {c.message}" for c in latest.values() if c.blocks]
    return reasons


def administer(prescription: Prescription, data: AdministrationInput, user) -> Administration:
    """Record the administration, its dose and any medical event, or refuse and store nothing."""
    with transaction.atomic():
        # lock the prescription: two devices must not administer the same dose twice
        locked = Prescription.objects.select_for_update().get(pk=prescription.pk)
        return _administer_locked(locked, data, user)


def _administer_locked(prescription: Prescription, data: AdministrationInput, user) -> Administration:
    from nmguard.apps.radiopharmacy.models import Radiopharmaceutical
    from nmguard.dosimetry.effective_dose import age_group_for
    from nmguard.reference.jurisdictions import get_profile
    from nmguard.rules.medical_events import evaluate_administration

    require(user, "administer")
    if prescription.status == Prescription.Status.ADMINISTERED:
        raise AdministrationBlocked("this prescription was administered already", "prescription")
    reasons = _blocking_reasons(prescription)
    if reasons or prescription.status != Prescription.Status.CHECKED:
        raise AdministrationBlocked("blocked: " + "; ".join(reasons or ["checks not passed"]), "checks")
    check_not_future(data.administered_at, "administered_at")
    check_competence(user, "administration", timezone.localdate(data.administered_at), field="administered_by")
    _recheck_at_injection(prescription, data.administered_at)
    if data.route not in Administration.Route.values:
        raise InputError(f"unknown route {data.route!r}", "route")
    if data.extravasation is None:
        raise InputError("look at the injection site and record whether the injection extravasated", "extravasation")
    if data.extravasation and not data.extravasation_follow_up.strip():
        raise InputError("record the follow-up of the extravasation", "extravasation_follow_up")
    net = net_administered_activity(prescription, data)
    patient, product = prescription.patient, prescription.protocol.radiopharmaceutical
    age = patient.age_years(timezone.localdate(data.administered_at))
    dose = _patient_dose(product, net, age)
    checks_now = current_checks(prescription)
    drawn_pk = checks_now["radiopharmaceutical"].detail.get("given") or str(product.pk)
    drawn = Radiopharmaceutical.objects.get(pk=int(drawn_pk))
    profile = get_profile(jurisdiction_profile_id())
    evaluation = evaluate_administration(
        profile,
        prescribed_rp=product.catalogue_id,
        administered_rp=drawn.catalogue_id,
        prescribed_activity_Bq=prescription.prescribed_activity_Bq,
        administered_activity_Bq=net,
        prescribed_route=product.route,
        administered_route=data.route,
        right_patient=checks_now["identity"].outcome == SafetyCheck.Outcome.PASS
        or bool(checks_now["identity"].overridden_by_id),
        age_group=age_group_for(age),
        discovered_at=timezone.now(),
    )
    evaluation_record = evaluation.to_dict()
    with acting_as(user, reason="administered"):
        measurement = latest_measurement(prescription)
        if data.residual_Bq:
            measurement.residual_activity_Bq = data.residual_Bq
            measurement.residual_measured_at = data.residual_measured_at
            measurement.save()
        administration = Administration.objects.create(
            prescription=prescription,
            administered_at=data.administered_at,
            route=data.route,
            site=data.site,
            administered_activity_Bq=net,
            administered_by=user,
            extravasation=data.extravasation,
            extravasation_follow_up=data.extravasation_follow_up,
            adverse_reaction=data.adverse_reaction,
            effective_dose_mSv=dose["effective_dose_mSv"],
            dose_basis=dose["basis"],
            organ_doses=dose["organ_doses"],
        )
        prescription.status = Prescription.Status.ADMINISTERED
        prescription.save()
        if evaluation.medical_event:
            MedicalEvent.objects.create(
                administration=administration,
                profile=profile.id,
                criteria=evaluation_record["criteria"],
                reporting_steps=evaluation_record["reporting_steps"],
                detected_at=timezone.now(),
            )
    return administration


def _recheck_at_injection(prescription: Prescription, administered_at: dt.datetime) -> None:
    """The checks were made for the planned time; the injection time decides what was given.

    Refused: an injection before the measurement. Blocked until the checks are recorded again for the
    actual time: a measurement on another day, or an activity outside tolerance at the actual time,
    unless a physician overrode that check.
    """
    measurement = latest_measurement(prescription)
    plausible.require_after_measurement(measurement.measured_at, administered_at, "administered_at")
    stored = current_checks(prescription)
    day = _measurement_day(measurement, administered_at)
    tolerance, basis = tolerance_percent(prescription.protocol)
    net = activity_at(measurement, administered_at, _half_life_s(prescription))
    now = checks.activity_check(prescription.prescribed_activity_Bq, net, tolerance, basis)
    for result in (day, now):
        previous = stored.get(result.kind)
        if result.outcome == checks.FAIL and not (previous and previous.overridden_by_id):
            raise AdministrationBlocked(
                f"at {_local(administered_at)}: {result.message}; record the checks again "
                "with the actual injection time",
                "administered_at",
            )


def _patient_dose(product, net_Bq: float, age_years: float) -> dict:
    """Effective dose (age-appropriate, the department's chosen publication) and, for therapy, label organ doses."""
    from nmguard.dosimetry.effective_dose import effective_dose
    from nmguard.reference.dose_coefficients import therapy_organ_doses

    if not product.catalogue_id:
        return {"effective_dose_mSv": None, "basis": {"note": "product not linked to the catalogue"}, "organ_doses": []}
    organ_doses = (
        [
            {
                "organ": t.organ,
                "dose_Gy": t.dose_per_activity.value * net_Bq / 1e9,
                "per_GBq": t.dose_per_activity.value,
                "unit": t.dose_per_activity.unit,
                "dataset": t.dataset,
                "source": t.dose_per_activity.source.id,
                "status": t.dose_per_activity.status.value,
            }
            for t in therapy_organ_doses(product.catalogue_id)
        ]
        if product.is_therapy
        else []
    )
    publication = Department.effective_dose_publication_in_force()
    try:
        result = effective_dose(product.catalogue_id, net_Bq, age_years=age_years, publication=publication)
    except InputError as exc:  # no coefficient published for this product / age
        return {"effective_dose_mSv": None, "basis": {"note": exc.message}, "organ_doses": organ_doses}
    return {"effective_dose_mSv": result.effective_dose_mSv, "basis": result.to_dict(), "organ_doses": organ_doses}


# ---------------------------------------------------------------- medical events
_NEXT_STATUS = {
    MedicalEvent.Status.OPEN: MedicalEvent.Status.REPORTED,
    MedicalEvent.Status.REPORTED: MedicalEvent.Status.CLOSED,
}


def advance_medical_event(event: MedicalEvent, *, user, password: str, note: str) -> MedicalEvent:
    """Open → reported → closed; each step signed by a physician or the RPO, with a note
    (the report reference, then the findings and corrective actions)."""
    require(user, "report_medical_event")
    target = _NEXT_STATUS.get(event.status)
    if target is None:
        raise InputError("this medical event is closed", "status")
    if not note.strip():
        raise InputError("say what was reported or done", "note")
    reauthenticate(user, password, event, target.value)
    with transaction.atomic(), acting_as(user, reason=f"medical event {target.value}: {note.strip()}"):
        stamp = f"[{timezone.localtime():%Y-%m-%d %H:%M %Z} {target.label} by {user}] {note.strip()}"
        event.notes = f"{event.notes}\n{stamp}".strip()
        event.status = target
        event.save()
        sign(event, user, password, target.value, note.strip())
    return event


def open_medical_events():
    """Events still to be reported or closed, soonest deadline first (for the dashboards)."""
    events = list(
        MedicalEvent.objects.exclude(status=MedicalEvent.Status.CLOSED).select_related(
            "administration__prescription__patient"
        )
    )

    def first_due(e: MedicalEvent) -> str:
        dues = [s.get("due") for s in e.reporting_steps if s.get("due")]
        return min(dues) if dues else "9999"

    return sorted(events, key=first_due)


@dataclass(frozen=True)
class ReportingStepRow:
    action: str
    due: dt.datetime | None
    responsible: str  # the role that answers for the step
    citation: str


@dataclass(frozen=True)
class MedicalEventRow:
    event: MedicalEvent
    steps: tuple[ReportingStepRow, ...]


def medical_event_rows(events: Iterable[MedicalEvent] | None = None) -> list[MedicalEventRow]:
    """The medical events (default: every one) with their reporting steps: deadline as an instant, the
    responsible role. The list page passes one page of events."""
    if events is None:
        events = MedicalEvent.objects.select_related(
            "administration__prescription__patient", "administration__prescription__protocol"
        )
    rows = []
    for event in events:
        steps = tuple(
            ReportingStepRow(
                action=s.get("action", ""),
                due=dt.datetime.fromisoformat(s["due"]) if s.get("due") else None,
                responsible=step_responsible(s.get("id", "")).label,
                citation=s.get("citation", ""),
            )
            for s in event.reporting_steps
        )
        rows.append(MedicalEventRow(event, steps))
    return rows


# ---------------------------------------------------------------- dose history
@dataclass(frozen=True)
class DoseHistoryRow:
    administered_at: dt.datetime
    description: str
    activity_Bq: float
    effective_dose_mSv: float | None
    basis: str
    origin: str  # "NMGuard" or the institution of an imported report
    administration_id: int | None = None


def dose_history(patient: Patient) -> list[DoseHistoryRow]:
    """Every administration to the patient, recorded here or imported from a dose report, by time."""
    from nmguard.apps.patients.models import ImportedDoseReport

    rows = []
    for a in Administration.objects.filter(prescription__patient=patient).select_related("prescription__protocol"):
        b = a.dose_basis or {}
        basis = (
            ", ".join(
                str(part)
                for part in (
                    f"{format_sig(b['coefficient_mSv_per_MBq'])} mSv/MBq" if b.get("coefficient_mSv_per_MBq") else None,
                    b.get("edition"),
                    f"the department follows {b['publication']}"
                    if b.get("publication") and b.get("publication") != b.get("edition")
                    else None,
                    f"age group {b['age_group']}" if b.get("age_group") else None,
                    b.get("status"),
                )
                if part
            )
            if a.effective_dose_mSv is not None
            else b.get("note", "")
        )
        rows.append(
            DoseHistoryRow(
                a.administered_at,
                a.prescription.protocol.name,
                a.administered_activity_Bq,
                a.effective_dose_mSv,
                basis,
                "NMGuard",
                a.pk,
            )
        )
    for r in ImportedDoseReport.objects.filter(patient=patient):
        rows.append(
            DoseHistoryRow(
                r.administered_at,
                r.radiopharmaceutical_name,
                r.administered_activity_Bq,
                r.effective_dose_mSv,
                r.effective_dose_method,
                r.institution or "imported report",
            )
        )
    return sorted(rows, key=lambda row: row.administered_at)
