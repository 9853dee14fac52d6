"""Dose reports in and out: RRDSR (DICOM) and FHIR for administrations, RRDSR import."""

from __future__ import annotations

import io

import pydicom
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pydicom.uid import generate_uid

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.models import Department
from nmguard.apps.patients.models import Administration, ImportedDoseReport, Patient
from nmguard.errors import InputError
from nmguard.exchange.dicom.administration_report import RadiopharmaceuticalAdministration
from nmguard.exchange.dicom.rrdsr import build_rrdsr, parse_rrdsr
from nmguard.exchange.fhir import medication_administration


def _stable_uid(*parts: str) -> str:
    """The same UID for the same record in this installation (secret key as installation salt)."""
    return generate_uid(entropy_srcs=[settings.SECRET_KEY[:32], *parts])


def _person_name(user) -> str:
    """DICOM PN: Family^Given."""
    if user.last_name or user.first_name:
        return f"{user.last_name}^{user.first_name}"
    parts = str(user).rsplit(" ", 1)
    return f"{parts[1]}^{parts[0]}" if len(parts) == 2 else f"{parts[0]}^"


def report_for(a: Administration) -> RadiopharmaceuticalAdministration:
    p = a.prescription
    patient, product = p.patient, p.protocol.radiopharmaceutical
    measurement = p.measurements.order_by("-measured_at").first()
    basis = a.dose_basis or {}
    return RadiopharmaceuticalAdministration(
        patient_id=patient.mrn,
        patient_name=f"{patient.family_name}^{patient.given_name}",
        patient_birth_date=patient.birth_date,
        patient_sex=patient.sex if patient.sex in ("F", "M", "O") else "O",
        radiopharmaceutical_name=product.name,
        radiopharmaceutical_id=product.catalogue_id or None,
        nuclide=product.nuclide,
        administered_activity_Bq=a.administered_activity_Bq,
        administration_start=timezone.localtime(a.administered_at),
        route=a.route,
        administered_by=_person_name(a.administered_by),
        patient_weight_kg=p.weight_kg,
        pre_activity_Bq=measurement.measured_activity_Bq if measurement else None,
        pre_activity_time=timezone.localtime(measurement.measured_at) if measurement else None,
        residual_activity_Bq=measurement.residual_activity_Bq if measurement else None,
        residual_activity_time=(
            timezone.localtime(measurement.residual_measured_at)
            if measurement and measurement.residual_measured_at
            else None
        ),
        site=a.site or None,
        effective_dose_mSv=a.effective_dose_mSv,
        effective_dose_method=(
            f"{basis.get('edition', '')} {basis.get('age_group', '')}".strip() or None if a.effective_dose_mSv else None
        ),
        intent="therapy" if product.is_therapy else "diagnostic",
        administration_event_uid=_stable_uid("administration", str(a.pk)),
    )


def rrdsr_bytes(a: Administration) -> bytes:
    department = Department.objects.first()
    ds = build_rrdsr(
        report_for(a),
        institution_name=(department.institution or department.name)[:64] if department else "NMGuard",
        device_observer_uid=_stable_uid("device", "nmguard"),
        device_observer_name="NMGuard",
    )
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def fhir_medication_administration(a: Administration) -> dict:
    return medication_administration(
        report_for(a),
        patient_reference=f"Patient/{a.prescription.patient.mrn}",
        practitioner_reference=f"Practitioner/{a.administered_by.username}",
    )


def import_rrdsr(data: bytes, user, *, dataset: pydicom.Dataset | None = None) -> ImportedDoseReport:
    """Store an RRDSR produced elsewhere against the patient with the same patient ID.

    ``dataset``: ``data`` already read (the DICOM listener reads every object's header to route it)."""
    try:
        ds = dataset if dataset is not None else pydicom.dcmread(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any unreadable upload is the user's input error
        raise InputError(f"not a readable DICOM file ({type(exc).__name__})", "file") from None
    report = parse_rrdsr(ds)
    patient_id = str(report.patient_id or "").strip()
    # patient IDs are unique regardless of case (register_patient), so match them that way
    patient = Patient.objects.filter(mrn__iexact=patient_id).first() if patient_id else None
    if patient is None:
        raise InputError(f"no patient with ID {report.patient_id}: register the patient first", "file")
    if patient.birth_date != report.patient_birth_date:
        raise InputError("the report's birth date differs from the patient's: check the identity", "file")
    uid = str(ds.SOPInstanceUID)
    if ImportedDoseReport.objects.filter(sop_instance_uid=uid).exists():
        raise InputError("this report was imported already", "file")
    # no savepoint: inside a caller's transaction (an API request, the DICOM listener) an error here ends that
    # transaction whole anyway
    with transaction.atomic(savepoint=False), acting_as(user, reason="RRDSR imported"):
        return ImportedDoseReport.objects.create(
            patient=patient,
            sop_instance_uid=uid,
            administered_at=report.administration_start,
            radiopharmaceutical_name=report.radiopharmaceutical_name,
            catalogue_id=report.radiopharmaceutical_id or "",
            nuclide=report.nuclide,
            administered_activity_Bq=report.administered_activity_Bq,
            route=report.route,
            effective_dose_mSv=report.effective_dose_mSv,
            effective_dose_method=report.effective_dose_method or "",
            institution=str(ds.get("InstitutionName", ""))[:64],
        )
