"""REST endpoints of the administration path (same services as the pages)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Router, Status, UploadedFile

from nmguard.apps.core.web import require_perm
from nmguard.apps.patients import services
from nmguard.apps.patients.models import Administration, MedicalEvent, Patient, Prescription, Protocol, SafetyCheck
from nmguard.errors import InputError
from nmguard.input_bounds import parse_activity, parse_instant
from nmguard.web.input_bounds import BoundedSchema, object_or_404

router = Router(tags=["administrations"])


class PatientIn(BoundedSchema):
    text_limits_from = (Patient,)
    mrn: str = Field(min_length=1, max_length=64)
    family_name: str = Field(min_length=1)
    given_name: str = Field(min_length=1)
    birth_date: dt.date
    sex: str = Field(pattern="^[FMOU]$")
    confirm_distinct: bool = Field(
        False,
        description="true after checking a second identifier: not the existing patient with this name and birth date",
    )


class PatientOut(BoundedSchema):
    id: int
    mrn: str
    family_name: str
    given_name: str
    birth_date: dt.date
    sex: str


@router.post("/patients", response={201: PatientOut})
def create_patient(request: HttpRequest, payload: PatientIn):
    require_perm(request, "patients.add_patient")
    return Status(201, services.register_patient(**payload.dict(), user=request.user))


@router.get("/patients/{patient_id}/doses")
def patient_doses(request: HttpRequest, patient_id: int) -> dict:
    """The patient's dose history: administrations here and imported dose reports."""
    require_perm(request, "patients.view_patient")
    patient = object_or_404(Patient, pk=patient_id)
    rows = [
        {
            "administered_at": r.administered_at.isoformat(),
            "description": r.description,
            "activity_MBq": r.activity_Bq / 1e6,
            "effective_dose_mSv": r.effective_dose_mSv,
            "basis": r.basis,
            "origin": r.origin,
            "administration_id": r.administration_id,
        }
        for r in services.dose_history(patient)
    ]
    return {
        "patient_id": patient.pk,
        "administrations": rows,
        "total_effective_dose_mSv": sum(r["effective_dose_mSv"] or 0.0 for r in rows),
    }


class PrescriptionIn(BoundedSchema):
    patient_id: int
    protocol_id: int
    scheduled_for: str
    weight_kg: float | None = None
    activity: str | None = None
    override_reason: str = ""
    signature_password: str = Field(
        "", description="the prescriber's password: e-signs an activity far above the protocol"
    )


def _prescription_out(p: Prescription) -> dict:
    return {
        "id": p.pk,
        "patient_id": p.patient_id,
        "protocol": p.protocol.name,
        "status": p.status,
        "scheduled_for": p.scheduled_for.isoformat(),
        "weight_kg": p.weight_kg,
        "protocol_activity_MBq": p.protocol_activity_Bq / 1e6,
        "activity_rule": p.activity_rule,
        "prescribed_activity_MBq": p.prescribed_activity_Bq / 1e6,
        "override_reason": p.override_reason,
        "override_signed_by": p.override_signature.signer_name if p.override_signature else None,
        "checks": [
            {
                "id": c.pk,
                "kind": c.kind,
                "outcome": c.outcome,
                "message": c.message,
                "blocks": c.blocks,
                "overridden_by": c.overridden_by.username if c.overridden_by else None,
            }
            for c in services.current_checks(p).values()
        ],
    }


@router.post("/prescriptions", response={201: dict})
def create_prescription(request: HttpRequest, payload: PrescriptionIn):
    require_perm(request, "patients.add_prescription")
    patient = Patient.objects.filter(pk=payload.patient_id).first()
    if patient is None:
        raise InputError("unknown patient", "patient_id")
    protocol = Protocol.objects.filter(pk=payload.protocol_id).first()
    if protocol is None:
        raise InputError("unknown protocol", "protocol_id")
    p = services.prescribe(
        patient=patient,
        protocol=protocol,
        scheduled_for=parse_instant(payload.scheduled_for, "scheduled_for"),
        weight_kg=payload.weight_kg,
        prescriber=request.user,
        activity_MBq=parse_activity(payload.activity, "activity") / 1e6 if payload.activity else None,
        override_reason=payload.override_reason,
        signature_password=payload.signature_password,
    )
    return Status(201, _prescription_out(p))


@router.get("/prescriptions/{prescription_id}")
def get_prescription(request: HttpRequest, prescription_id: int) -> dict:
    require_perm(request, "patients.view_prescription")
    return _prescription_out(object_or_404(Prescription, pk=prescription_id))


class MeasurementIn(BoundedSchema):
    activity_meter_id: int
    activity: str
    measured_at: str


@router.post("/prescriptions/{prescription_id}/measurement", response={201: dict})
def measure(request: HttpRequest, prescription_id: int, payload: MeasurementIn):
    from nmguard.apps.equipment.models import Equipment

    require_perm(request, "patients.change_prescription")
    p = object_or_404(Prescription, pk=prescription_id)
    meter = Equipment.objects.filter(pk=payload.activity_meter_id).first()
    if meter is None:
        raise InputError("unknown activity meter", "activity_meter_id")
    m = services.record_measurement(
        p,
        meter=meter,
        activity_Bq=parse_activity(payload.activity, "activity"),
        measured_at=parse_instant(payload.measured_at, "measured_at"),
        user=request.user,
    )
    return Status(201, {"id": m.pk, "activity_MBq": m.measured_activity_Bq / 1e6, "status": p.status})


class ChecksIn(BoundedSchema):
    patient_id: str
    birth_date: dt.date | None = None
    pregnancy: str | None = Field(
        None,
        pattern="^(not_pregnant|pregnant|unknown)$",
        description="required where the profile's age range applies; no default answer",
    )
    breastfeeding: bool | None = Field(None, description="required where pregnancy is asked; no default answer")
    breastfeeding_advice_given: bool = False
    previous_reaction: bool | None = Field(None, description="required: no default answer")
    reaction_note: str = ""
    radiopharmaceutical_id: int | None = Field(None, description="the product on the syringe label (required)")
    planned_at: str = Field(description="planned injection time: may lie later today, not before the measurement")


@router.post("/prescriptions/{prescription_id}/checks", response={201: dict})
def checks(request: HttpRequest, prescription_id: int, payload: ChecksIn):
    require_perm(request, "patients.add_safetycheck")
    p = object_or_404(Prescription, pk=prescription_id)
    data = payload.dict()
    data["planned_at"] = parse_instant(payload.planned_at, "planned_at")
    try:
        services.record_checks(p, services.CheckAnswers(**data), request.user)
    except InputError as exc:  # name the field as this API spells it
        if exc.field == "radiopharmaceutical":
            raise InputError(exc.message, "radiopharmaceutical_id") from None
        raise
    p.refresh_from_db()
    return Status(201, _prescription_out(p))


class OverrideIn(BoundedSchema):
    reason: str
    password: str


@router.post("/prescriptions/{prescription_id}/checks/{check_id}/override")
def override(request: HttpRequest, prescription_id: int, check_id: int, payload: OverrideIn) -> dict:
    require_perm(request, "patients.change_safetycheck")
    check = object_or_404(SafetyCheck, pk=check_id, prescription_id=prescription_id)
    services.override_check(check, physician=request.user, password=payload.password, reason=payload.reason)
    return _prescription_out(check.prescription)


class AdministrationIn(BoundedSchema):
    text_limits_from = (Administration,)
    administered_at: str
    route: str
    site: str = ""
    residual: str | None = None
    residual_measured_at: str | None = None
    extravasation: bool | None = Field(None, description="required: no default answer")
    extravasation_follow_up: str = ""
    adverse_reaction: str = ""


def administration_out(a: Administration) -> dict:
    return {
        "id": a.pk,
        "prescription_id": a.prescription_id,
        "administered_at": a.administered_at.isoformat(),
        "route": a.route,
        "site": a.site,
        "administered_activity_MBq": a.administered_activity_Bq / 1e6,
        "effective_dose_mSv": a.effective_dose_mSv,
        "dose_basis": a.dose_basis,
        "organ_doses": a.organ_doses,
        "extravasation": a.extravasation,
        "medical_events": [e.pk for e in a.medical_events.all()],
    }


@router.post("/prescriptions/{prescription_id}/administration", response={201: dict})
def administer(request: HttpRequest, prescription_id: int, payload: AdministrationIn):
    require_perm(request, "patients.add_administration")
    p = object_or_404(Prescription, pk=prescription_id)
    data = services.AdministrationInput(
        administered_at=parse_instant(payload.administered_at, "administered_at"),
        route=payload.route,
        site=payload.site,
        residual_Bq=parse_activity(payload.residual, "residual", allow_zero=True) if payload.residual else None,
        residual_measured_at=parse_instant(payload.residual_measured_at, "residual_measured_at")
        if payload.residual_measured_at
        else None,
        extravasation=payload.extravasation,
        extravasation_follow_up=payload.extravasation_follow_up,
        adverse_reaction=payload.adverse_reaction,
    )
    return Status(201, administration_out(services.administer(p, data, request.user)))


@router.get("/medical-events")
def list_medical_events(request: HttpRequest) -> list[dict]:
    require_perm(request, "patients.view_medicalevent")
    return [
        {
            "id": e.pk,
            "administration_id": e.administration_id,
            "profile": e.profile,
            "criteria": e.criteria,
            "reporting_steps": e.reporting_steps,
            "status": e.status,
            "detected_at": e.detected_at.isoformat(),
        }
        for e in MedicalEvent.objects.all()
    ]


@router.get("/administrations/{administration_id}/rrdsr")
def rrdsr(request: HttpRequest, administration_id: int) -> HttpResponse:
    """The administration as a DICOM Radiopharmaceutical Radiation Dose SR."""
    from nmguard.apps.patients.exchange import rrdsr_bytes

    require_perm(request, "patients.view_administration")
    a = object_or_404(Administration, pk=administration_id)
    response = HttpResponse(rrdsr_bytes(a), content_type="application/dicom")
    response["Content-Disposition"] = f'attachment; filename="rrdsr-{a.pk}.dcm"'
    return response


@router.get("/administrations/{administration_id}/fhir")
def fhir(request: HttpRequest, administration_id: int) -> dict:
    """The administration as a FHIR MedicationAdministration."""
    from nmguard.apps.patients.exchange import fhir_medication_administration

    require_perm(request, "patients.view_administration")
    return fhir_medication_administration(object_or_404(Administration, pk=administration_id))


@router.post("/dose-reports/import", response={201: dict})
def import_dose_report(request: HttpRequest, file: UploadedFile = File(...)):
    """Import an RRDSR made elsewhere (SRT or SCT codes) into the matching patient's dose history."""
    from nmguard.apps.patients.exchange import import_rrdsr

    require_perm(request, "patients.add_importeddosereport")
    report = import_rrdsr(file.read(), request.user)
    return Status(
        201,
        {
            "id": report.pk,
            "patient_id": report.patient_id,
            "administered_at": report.administered_at.isoformat(),
            "radiopharmaceutical": report.radiopharmaceutical_name,
            "activity_MBq": report.administered_activity_Bq / 1e6,
            "effective_dose_mSv": report.effective_dose_mSv,
        },
    )
