"""Find anything in the QC programme (issue 13 item 8): the QC result list, the register by status, the
day's QC by due state. Filters, Vienna days, errors by the field (never a 500), pages, CSV, permissions and
a query count that does not grow with the rows."""

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
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.equipment import qc_services
from nmguard.apps.equipment.models import Equipment, QCResult

pytestmark = pytest.mark.django_db

VIENNA = zoneinfo.ZoneInfo("Europe/Vienna")


def at(day: str, time: str = "08:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=VIENNA)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def programme(dept):
    """Meter 1 with its daily constancy, Camera 2 with its daily uniformity (both scheduled today)."""
    with acting_as(dept["physicist"], reason="fixture"):
        camera = Equipment.objects.create(name="Camera 2", kind="gamma_camera", location="Room 4")
    meter_constancy = qc_services.schedule_test(dept["meter"], "am-constancy", dept["physicist"])
    camera_uniformity = qc_services.schedule_test(camera, "gc-uniformity-daily", dept["physicist"])
    return {**dept, "camera": camera, "constancy": meter_constancy, "uniformity": camera_uniformity}


def result(world, schedule: str, performed_at: dt.datetime, outcome: str = "ok", value: float = 1.0) -> QCResult:
    with acting_as(world["technologist"], reason="fixture"):
        return QCResult.objects.create(
            schedule=world[schedule],
            performed_at=performed_at,
            performed_by=world["technologist"],
            value=value,
            unit="%",
            outcome=outcome,
        )


def shown(response) -> list[tuple[str, str]]:
    assert response.status_code == 200
    return [(r.schedule.equipment.name, r.outcome) for r in response.context["rows"]]


def test_qc_results_filter_by_device_outcome_text_and_vienna_days(programme):
    result(programme, "constancy", at("2026-03-10"), "ok")
    result(programme, "uniformity", at("2026-03-10", "23:30"), "action")  # 22:30 UTC, still the 10th in Vienna
    result(programme, "uniformity", at("2026-03-11", "00:30"), "tolerance")  # 23:30 UTC on the 10th
    client = client_for(programme["technologist"])
    camera = programme["camera"]

    everything = shown(client.get("/equipment/qc/results/"))
    assert everything == [("Camera 2", "tolerance"), ("Camera 2", "action"), ("Meter 1", "ok")]
    assert shown(client.get("/equipment/qc/results/", {"device": camera.pk})) == everything[:2]
    assert shown(client.get("/equipment/qc/results/", {"status": "action"})) == [("Camera 2", "action")]
    assert shown(client.get("/equipment/qc/results/", {"to": "2026-03-10"})) == everything[1:]
    assert shown(client.get("/equipment/qc/results/", {"from": "2026-03-11"})) == everything[:1]
    assert shown(client.get("/equipment/qc/results/", {"q": "constancy"})) == [("Meter 1", "ok")]
    assert shown(client.get("/equipment/qc/results/", {"q": "uniformity", "status": "ok"})) == []
    page = client.get("/equipment/qc/results/", {"device": camera.pk}).content.decode()
    assert 'data-device="Camera 2"' in page and 'data-device="Meter 1"' not in page


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "31/03/2026"}, "to"),
        ({"from": "2026-03-12", "to": "2026-03-01"}, "to"),
        ({"status": "fail"}, "status"),
        ({"device": "99999"}, "device"),
        ({"device": "camera"}, "device"),
    ],
)
def test_qc_results_bad_filter_is_an_error_by_its_field(programme, params, field):
    result(programme, "constancy", at("2026-03-10"))
    page = client_for(programme["physicist"]).get("/equipment/qc/results/", params)
    assert page.status_code == 200 and field in page.context["form"].errors
    assert shown(page) == [] and f'data-testid="error-{field}"' in page.content.decode()


def test_qc_results_page_and_csv(programme):
    for i in range(52):
        result(programme, "uniformity", at("2026-03-10") + dt.timedelta(minutes=i), value=float(i))
    result(programme, "constancy", at("2026-03-10"))
    client = client_for(programme["technologist"])
    first = client.get("/equipment/qc/results/", {"device": programme["camera"].pk})
    assert len(first.context["rows"]) == 50 and first.context["rows"][0].value == 51.0
    second = client.get("/equipment/qc/results/", {"device": programme["camera"].pk, "page": 2})
    assert [r.value for r in second.context["rows"]] == [1.0, 0.0]
    assert f"device={programme['camera'].pk}" in second.content.decode()

    rows = csv_rows(client.get("/equipment/qc/results/", {"device": programme["camera"].pk, "format": "csv"}))
    assert rows[0] == [
        "Performed",
        "Device",
        "Test",
        "Value",
        "Unit",
        "Outcome",
        "Performed by",
        "Approved by",
        "Comment",
    ]
    assert len(rows) == 53
    top = dict(zip(rows[0], rows[1], strict=True))
    assert top["Performed"] == "2026-03-10T08:51+01:00" and top["Device"] == "Camera 2"
    assert float(top["Value"]) == 51.0 and top["Outcome"] == "Within tolerance" and top["Approved by"] == ""


def test_register_filters_by_status_and_downloads(programme):
    camera = programme["camera"]
    with acting_as(programme["physicist"], reason="fixture"):
        camera.status = Equipment.Status.OUT_OF_SERVICE
        camera.save()
    client = client_for(programme["technologist"])
    out = client.get("/equipment/", {"status": "out_of_service"})
    assert [r.device.name for r in out.context["rows"]] == ["Camera 2"]
    assert 'data-device="Camera 2"' in out.content.decode() and 'data-device="Meter 1"' not in out.content.decode()
    assert [r.device.name for r in client.get("/equipment/", {"status": "clinical"}).context["rows"]] == ["Meter 1"]
    assert [r.device.name for r in client.get("/equipment/", {"q": "room 4"}).context["rows"]] == ["Camera 2"]
    bad = client.get("/equipment/", {"status": "broken"})
    assert bad.status_code == 200 and "status" in bad.context["form"].errors and bad.context["rows"] == []
    rows = csv_rows(client.get("/equipment/", {"status": "out_of_service", "format": "csv"}))
    assert rows[0][:4] == ["Device", "Kind", "Location", "Status"]
    assert rows[1][:4] == ["Camera 2", "Gamma camera", "Room 4", "Out of service"]
    assert rows[1][-1] == "Camera 2 is out of service" and len(rows) == 2


def _cards(client, params) -> dict[str, list[str]]:
    page = client.get("/equipment/qc/", params)
    assert page.status_code == 200
    return {c["d"].device.name: [i.schedule.test.catalogue_id for i in c["d"].items] for c in page.context["cards"]}


def test_qc_today_filters_overdue_and_due_today(programme):
    today = timezone.localdate()
    result(programme, "uniformity", timezone.now() - dt.timedelta(minutes=5))  # the camera's daily test is done
    client = client_for(programme["technologist"])
    assert _cards(client, {}) == {"Camera 2": ["gc-uniformity-daily"], "Meter 1": ["am-constancy"]}
    assert _cards(client, {"due": "today"}) == {"Meter 1": ["am-constancy"]}
    assert _cards(client, {"due": "overdue"}) == {}
    assert "Nothing overdue." in client.get("/equipment/qc/", {"due": "overdue"}).content.decode()
    # two days on, neither was done again: the meter's test is 2 days late, the camera's 1 day
    later = (today + dt.timedelta(days=2)).isoformat()
    assert _cards(client, {"day": later, "due": "overdue"}) == {
        "Camera 2": ["gc-uniformity-daily"],
        "Meter 1": ["am-constancy"],
    }
    assert _cards(client, {"day": later, "due": "today"}) == {}
    bad = client.get("/equipment/qc/", {"due": "soon"})
    assert bad.status_code == 200 and bad.context["cards"] == []
    assert 'data-testid="error-due"' in bad.content.decode()


@pytest.mark.parametrize("path", ["/equipment/qc/results/", "/equipment/", "/equipment/qc/"])
def test_lists_need_the_equipment_view_permission(programme, path):
    assert Client().get(path).status_code == 302
    with acting_as(programme["administrator"], reason="fixture"):
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
def test_qc_result_list_query_count_does_not_grow_with_the_rows(programme, make_user, fmt):
    client = client_for(programme["technologist"])
    physicist2 = make_user("physicist", "phys-approver")
    for i in range(5):
        result(programme, "constancy", at("2026-03-10") + dt.timedelta(minutes=i))
    few = _queries(client, "/equipment/qc/results/" + fmt)
    for i in range(45):
        r = result(programme, "uniformity", at("2026-03-11") + dt.timedelta(minutes=i), outcome="tolerance")
        with acting_as(physicist2, reason="fixture"):
            QCResult.objects.filter(pk=r.pk).update(approved_by=physicist2)
    assert _queries(client, "/equipment/qc/results/" + fmt) == few
