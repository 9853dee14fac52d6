"""A device's service log on its page (issue 12 mending: the admin had been the only way to write it, and
it became read-only for clinical records). Entries are added with checks and audited, never edited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from nmguard.apps.core.models import AuditEvent
from nmguard.apps.equipment.models import ServiceLogEntry

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _entry(**changes) -> dict:
    return {
        "performed_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "kind": "repair",
        "description": "Photomultiplier 12 replaced; energy and uniformity calibration redone",
        "performed_by": "Vendor field engineer A. Smith",
    } | changes


def test_a_technologist_adds_a_repair_and_it_is_listed_and_audited(dept):
    meter = dept["meter"]
    client = _client(dept["technologist"])
    response = client.post(f"/equipment/{meter.pk}/service-log/", _entry())
    assert response.status_code == 302
    entry = ServiceLogEntry.objects.get(equipment=meter)
    assert entry.kind == "repair" and entry.performed_by == "Vendor field engineer A. Smith"
    event = AuditEvent.objects.get(model_label="equipment.ServiceLogEntry", object_id=str(entry.pk))
    assert event.action == "create" and event.actor == dept["technologist"] and event.reason == "service log entry"
    page = client.get(response["Location"]).content.decode()
    assert "Photomultiplier 12 replaced" in page and "service-log-form" in page
    register = client.get("/equipment/").content.decode()
    assert f"/equipment/{meter.pk}/service-log/" in register and "Repair" in register


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"performed_on": ""}, "performed_on"),  # left untouched
        ({"performed_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "performed_on"),
        ({"performed_on": "0202-05-01"}, "performed_on"),  # year typed wrong
        ({"kind": "magic"}, "kind"),
        ({"description": "   "}, "description"),
        ({"performed_by": ""}, "performed_by"),
    ],
)
def test_a_wrong_entry_is_refused_by_its_field_and_nothing_is_stored(dept, changes, field):
    response = _client(dept["physicist"]).post(f"/equipment/{dept['meter'].pk}/service-log/", _entry(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ServiceLogEntry.objects.exists()


def test_a_physician_reads_the_log_but_may_not_add(dept):
    meter = dept["meter"]
    client = _client(dept["physician"])
    page = client.get(f"/equipment/{meter.pk}/service-log/")
    assert page.status_code == 200 and "service-log-form" not in page.content.decode()
    assert client.post(f"/equipment/{meter.pk}/service-log/", _entry()).status_code == 403
    assert not ServiceLogEntry.objects.exists()
