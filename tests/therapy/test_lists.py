"""Find anything in therapy (issue 13 item 8): therapy courses by patient and status, dosimetry runs by
status, day and text. Errors by the field (never a 500), pages, CSV, permissions, and a query count that
does not grow with the rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nmguard.apps.core.actor import acting_as
from nmguard.apps.patients.models import Patient
from nmguard.apps.therapy.models import DosimetryJob, TherapyCourse, TherapyCycle, TherapyProtocol

pytestmark = pytest.mark.django_db

VIENNA = zoneinfo.ZoneInfo("Europe/Vienna")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def clinic(dept):
    with acting_as(dept["administrator"], reason="fixture"):
        protocol = TherapyProtocol.objects.create(
            name="RAI ablation",
            radiopharmaceutical=dept["iodine"],
            activity_per_cycle_Bq=3.7e9,
            interval_days=180,
            cycles=2,
        )
    return {**dept, "protocol": protocol}


def course(world, patient: Patient, started_on: str, status: str = "active") -> TherapyCourse:
    with acting_as(world["physician"], reason="fixture"):
        return TherapyCourse.objects.create(
            patient=patient, protocol=world["protocol"], started_on=dt.date.fromisoformat(started_on), status=status
        )


def job(world, title: str, status: str, created: str, cycle: TherapyCycle | None = None) -> DosimetryJob:
    with acting_as(world["physicist"], reason="fixture"):
        made = DosimetryJob.objects.create(
            title=title,
            cycle=cycle,
            input_dir="/nowhere",
            input_sha256="0" * 64,
            options={"method": "dvk"},
            status=status,
            requested_by=world["physicist"],
            message="no SPECT series" if status == "failed" else "",
        )
    # created_at is set on save: placed on the day the test needs (department time)
    DosimetryJob.objects.filter(pk=made.pk).update(created_at=dt.datetime.fromisoformat(created).replace(tzinfo=VIENNA))
    return made


def names(response) -> list[str]:
    assert response.status_code == 200
    return [c.patient.mrn for c in response.context["rows"]]


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [j.title for j in response.context["rows"]]


def test_courses_search_patient_by_mrn_name_or_birth_date_and_filter_status(clinic):
    course(clinic, clinic["adult"], "2026-01-10")
    course(clinic, clinic["man"], "2026-02-10", status="completed")
    client = client_for(clinic["technologist"])
    assert names(client.get("/therapy/")) == ["P-2", "P-1"]
    assert names(client.get("/therapy/", {"q": "P-1"})) == ["P-1"]
    assert names(client.get("/therapy/", {"q": "max man"})) == ["P-2"]
    assert names(client.get("/therapy/", {"q": "1990-05-01"})) == ["P-1"]  # birth date
    assert names(client.get("/therapy/", {"q": "01.05.1990"})) == ["P-1"]
    assert names(client.get("/therapy/", {"status": "completed"})) == ["P-2"]
    assert names(client.get("/therapy/", {"from": "2026-02-01"})) == ["P-2"]
    assert names(client.get("/therapy/", {"to": "2026-02-09"})) == ["P-1"]
    for params, field in (({"status": "done"}, "status"), ({"from": "2026-02-30"}, "from")):
        bad = client.get("/therapy/", params)
        assert bad.status_code == 200 and field in bad.context["form"].errors and names(bad) == []
        assert f'data-testid="error-{field}"' in bad.content.decode()
    rows = csv_rows(client.get("/therapy/", {"status": "completed", "format": "csv"}))
    assert rows == [
        ["MRN", "Patient", "Birth date", "Protocol", "Started", "Status"],
        ["P-2", str(clinic["man"]), "1960-02-02", "RAI ablation", "2026-02-10", "Completed"],
    ]


def test_dosimetry_runs_filter_by_status_vienna_day_and_patient(clinic):
    treated = course(clinic, clinic["adult"], "2026-01-10")
    with acting_as(clinic["physician"], reason="fixture"):
        cycle = TherapyCycle.objects.create(course=treated, number=1, planned_on=dt.date(2026, 1, 10))
    job(clinic, "cycle 1 dosimetry", "succeeded", "2026-03-10T23:30", cycle=cycle)  # 22:30 UTC
    job(clinic, "phantom check", "failed", "2026-03-11T00:30")  # 23:30 UTC on the 10th
    job(clinic, "waiting", "queued", "2026-03-12T09:00")
    client = client_for(clinic["physician"])
    assert titles(client.get("/therapy/dosimetry/")) == ["waiting", "phantom check", "cycle 1 dosimetry"]
    assert titles(client.get("/therapy/dosimetry/", {"status": "failed"})) == ["phantom check"]
    assert titles(client.get("/therapy/dosimetry/", {"from": "2026-03-10", "to": "2026-03-10"})) == [
        "cycle 1 dosimetry"
    ]
    assert titles(client.get("/therapy/dosimetry/", {"q": "adult"})) == ["cycle 1 dosimetry"]
    assert titles(client.get("/therapy/dosimetry/", {"q": "P-1"})) == ["cycle 1 dosimetry"]
    bad = client.get("/therapy/dosimetry/", {"status": "finished"})
    assert bad.status_code == 200 and "status" in bad.context["form"].errors and titles(bad) == []
    rows = csv_rows(client.get("/therapy/dosimetry/", {"status": "failed", "format": "csv"}))
    assert len(rows) == 2
    failed = dict(zip(rows[0], rows[1], strict=True))
    assert failed["Status"] == "Failed" and failed["Message"] == "no SPECT series"
    assert failed["Requested"] == "2026-03-11T00:30+01:00" and failed["Method"] == "dvk"


def test_dosimetry_runs_paginate_past_the_old_hundred_cap(clinic):
    for i in range(120):
        job(clinic, f"run {i:03d}", "succeeded", f"2026-03-10T08:00:{i % 60:02d}")
    client = client_for(clinic["physicist"])
    page = client.get("/therapy/dosimetry/", {"page": 3})
    assert len(page.context["rows"]) == 20
    assert len(csv_rows(client.get("/therapy/dosimetry/", {"format": "csv"}))) == 121
    assert 'data-testid="dosimetry-form"' in page.content.decode()  # the physicist still starts a run here


@pytest.mark.parametrize("path", ["/therapy/", "/therapy/dosimetry/"])
def test_lists_need_the_therapy_view_permission(clinic, path):
    assert Client().get(path).status_code == 302
    with acting_as(clinic["administrator"], reason="fixture"):
        nobody = get_user_model().objects.create_user("no-role")
    assert client_for(nobody).get(path).status_code == 403
    assert client_for(nobody).get(path, {"format": "csv"}).status_code == 403


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("fmt", ["", "?format=csv"])
def test_query_count_does_not_grow_with_the_rows(clinic, fmt):
    client = client_for(clinic["physicist"])

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            with acting_as(clinic["administrator"], reason="fixture"):
                patient = Patient.objects.create(
                    mrn=f"Q-{i}", family_name=f"Patient{i}", given_name="Q", birth_date=dt.date(1970, 1, 1), sex="F"
                )
            treated = course(clinic, patient, "2026-01-10")
            with acting_as(clinic["physician"], reason="fixture"):
                cycle = TherapyCycle.objects.create(course=treated, number=1, planned_on=dt.date(2026, 1, 10))
            job(clinic, f"run {i}", "succeeded", "2026-03-10T08:00", cycle=cycle)

    add(0, 5)
    few = {path: _queries(client, path + fmt) for path in ("/therapy/", "/therapy/dosimetry/")}
    add(5, 50)
    assert {path: _queries(client, path + fmt) for path in few} == few
