"""FHIR export of administrations: a MedicationAdministration per radiopharmaceutical administration.

FHIR version: R5 (5.0.0), the version ``fhir.resources`` 8 validates by default (its R4B and STU3
models live in subpackages and are not used here). R5 spells the occurrence element
``occurence[x]`` (one 'r'), as the specification does. The radiopharmaceutical is a
CodeableConcept with the SNOMED CT (or DICOM) code of ``reference/data/dicom_codes.csv`` where one
exists plus the product name as text; the dose is a Quantity in MBq with the UCUM code ``MBq``.
Pure layer: no Django.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.medicationadministration import MedicationAdministration
from pydantic import ValidationError

from nmguard.errors import InputError
from nmguard.exchange.dicom.administration_report import RadiopharmaceuticalAdministration
from nmguard.reference.dicom_codes import LOCAL_SCHEME, DicomCode, code_for

FHIR_VERSION = "5.0.0"
UCUM = "http://unitsofmeasure.org"
SYSTEMS = {
    "SCT": "http://snomed.info/sct",
    "DCM": "http://dicom.nema.org/resources/ontology/DCM",
    "NCIt": "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl",
}
#: NMGuard's own identifiers (catalogue ids, event UIDs) in FHIR.
NMGUARD_SYSTEM = "urn:nmguard:radiopharmaceutical"


def _coding(row: DicomCode | None) -> list[dict[str, str]]:
    if row is None or row.scheme == LOCAL_SCHEME or row.scheme not in SYSTEMS:
        return []
    return [{"system": SYSTEMS[row.scheme], "code": row.code, "display": row.meaning}]


def _reference(value: object, name: str) -> str:
    if not isinstance(value, str) or "/" not in value.strip() or value.strip().startswith("/"):
        raise InputError(f"{name} must be a FHIR reference like 'Patient/123'", field=name)
    return value.strip()


def medication_administration(
    admin: RadiopharmaceuticalAdministration,
    *,
    patient_reference: str,
    practitioner_reference: str | None = None,
) -> dict[str, Any]:
    """A validated FHIR R5 MedicationAdministration for ``admin``, as a JSON-ready dict."""
    if not isinstance(admin, RadiopharmaceuticalAdministration):
        raise InputError("admin must be a RadiopharmaceuticalAdministration", field="admin")
    subject = _reference(patient_reference, "patient_reference")

    agent_row = code_for("radiopharmaceutical", admin.radiopharmaceutical_id) if admin.radiopharmaceutical_id else None
    coding = _coding(agent_row)
    if admin.radiopharmaceutical_id:
        coding.append(
            {"system": NMGUARD_SYSTEM, "code": admin.radiopharmaceutical_id, "display": admin.radiopharmaceutical_name}
        )
    medication: dict[str, Any] = {"concept": {"text": admin.radiopharmaceutical_name}}
    if coding:
        medication["concept"]["coding"] = coding

    route_row = code_for("route", admin.route)
    route: dict[str, Any] = {"text": route_row.meaning if route_row else admin.route}
    if _coding(route_row):
        route["coding"] = _coding(route_row)
    dosage: dict[str, Any] = {
        "route": route,
        "dose": {"value": admin.administered_activity_MBq, "unit": "MBq", "system": UCUM, "code": "MBq"},
        "text": f"{admin.administered_activity_MBq:.6g} MBq {admin.nuclide}",
    }
    if admin.site:
        dosage["site"] = {"text": admin.site}

    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "identifier": [{"system": "urn:dicom:uid", "value": f"urn:oid:{admin.administration_event_uid}"}],
        "status": "completed",
        "medication": medication,
        "subject": {"reference": subject},
        "dosage": dosage,
    }
    if admin.administration_end is not None:
        resource["occurencePeriod"] = {
            "start": admin.administration_start.isoformat(),
            "end": admin.administration_end.isoformat(),
        }
    else:
        resource["occurenceDateTime"] = admin.administration_start.isoformat()
    if practitioner_reference is not None:
        performer: dict[str, Any] = {"reference": _reference(practitioner_reference, "practitioner_reference")}
        if admin.administered_by:
            performer["display"] = admin.administered_by.replace("^", " ").strip()
        resource["performer"] = [{"actor": {"reference": performer}}]
    notes = [n for n in (admin.comment,) if n]
    if admin.effective_dose_mSv is not None:
        notes.append(f"Estimated effective dose {admin.effective_dose_mSv:.3g} mSv ({admin.effective_dose_method})")
    if notes:
        resource["note"] = [{"text": n} for n in notes]

    try:
        model = MedicationAdministration.model_validate(resource)
    except ValidationError as exc:  # a bug in this mapping, or a reference fhir.resources refuses
        first = exc.errors()[0]
        raise InputError(
            f"FHIR MedicationAdministration invalid: {first.get('msg')}",
            field=".".join(str(p) for p in first.get("loc", ())),
        ) from None
    return model.model_dump(mode="json", exclude_none=True)
