"""The administration path through the REST API, with 422 field errors for bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.department import now_minute

from nmguard.apps.patients.models import Administration, Prescription

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_whole_path_through_the_api(client, dept):
    at = now_minute()
    client.force_login(dept["technologist"])
    r = post(
        client,
        "/api/v1/patients",
        {"mrn": "API-1", "family_name": "Api", "given_name": "Ada", "birth_date": "1950-03-04", "sex": "F"},
    )
    assert r.status_code == 201, r.content
    patient_id = r.json()["id"]
    # a technologist may not prescribe
    body = {
        "patient_id": patient_id,
        "protocol_id": dept["fdg_protocol"].pk,
        "scheduled_for": at.isoformat(),
        "weight_kg": 80,
    }
    r = post(client, "/api/v1/prescriptions", body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "user"
    client.force_login(dept["physician"])
    r = post(client, "/api/v1/prescriptions", body)
    assert r.status_code == 201, r.content
    prescription = r.json()
    assert prescription["prescribed_activity_MBq"] == pytest.approx(240.0)  # 3 MBq/kg × 80 kg
    pid = prescription["id"]
    client.force_login(dept["technologist"])
    measured = (at - dt.timedelta(minutes=5)).isoformat()
    r = post(
        client,
        f"/api/v1/prescriptions/{pid}/measurement",
        {"activity_meter_id": dept["meter"].pk, "activity": "247 MBq", "measured_at": measured},
    )
    assert r.status_code == 201, r.content
    checks_body = {
        "patient_id": "API-1",
        "birth_date": "1950-03-04",
        "radiopharmaceutical_id": dept["fdg"].pk,
        "planned_at": at.isoformat(),
    }
    # no default answer: the allergy question left out is a 422 naming it, and nothing is stored
    r = post(client, f"/api/v1/prescriptions/{pid}/checks", checks_body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "previous_reaction"
    assert not Prescription.objects.get(pk=pid).checks.exists()
    unread = {**checks_body, "previous_reaction": False, "radiopharmaceutical_id": None}  # label not read
    r = post(client, f"/api/v1/prescriptions/{pid}/checks", unread)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "radiopharmaceutical_id"
    r = post(client, f"/api/v1/prescriptions/{pid}/checks", {**checks_body, "previous_reaction": False})
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "checked"
    assert {c["kind"]: c["outcome"] for c in r.json()["checks"]}["pregnancy"] == "n/a"  # 76-year-old woman
    given = {"administered_at": at.isoformat(), "route": "iv"}
    r = post(client, f"/api/v1/prescriptions/{pid}/administration", given)  # extravasation not answered
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "extravasation"
    assert not Administration.objects.exists()
    r = post(client, f"/api/v1/prescriptions/{pid}/administration", {**given, "extravasation": False})
    assert r.status_code == 201, r.content
    admin = r.json()
    assert admin["effective_dose_mSv"] == pytest.approx(admin["administered_activity_MBq"] * 0.019, rel=1e-12)
    doses = client.get(f"/api/v1/patients/{patient_id}/doses").json()
    assert doses["total_effective_dose_mSv"] == pytest.approx(admin["effective_dose_mSv"])
    rrdsr = client.get(f"/api/v1/administrations/{admin['id']}/rrdsr")
    assert rrdsr.status_code == 200 and rrdsr["Content-Type"] == "application/dicom"
    assert (
        client.get(f"/api/v1/administrations/{admin['id']}/fhir").json()["resourceType"] == "MedicationAdministration"
    )
    # import of the report (as if it came from elsewhere) lands in the same patient's history
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post("/api/v1/dose-reports/import", {"file": SimpleUploadedFile("r.dcm", rrdsr.content)})
    assert r.status_code == 201, r.content
    assert r.json()["activity_MBq"] == pytest.approx(admin["administered_activity_MBq"], rel=1e-9)


@pytest.mark.parametrize(
    ("url_kind", "body", "field"),
    [
        ("measure", {"activity": "247", "measured_at": "NOW"}, "activity"),
        ("measure", {"activity": "247 MBq", "measured_at": "2026-01-01T08:00:00"}, "measured_at"),
        ("measure", {"activity": "247 MBq", "measured_at": "2099-01-01T08:00:00Z"}, "measured_at"),
        ("measure", {"activity": "-2 MBq", "measured_at": "NOW"}, "activity"),
        ("prescribe", {"weight_kg": -3}, "weight_kg"),
        ("prescribe", {"weight_kg": 900}, "weight_kg"),
        ("prescribe", {"protocol_id": 99999}, "protocol_id"),
    ],
)
def test_bad_input_is_422_and_stores_nothing(client, dept, url_kind, body, field):
    at = now_minute()
    client.force_login(dept["physician"])
    base = {
        "patient_id": dept["man"].pk,
        "protocol_id": dept["fdg_protocol"].pk,
        "scheduled_for": at.isoformat(),
        "weight_kg": 70,
    }
    if url_kind == "prescribe":
        r = post(client, "/api/v1/prescriptions", {**base, **body})
        stored = Prescription.objects.count()
    else:
        pid = post(client, "/api/v1/prescriptions", base).json()["id"]
        client.force_login(dept["technologist"])
        payload = {"activity_meter_id": dept["meter"].pk, **body}
        if payload["measured_at"] == "NOW":
            payload["measured_at"] = at.isoformat()
        r = post(client, f"/api/v1/prescriptions/{pid}/measurement", payload)
        stored = Prescription.objects.get(pk=pid).measurements.count()
    assert r.status_code == 422, r.content
    assert field in [d["loc"][-1] for d in r.json()["detail"]]
    assert stored == 0
    assert not Administration.objects.exists()
