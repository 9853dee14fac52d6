"""A device's page (/equipment/<pk>/): status, QC history with trends, lock-outs and returns from the audit
trail, service log, monthly QC reports; linked from the register and from a QC result."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from tests.conftest import PASSWORD
from tests.department import now_minute

pytestmark = pytest.mark.django_db


@pytest.fixture
def camera(dept):
    from nmguard.apps.equipment import qc_services
    from nmguard.apps.equipment.models import Equipment

    with acting_as(dept["physicist"], reason="fixture"):
        device = Equipment.objects.create(name="Camera A", kind="gamma_camera", serial_number="GC-77")
    schedule = qc_services.schedule_test(device, "gc-uniformity-daily", dept["physicist"])
    return device, schedule


def _page(user, device) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("equipment-device", args=[device.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</section>', html, re.S)
    assert match, testid
    return match.group(0)


def test_lock_out_and_return_are_listed_with_who_and_why_and_the_state_follows(dept, camera):
    from nmguard.apps.equipment import qc_services

    device, schedule = camera
    at = now_minute()
    qc_services.record_result(
        schedule, performed_at=at - dt.timedelta(minutes=30), user=dept["technologist"], value=7.5, unit="%"
    )  # integral uniformity 7.5 % > the 5 % action level
    html = _page(dept["technologist"], device)
    assert "Out of service" in _section(html, "device-status")
    assert "after an action-level QC result" in _section(html, "device-status")
    changes = _section(html, "device-status-changes")
    assert changes.count('data-testid="status-change"') == 1
    assert "Clinical use → Out of service" in changes and "QC action level" in changes

    qc_services.record_result(
        schedule, performed_at=at - dt.timedelta(minutes=10), user=dept["technologist"], value=3.0, unit="%"
    )
    assert "eligible for return" in _section(_page(dept["technologist"], device), "device-status")
    qc_services.return_to_service(device, physicist=dept["physicist"], password=PASSWORD, reason="PMT retuned")
    html = _page(dept["physician"], device)
    assert re.search(r'data-testid="device-state">In service<', html)
    changes = _section(html, "device-status-changes")
    assert changes.count('data-testid="status-change"') == 2
    first, second = re.findall(r'data-testid="status-change">(.*?)</tr>', changes, re.S)  # newest first
    assert "Out of service → Clinical use" in first and "PMT retuned" in first and "physicist" in first
    assert "Clinical use → Out of service" in second


def test_qc_history_has_a_trend_per_test_and_links_each_result(dept, camera):
    from nmguard.apps.equipment import qc_services

    device, schedule = camera
    qc_services.schedule_test(device, "gc-cor", dept["physicist"])  # no result yet: no chart, said so
    at = now_minute()
    results = [
        qc_services.record_result(
            schedule, performed_at=at - dt.timedelta(days=d), user=dept["technologist"], value=2.0 + d / 10, unit="%"
        )
        for d in (3, 2, 1)
    ]
    html = _page(dept["technologist"], device)
    qc = _section(html, "device-qc")
    assert qc.count('data-testid="device-trend"') == 2
    assert qc.count("<svg") == 1 and "No result yet." in qc
    assert "3 results" in qc
    for r in results:
        assert reverse("qc-result", args=[r.pk]) in qc
    assert reverse("qc-schedule", args=[schedule.pk]) in qc


def test_service_log_documents_and_not_in_use(dept, camera):
    from nmguard.apps.equipment import qc_services, service_log

    device, schedule = camera
    today = timezone.localdate()
    service_log.add_entry(
        device,
        performed_on=today - dt.timedelta(days=2),
        kind="repair",
        description="Detector 2 PMT replaced",
        performed_by="Vendor Service",
        user=dept["technologist"],
    )
    qc_services.record_result(schedule, performed_at=now_minute(), user=dept["technologist"], value=2.0, unit="%")
    qc_services.exempt_today(device, today, "camera room being painted", dept["technologist"])
    html = _page(dept["technologist"], device)
    assert "Not in use today" in _section(html, "device-status")
    assert "camera room being painted" in _section(html, "device-status-changes")
    service = _section(html, "device-service")
    assert "Detector 2 PMT replaced" in service and reverse("equipment-service-log", args=[device.pk]) in service
    docs = _section(html, "device-documents")
    assert reverse("qc-report", args=[device.pk, today.year, today.month]) in docs


def test_unknown_device_is_404_and_the_register_and_qc_pages_link_to_the_device(dept, camera):
    from nmguard.apps.equipment import qc_services

    device, schedule = camera
    client = Client()
    client.force_login(dept["technologist"])
    assert client.get("/equipment/999999/").status_code == 404
    assert client.get("/equipment/99999999999999999999/").status_code == 404
    url = reverse("equipment-device", args=[device.pk])
    assert f'href="{url}"' in client.get(reverse("equipment")).content.decode()
    result = qc_services.record_result(
        schedule, performed_at=now_minute(), user=dept["technologist"], value=2.0, unit="%"
    )
    assert f'href="{url}"' in client.get(reverse("qc-result", args=[result.pk])).content.decode()
    assert f'href="{url}"' in client.get(reverse("qc-schedule", args=[schedule.pk])).content.decode()
    assert f'href="{url}"' in client.get(reverse("qc-today")).content.decode()


def test_device_page_needs_the_view_permission(dept, camera, make_user):
    device, _ = camera
    nobody = make_user("read_only", "reader")
    with acting_as(dept["administrator"], reason="fixture: a user without a role"):
        nobody.groups.clear()
    client = Client()
    client.force_login(nobody)
    assert client.get(reverse("equipment-device", args=[device.pk])).status_code == 403
