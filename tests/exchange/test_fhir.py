"""FHIR R5 MedicationAdministration export, validated by fhir.resources."""

import pytest
from fhir.resources.medicationadministration import MedicationAdministration

from nmguard.errors import InputError
from nmguard.exchange.fhir import FHIR_VERSION, medication_administration
from tests.imaging.factory import make_admin


def test_resource_validates_and_carries_the_dose(admin):
    res = medication_administration(admin, patient_reference="Patient/p1", practitioner_reference="Practitioner/t1")
    MedicationAdministration.model_validate(res)  # re-validates the JSON form
    assert FHIR_VERSION == "5.0.0"
    assert res["resourceType"] == "MedicationAdministration" and res["status"] == "completed"
    dose = res["dosage"]["dose"]
    assert dose["value"] == pytest.approx(312.456789, rel=1e-12)
    assert (dose["unit"], dose["system"], dose["code"]) == ("MBq", "http://unitsofmeasure.org", "MBq")
    codings = res["medication"]["concept"]["coding"]
    assert {"system": "http://snomed.info/sct", "code": "35321007", "display": "Fluorodeoxyglucose F^18^"} in codings
    assert res["dosage"]["route"]["coding"][0]["code"] == "47625008"
    assert res["subject"]["reference"] == "Patient/p1"
    assert res["performer"][0]["actor"]["reference"]["reference"] == "Practitioner/t1"
    assert res["occurencePeriod"]["start"] == "2026-03-01T09:15:30.250000+01:00"


def test_single_time_uses_occurence_datetime():
    res = medication_administration(make_admin(administration_end=None), patient_reference="Patient/p1")
    assert res["occurenceDateTime"] == "2026-03-01T09:15:30.250000+01:00"
    assert "performer" not in res


def test_product_without_code_keeps_text():
    admin = make_admin(radiopharmaceutical_id=None, radiopharmaceutical_name="In-house tracer", nuclide="Ga-68")
    res = medication_administration(admin, patient_reference="Patient/p1")
    assert res["medication"]["concept"] == {"text": "In-house tracer"}


def test_bad_reference_refused(admin):
    with pytest.raises(InputError) as err:
        medication_administration(admin, patient_reference="p1")
    assert err.value.field == "patient_reference"
