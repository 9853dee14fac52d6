"""Protection event pages (issue 15 item 7): record (errors by their field, a future time refused), list with
the status filter, detail with the people involved, close by e-signature (a wrong password by its field),
nothing deleted, every change audited, who may record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD


@pytest.fixture
def rpo(make_user):
    return make_user("rpo", "rpo1")


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_event_lifecycle(client, rpo):
    from nmguard.apps.core.models import AuditEvent
    from nmguard.apps.protection.dose_import import import_readings
    from nmguard.apps.protection.event_models import ProtectionEvent
    from nmguard.apps.protection.models import Worker

    import_readings(
        "worker_id,name,dosimeter,period_start,period_end,hp10_mSv,hp007_mSv,hp3_mSv\n"
        "N1,Nora Nurse,whole_body,2026-01-01,2026-01-31,0.1,,\n",
        "s.csv",
        rpo,
    )
    nurse = Worker.objects.get(worker_id="N1")
    client.force_login(rpo)
    assert client.get("/protection/events/new/").status_code == 200
    earlier = timezone.now() - dt.timedelta(hours=3)
    form = {
        "kind": "spill",
        "occurred_at": _local(earlier),
        "location": "Hot lab, dispensing station",
        "description": "Tc-99m vial dropped, about 400 MBq on the floor",
        "workers": [nurse.pk],
        "estimated_dose_mSv": "0.02",
        "actions": "",
    }
    missing = client.post("/protection/events/new/", {**form, "location": "", "kind": ""})
    html = missing.content.decode()
    assert missing.status_code == 400 and 'data-field="location"' in html and 'data-field="kind"' in html
    future = client.post(
        "/protection/events/new/", {**form, "occurred_at": _local(timezone.now() + dt.timedelta(days=2))}
    )
    assert future.status_code == 400 and 'data-field="occurred_at"' in future.content.decode()
    negative = client.post("/protection/events/new/", {**form, "estimated_dose_mSv": "-1"})
    assert negative.status_code == 400 and 'data-field="estimated_dose_mSv"' in negative.content.decode()
    assert ProtectionEvent.objects.count() == 0

    made = client.post("/protection/events/new/", form)
    event = ProtectionEvent.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/protection/events/{event.pk}/"
    assert list(event.workers.all()) == [nurse] and event.reported_by == rpo and event.status == "open"
    detail = client.get(f"/protection/events/{event.pk}/").content.decode()
    assert "Nora Nurse (N1)" in detail and 'data-testid="close-event-form"' in detail and "not linked" in detail
    listed = client.get("/protection/events/", {"status": "open"}).content.decode()
    assert f'data-event="{event.pk}" data-status="open"' in listed
    assert f'data-event="{event.pk}"' not in client.get("/protection/events/", {"status": "closed"}).content.decode()

    wrong = client.post(f"/protection/events/{event.pk}/", {"actions": "floor decontaminated", "password": "no"})
    assert wrong.status_code == 400 and 'data-field="password"' in wrong.content.decode()
    no_actions = client.post(f"/protection/events/{event.pk}/", {"actions": "", "password": PASSWORD})
    assert no_actions.status_code == 400 and 'data-field="actions"' in no_actions.content.decode()
    closed = client.post(f"/protection/events/{event.pk}/", {"actions": "floor decontaminated", "password": PASSWORD})
    assert closed.status_code == 302
    event.refresh_from_db()
    assert event.status == "closed" and event.closed_by == rpo and event.closure.meaning == "closed"
    detail = client.get(f"/protection/events/{event.pk}/").content.decode()
    assert 'data-status="closed"' in detail and "close-event-form" not in detail
    actions = set(
        AuditEvent.objects.filter(model_label="protection.ProtectionEvent", object_id=str(event.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"create", "update", "sign", "sign_failed"} <= actions, actions


def test_who_may_record(client, rpo, make_user):
    from nmguard.apps.protection import event_records

    event = event_records.record_event(
        {"kind": "other", "occurred_at": timezone.now(), "location": "Corridor", "description": "trolley"}, rpo
    )
    client.force_login(make_user("technologist", "tech1"))
    assert client.get("/protection/events/").status_code == 200
    refused = client.get("/protection/events/new/")
    assert refused.status_code == 403 and "Radiation protection officer" in refused.content.decode()
    page = client.get(f"/protection/events/{event.pk}/").content.decode()
    assert "close-event-form" not in page
    closing = client.post(f"/protection/events/{event.pk}/", {"actions": "x", "password": PASSWORD})
    assert closing.status_code == 403
    event.refresh_from_db()
    assert event.status == "open"
    client.force_login(make_user("physicist", "phys1"))
    assert client.get("/protection/events/new/").status_code == 200
