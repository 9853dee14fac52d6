"""CAPA pages (issue 16 item 2): raise (errors by field), the list's status/owner/overdue filters, the steps on
the record page (a refused close shown by the password field, an ineffective check reopening, cancel needing a
reason), nothing deleted."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.conftest import PASSWORD


def _due(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_raise_filter_and_steps(client, qm, tech):
    from nmguard.apps.quality.capa_models import CorrectiveAction

    client.force_login(qm)
    form = {"title": "Calibrate the well counter", "kind": "preventive", "owner": tech.pk, "due_on": _due(5),
            "source": "audit", "source_ref": "AUD-3"}  # fmt: skip
    bad = client.post("/quality/actions/new/", {**form, "title": "", "due_on": _due(-2)})
    assert bad.status_code == 400 and 'data-field="title"' in bad.content.decode()
    past = client.post("/quality/actions/new/", {**form, "due_on": _due(-2)})
    assert past.status_code == 400 and 'data-field="due_on"' in past.content.decode()
    made = client.post("/quality/actions/new/", form)
    action = CorrectiveAction.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/quality/actions/{action.pk}/"
    from nmguard.apps.core.actor import acting_as

    with acting_as(qm, reason="test: an action raised earlier"):
        other = CorrectiveAction.objects.create(
            title="Old one", source="review", owner=qm, due_on=timezone.localdate() - dt.timedelta(days=3)
        )

    listed = client.get("/quality/actions/", {"overdue": "1"}).content.decode()
    assert f'data-action="{other.pk}"' in listed and f'data-action="{action.pk}"' not in listed
    mine = client.get("/quality/actions/", {"owner": str(tech.pk)}).content.decode()
    assert f'data-action="{action.pk}"' in mine and f'data-action="{other.pk}"' not in mine
    assert client.get("/quality/actions/", {"owner": "9" * 30}).status_code == 200

    url = f"/quality/actions/{action.pk}/"
    early = client.post(url + "close/", {"password": PASSWORD})
    assert early.status_code == 400 and 'data-field="password"' in early.content.decode()
    assert client.post(url + "done/", {"note": "done"}).status_code == 302
    check = client.post(url + "effectiveness/", {"effectiveness_check": "", "effective": "yes"})
    assert check.status_code == 400 and 'data-field="effectiveness_check"' in check.content.decode()
    client.post(url + "effectiveness/", {"effectiveness_check": "Drift still seen", "effective": "no"})
    action.refresh_from_db()
    assert action.status == "open" and action.effective is False
    client.post(url + "done/", {"note": "source replaced"})
    client.post(url + "effectiveness/", {"effectiveness_check": "Constancy within 2 % for a month", "effective": "yes"})
    wrong = client.post(url + "close/", {"password": "nope"})
    assert wrong.status_code == 400 and 'data-field="password"' in wrong.content.decode()
    assert client.post(url + "close/", {"password": PASSWORD}).status_code == 302
    action.refresh_from_db()
    assert action.status == "closed" and action.closure.meaning == "closed"
    assert "signed by" in client.get(url).content.decode()

    cancel = client.post(f"/quality/actions/{other.pk}/cancel/", {"reason": ""})
    assert cancel.status_code == 400 and 'data-field="reason"' in cancel.content.decode()
    assert (
        client.post(f"/quality/actions/{other.pk}/cancel/", {"reason": "superseded by the audit's action"}).status_code
        == 302
    )
    other.refresh_from_db()
    assert other.status == "cancelled" and CorrectiveAction.objects.count() == 2
    client.force_login(tech)  # a technologist may mark done but not close or cancel
    refused = client.post(f"/quality/actions/{action.pk}/cancel/", {"reason": "x"})
    assert refused.status_code == 400 and "needs the role" in refused.content.decode()
