"""Incident and action API (issue 16 item 3): report (422 naming the field, 403 for read-only), investigate,
raise an action, close by e-signature; action steps; the anonymised export; the escalation run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD

BASE = "/api/v1/quality"


def _post(client, url, body):
    return client.post(BASE + url, body, content_type="application/json")


def _report(**over) -> dict:
    body = {
        "occurred_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "location": "Injection room 2",
        "stage": "administration",
        "severity": "minor",
        "near_miss": False,
        "description": "Partial extravasation of the bone-scan injection",
        "immediate_action": "Arm elevated, warm compress, physician informed",
    }
    return {**body, **over}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stage": "lunch"}, "stage"),
        ({"severity": "catastrophic"}, "severity"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2999-01-01T00:00:00+00:00"}, "occurred_at"),
        ({"location": ""}, "location"),
        ({"description": "x\x00y"}, "description"),
        ({"protection_event": 999999}, "protection_event"),
        ({"qc_result": 2**70}, "qc_result"),
    ],
)
def test_bad_report_is_422_with_the_field(client, tech, change, field):
    client.force_login(tech)
    r = _post(client, "/incidents", _report(**change))
    assert r.status_code == 422, r.content
    assert field in r.content.decode()


def test_lifecycle_over_the_api(client, qm, tech, make_user):
    client.force_login(make_user("read_only", "inspector"))
    assert _post(client, "/incidents", _report()).status_code == 403
    client.force_login(tech)
    made = _post(client, "/incidents", _report())
    assert made.status_code == 201
    incident = made.json()
    assert incident["reference"].startswith("IR-") and incident["status"] == "reported"
    refused = _post(client, f"/incidents/{incident['id']}/investigation", {"root_cause": "x"})
    assert refused.status_code == 422 and "user" in refused.content.decode()

    client.force_login(qm)
    bad = _post(client, f"/incidents/{incident['id']}/investigation", {"root_cause": "x", "factors": ["luck"]})
    assert bad.status_code == 422 and "factors" in bad.content.decode()
    ok = _post(
        client,
        f"/incidents/{incident['id']}/investigation",
        {"root_cause": "Cannula not flushed before injection", "factors": ["procedure"], "lessons": "Flush first"},
    )
    assert ok.status_code == 200 and ok.json()["status"] == "investigating"
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    bad_due = _post(client, f"/incidents/{incident['id']}/actions", {"title": "t", "owner": "tech1", "due_on": "soon"})
    assert bad_due.status_code == 422 and "due_on" in bad_due.content.decode()
    nobody = _post(client, f"/incidents/{incident['id']}/actions", {"title": "t", "owner": "ghost", "due_on": due})
    assert nobody.status_code == 422 and "owner" in nobody.content.decode()
    action = _post(
        client, f"/incidents/{incident['id']}/actions", {"title": "Flush check in SOP", "owner": "tech1", "due_on": due}
    ).json()
    assert action["source_ref"] == incident["reference"] and action["status"] == "open"

    steps = f"/actions/{action['id']}/steps"
    assert _post(client, steps, {"step": "close", "password": PASSWORD}).status_code == 422  # not done yet
    assert _post(client, steps, {"step": "jump"}).status_code == 422
    client.force_login(tech)
    assert _post(client, steps, {"step": "done", "note": "SOP 12 revised"}).json()["status"] == "done"
    client.force_login(qm)
    assert _post(client, steps, {"step": "effectiveness", "effectiveness_check": "10 injections observed",
                                 "effective": True}).json()["effective"] is True  # fmt: skip
    wrong = _post(client, steps, {"step": "close", "password": "nope"})
    assert wrong.status_code == 422 and "password" in wrong.content.decode()
    closed = _post(client, steps, {"step": "close", "password": PASSWORD}).json()
    assert closed["status"] == "closed" and closed["closed"] is True
    shut = _post(client, f"/incidents/{incident['id']}/close", {"password": PASSWORD})
    assert shut.status_code == 200 and shut.json()["status"] == "closed"
    assert client.get(BASE + "/actions", {"status": "closed"}).json()[0]["id"] == action["id"]
    assert client.get(BASE + "/actions", {"status": "odd"}).status_code == 422
    exported = client.get(BASE + "/incidents/export").json()
    assert exported[0]["actions_raised"] == 1 and exported[0]["description"] == ""  # not marked shareable
    assert _post(client, "/actions/escalate", {}).json() == {"overdue_actions": 0, "notifications_created": 0}
    assert client.get(BASE + "/incidents/99999999999999999999").status_code == 404
