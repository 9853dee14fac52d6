"""The protection API (issue 15 items 2, 7 and the acceptance's "the API covers the same records"): workers,
readings, the evaluation with the CLI report's keys, an import with the CLI import's keys (a bad file: 422 with
every bad row, nothing stored), pregnancy declarations, investigations and events with their closing
e-signature, 422 naming the field, 403 for a role that may not write."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import PASSWORD
from tests.protection.test_staff_import import BAD, monthly_file
from tests.protection.test_staff_pages import _department

YEAR = 2026
REPORT_KEYS = {
    "worker_id",
    "effective_mSv_year",
    "effective_mSv_5y",
    "lens_mSv_year",
    "extremity_mSv_year",
    "status",
    "reasons",
}
IMPORT_KEYS = {"imported", "duplicates", "new_workers", "rejected"}


@pytest.fixture
def rpo(make_user):
    return make_user("rpo", "rpo1")


def _post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def _field(response) -> str:
    return response.json()["detail"][0]["loc"][-1]


def test_import_evaluation_readings(client, rpo):
    from nmguard.apps.protection.models import DoseReading

    _department("iaea-gsr3", rpo)
    client.force_login(rpo)
    bad = client.post("/api/v1/protection/imports", {"file": SimpleUploadedFile("bad.csv", BAD.encode())})
    assert bad.status_code == 422 and _field(bad) == "file" and bad.json()["result"]["rejected"]
    assert DoseReading.objects.count() == 0
    upload = SimpleUploadedFile("service.csv", monthly_file({"W1": 0.6, "W2": 0.1}, YEAR).encode())
    done = client.post("/api/v1/protection/imports", {"file": upload})
    assert done.status_code == 201 and set(done.json()) >= IMPORT_KEYS
    assert done.json()["imported"] == 24 and done.json()["new_workers"] == ["W1", "W2"]
    again = client.post(
        "/api/v1/protection/imports",
        {"file": SimpleUploadedFile("service.csv", monthly_file({"W1": 0.6, "W2": 0.1}, YEAR).encode())},
    )
    assert again.json()["imported"] == 0 and again.json()["duplicates"] == 24
    report = client.get("/api/v1/protection/evaluation", {"year": YEAR}).json()
    assert report["profile"] == "iaea" and {r["worker_id"] for r in report["workers"]} == {"W1", "W2"}
    w1 = next(r for r in report["workers"] if r["worker_id"] == "W1")
    assert set(w1) == REPORT_KEYS and w1["status"] == "investigation" and w1["effective_mSv_year"] == pytest.approx(7.2)
    euratom = client.get("/api/v1/protection/evaluation", {"year": YEAR, "profile": "euratom"}).json()
    assert euratom["profile"] == "euratom"
    bad_profile = client.get("/api/v1/protection/evaluation", {"year": YEAR, "profile": "mars"})
    assert bad_profile.status_code == 422 and _field(bad_profile) == "profile"
    workers = client.get("/api/v1/protection/workers").json()
    w1_pk = next(w["id"] for w in workers if w["worker_id"] == "W1")
    readings = client.get(f"/api/v1/protection/workers/{w1_pk}/readings").json()
    assert len(readings) == 12 and all(r["current"] for r in readings)


def test_investigation_event_pregnancy_lifecycle(client, rpo, make_user):
    from nmguard.apps.protection.dose_import import import_readings

    _department("iaea-gsr3", rpo)
    import_readings(monthly_file({"W1": 0.6}, YEAR), "s.csv", rpo)
    client.force_login(rpo)
    w1 = client.get("/api/v1/protection/workers").json()[0]["id"]
    none = _post(client, "/api/v1/protection/investigations", {"worker": w1, "year": YEAR, "quantity": "lens"})
    assert none.status_code == 422 and _field(none) == "quantity"
    opened = _post(client, "/api/v1/protection/investigations", {"worker": w1, "year": YEAR, "quantity": "effective"})
    assert opened.status_code == 201 and opened.json()["status"] == "open"
    inv = opened.json()["id"]
    body = {"findings": "f", "cause": "", "actions": "a", "password": PASSWORD}
    missing = _post(client, f"/api/v1/protection/investigations/{inv}/close", body)
    assert missing.status_code == 422 and _field(missing) == "cause"
    closed = _post(client, f"/api/v1/protection/investigations/{inv}/close", {**body, "cause": "c"})
    assert closed.status_code == 200 and closed.json()["closed_by"] == "rpo1" and closed.json()["signature_id"]
    assert client.get("/api/v1/protection/investigations", {"status": "closed"}).json()[0]["id"] == inv

    event = {
        "kind": "contamination_person",
        "occurred_at": f"{YEAR}-05-02T09:30:00+00:00",
        "location": "Injection room",
        "description": "glove and wrist",
        "workers": ["W1"],
        "estimated_dose_mSv": 0.2,
    }
    bad_kind = _post(client, "/api/v1/protection/events", {**event, "kind": "meteor"})
    assert bad_kind.status_code == 422 and _field(bad_kind) == "kind"
    unknown = _post(client, "/api/v1/protection/events", {**event, "workers": ["Z9"]})
    assert unknown.status_code == 422 and _field(unknown) == "workers"
    made = _post(client, "/api/v1/protection/events", event)
    assert made.status_code == 201 and made.json()["workers"] == ["W1"] and made.json()["status"] == "open"
    eid = made.json()["id"]
    wrong = _post(client, f"/api/v1/protection/events/{eid}/close", {"actions": "washed", "password": "x"})
    assert wrong.status_code == 422 and _field(wrong) == "password"
    shut = _post(client, f"/api/v1/protection/events/{eid}/close", {"actions": "washed", "password": PASSWORD})
    assert shut.status_code == 200 and shut.json()["status"] == "closed"

    declared = _post(client, f"/api/v1/protection/workers/{w1}/pregnancies", {"declared_on": f"{YEAR}-06-01"})
    assert declared.status_code == 201 and declared.json()["declared_on"] == f"{YEAR}-06-01"
    bad_date = _post(client, f"/api/v1/protection/workers/{w1}/pregnancies", {"declared_on": "June"})
    assert bad_date.status_code == 422 and _field(bad_date) == "declared_on"
    assert len(client.get("/api/v1/protection/pregnancies").json()) == 1

    client.force_login(make_user("technologist", "tech1"))
    assert client.get("/api/v1/protection/events").status_code == 200  # every role views
    refused = _post(client, "/api/v1/protection/events", event)
    assert refused.status_code == 403
