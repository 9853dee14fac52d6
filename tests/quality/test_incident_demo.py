"""The demo's incidents and actions (issue 16 item 3) and the anonymised export read against it (item 1): no
patient name or MRN, no staff name or username, nothing finer than the month, no free text not marked shareable."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import timezone


@pytest.fixture
def demo(db):
    from nmguard.apps.core.demo import load_demo

    assert load_demo()


def test_demo_year_of_incidents_and_actions(demo):
    from nmguard.apps.protection.event_models import ProtectionEvent
    from nmguard.apps.quality.capa_models import CorrectiveAction, Notification
    from nmguard.apps.quality.incident_models import Incident

    incidents = Incident.objects.all()
    assert 25 <= incidents.count() <= 35
    today = timezone.localdate()
    days = [(today - timezone.localtime(i.occurred_at).date()).days for i in incidents]
    assert min(days) >= 1 and max(days) <= 366
    assert len({i.stage for i in incidents}) == 8 and len({i.severity for i in incidents}) == 5
    assert incidents.filter(status="closed").exists() and incidents.filter(status="reported").exists()
    assert all(i.closure.meaning == "closed" for i in incidents.filter(status="closed"))
    linked = incidents.exclude(protection_event=None).get()
    assert ProtectionEvent.objects.get(pk=linked.protection_event_id).incident_ref == linked.reference
    actions = CorrectiveAction.objects.filter(source="incident")
    assert actions.filter(status="closed").exists() and actions.filter(status="open", due_on__gte=today).exists()
    overdue = actions.filter(status="open", due_on__lt=today)
    assert overdue.exists() and Notification.objects.filter(action__in=overdue).exists()


def _forbidden() -> list[str]:
    """Every patient and staff name and identifier the demo holds (full names: the demo's family names include
    plain words such as "Patient" that the shareable text may use as words)."""
    from django.contrib.auth import get_user_model

    from nmguard.apps.patients.models import Patient

    words = []
    for p in Patient.objects.all():
        words += [
            p.mrn,
            f"{p.given_name} {p.family_name}",
            f"{p.family_name}, {p.given_name}",
            p.birth_date.isoformat(),
        ]
    for u in get_user_model().objects.all():
        words += [u.username, u.get_full_name(), getattr(u, "display_name", ""), u.email]
    return [w for w in words if w and len(w) > 2]


def test_export_is_anonymous(demo, client, make_user):
    from nmguard.apps.quality.incident_models import Incident

    client.force_login(make_user("read_only", "inspector-x"))
    as_csv = client.get("/quality/incidents/export/", {"format": "csv"}).content.decode()
    as_json = client.get("/quality/incidents/export/", {"format": "json"}).content.decode()
    for text in (as_csv, as_json):
        for word in _forbidden():
            assert not re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE), word
        assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no day, only months
        for i in Incident.objects.all():
            assert i.location not in text
    rows = json.loads(as_json)["incidents"]
    assert len(rows) == Incident.objects.count()
    hidden = [r for r in rows if not Incident.objects.get(reference=r["reference"]).shareable]
    assert hidden and all(r["description"] == r["immediate_action"] == r["root_cause"] == "" for r in hidden)
    shared = [r for r in rows if r["description"]]
    assert shared and all(re.fullmatch(r"\d{4}-\d{2}", r["month"]) for r in rows)
