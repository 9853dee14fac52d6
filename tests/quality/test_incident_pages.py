"""Incident pages (issue 16 item 1): the report form (errors by field), roles (read-only cannot report, a
technologist reports but does not investigate), investigation with links (the protection event's incident_ref
filled), an action raised, closure by e-signature, every change audited, nothing deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _form(**over) -> dict:
    values = {
        "description": "Syringe label showed 370 MBq, calibrator read 555 MBq; caught before injection",
        "occurred_at": _local(timezone.now() - dt.timedelta(hours=1)),
        "location": "Hot lab",
        "stage": "preparation",
        "severity": "near_miss",
        "near_miss": "yes",
        "immediate_action": "Dose redrawn and re-measured",
    }
    return {**values, **over}


def test_report_form_errors_by_field(client, tech):
    from nmguard.apps.quality.incident_models import Incident

    client.force_login(tech)
    assert client.get("/quality/incidents/new/").status_code == 200
    missing = client.post("/quality/incidents/new/", _form(description="", stage="", near_miss=""))
    html = missing.content.decode()
    assert missing.status_code == 400
    for field in ("description", "stage", "near_miss"):
        assert f'data-field="{field}"' in html, field
    future = client.post("/quality/incidents/new/", _form(occurred_at=_local(timezone.now() + dt.timedelta(days=1))))
    assert future.status_code == 400 and 'data-field="occurred_at"' in future.content.decode()
    unknown = client.post("/quality/incidents/new/", _form(stage="parking"))
    assert unknown.status_code == 400 and 'data-field="stage"' in unknown.content.decode()
    clash = client.post("/quality/incidents/new/", _form(severity="moderate"))  # a near miss cannot be "moderate"
    assert clash.status_code == 400 and 'data-field="severity"' in clash.content.decode()
    assert Incident.objects.count() == 0
    made = client.post("/quality/incidents/new/", _form())
    incident = Incident.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/quality/incidents/{incident.pk}/"
    year = timezone.localtime(incident.occurred_at).year
    assert incident.reference == f"IR-{year}-001" and incident.reported_by == tech and incident.near_miss
    again = client.post(
        "/quality/incidents/new/", _form(description="Vial cracked in the shield", severity="minor", near_miss="no")
    )
    assert again.status_code == 302 and Incident.objects.order_by("pk").last().reference == f"IR-{year}-002"


def test_roles(client, make_user, tech):
    from nmguard.apps.quality.incident_models import Incident

    reader = make_user("read_only", "inspector")
    client.force_login(reader)
    assert client.get("/quality/incidents/new/").status_code == 403
    assert client.post("/quality/incidents/new/", _form()).status_code == 403
    assert client.get("/quality/incidents/").status_code == 200
    client.force_login(tech)
    client.post("/quality/incidents/new/", _form())
    incident = Incident.objects.get()
    page = client.get(f"/quality/incidents/{incident.pk}/").content.decode()
    assert "investigation-form" not in page
    refused = client.post(
        f"/quality/incidents/{incident.pk}/investigation/", {"root_cause": "no second check", "factors": ["procedure"]}
    )
    assert refused.status_code == 403
    incident.refresh_from_db()
    assert incident.status == "reported" and incident.root_cause == ""


def test_investigation_links_action_and_closure(client, qm, tech, make_user):
    from nmguard.apps.core.models import AuditEvent
    from nmguard.apps.protection.event_records import record_event
    from nmguard.apps.quality.capa_models import CorrectiveAction
    from nmguard.apps.quality.incident_models import Incident

    rpo = make_user("rpo", "rpo1")
    event = record_event(
        {
            "kind": "spill",
            "occurred_at": timezone.now() - dt.timedelta(hours=2),
            "location": "Hot lab",
            "description": "vial dropped",
        },
        rpo,
    )
    client.force_login(tech)
    client.post("/quality/incidents/new/", _form(severity="minor", near_miss="no"))
    incident = Incident.objects.get()
    client.force_login(qm)
    url = f"/quality/incidents/{incident.pk}/"
    early = client.post(url + "close/", {"password": PASSWORD})
    assert early.status_code == 400 and 'data-field="password"' in early.content.decode()
    bad = client.post(url + "investigation/", {"root_cause": "", "factors": ["procedure"]})
    assert bad.status_code == 400 and 'data-field="root_cause"' in bad.content.decode()
    done = client.post(
        url + "investigation/",
        {
            "root_cause": "No independent check of the drawn activity",
            "factors": ["procedure", "workload"],
            "lessons": "",
            "protection_event": event.pk,
        },
    )
    assert done.status_code == 302
    incident.refresh_from_db()
    event.refresh_from_db()
    assert incident.status == "investigating" and incident.factors == ["procedure", "workload"]
    assert incident.protection_event == event and event.incident_ref == incident.reference
    no_lessons = client.post(url + "close/", {"password": PASSWORD})  # no lessons and no action yet
    assert no_lessons.status_code == 400 and 'data-field="password"' in no_lessons.content.decode()
    past = client.post(
        url + "action/",
        {
            "title": "Second check",
            "kind": "corrective",
            "owner": tech.pk,
            "due_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert past.status_code == 400 and 'data-field="due_on"' in past.content.decode()
    raised = client.post(
        url + "action/",
        {
            "title": "Second check",
            "kind": "corrective",
            "owner": tech.pk,
            "due_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert raised.status_code == 302
    action = CorrectiveAction.objects.get()
    assert action.source == "incident" and action.source_ref == incident.reference and action.owner == tech
    assert f'data-action="{action.pk}"' in client.get(url).content.decode()
    wrong = client.post(url + "close/", {"password": "nope"})
    assert wrong.status_code == 400 and 'data-field="password"' in wrong.content.decode()
    closed = client.post(url + "close/", {"password": PASSWORD})
    assert closed.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.closure.meaning == "closed" and incident.closed_by == qm
    page = client.get(url).content.decode()
    assert 'data-status="closed"' in page and "investigation-form" not in page
    late = client.post(url + "investigation/", {"root_cause": "changed", "factors": []})
    assert late.status_code == 400
    reasons = list(AuditEvent.objects.values_list("reason", flat=True))
    assert any(r == f"incident {incident.reference} closed" for r in reasons)
    assert any(r.startswith("incident reported") for r in reasons)
    with pytest.raises(PermissionError):
        incident.delete()


def test_list_filters(client, tech):
    client.force_login(tech)
    client.post("/quality/incidents/new/", _form())
    client.post(
        "/quality/incidents/new/",
        _form(description="Waste bag over the limit", stage="waste", severity="minor", near_miss="no"),
    )
    html = client.get("/quality/incidents/", {"stage": "waste"}).content.decode()
    assert html.count("data-incident=") == 1 and "Radioactive waste" in html
    assert client.get("/quality/incidents/", {"severity": "near_miss"}).content.decode().count("data-incident=") == 1
