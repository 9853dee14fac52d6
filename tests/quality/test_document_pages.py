"""Document-control pages (issue 16 item 5): the quality manager creates a document and a draft and approves
it by e-signature (a wrong password by its field; others refused); the approved version is linked from the
QC page by {% current_sop %}; a technologist acknowledges it from the dashboard's item; read-only may not;
the review due shows on the quality manager's dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD


@pytest.fixture
def people(make_user):
    roles = ("quality_manager", "technologist", "read_only", "administrator")
    return {role: make_user(role, f"{role}-d") for role in roles}


def test_create_draft_approve_acknowledge(client, people):
    from nmguard.apps.quality.document_models import ControlledDocument, DocumentVersion

    qm, tech = people["quality_manager"], people["technologist"]
    client.force_login(tech)
    assert client.get("/quality/documents/new/").status_code == 403
    client.force_login(qm)
    bad = client.post("/quality/documents/new/", {"number": "", "title": "QC", "kind": "sop"})
    assert bad.status_code == 400 and 'data-field="number"' in bad.content.decode()
    made = client.post(
        "/quality/documents/new/",
        {
            "number": "SOP-QC-001",
            "title": "Daily QC",
            "kind": "sop",
            "task": "qc-entry",
            "applies_to": ["technologist"],
        },
    )
    doc = ControlledDocument.objects.get(number="SOP-QC-001")
    assert made.status_code == 302 and doc.applies_to == ["technologist"]
    empty = client.post(f"/quality/documents/{doc.pk}/", {"text": "", "change_summary": ""})
    assert empty.status_code == 400 and 'data-field="text"' in empty.content.decode()
    client.post(f"/quality/documents/{doc.pk}/", {"text": "Flood the camera daily.", "change_summary": "first"})
    version = DocumentVersion.objects.get(document=doc)
    url = f"/quality/documents/versions/{version.pk}/"
    assert "No approved SOP for qc-entry" in client.get("/equipment/qc/").content.decode()  # a draft is not current

    client.force_login(people["administrator"])  # every permission, not the quality manager's role
    assert client.post(url, {"action": "approve", "password": PASSWORD}).status_code == 403
    client.force_login(qm)
    wrong = client.post(url, {"action": "approve", "password": "nope"})
    assert wrong.status_code == 400 and 'data-field="password"' in wrong.content.decode()
    assert client.post(url, {"action": "approve", "password": PASSWORD}).status_code == 302
    version.refresh_from_db()
    assert version.status == "current" and version.approval.meaning == "approved"

    qc = client.get("/equipment/qc/").content.decode()
    assert f'href="{url}"' in qc and "SOP-QC-001 Daily QC (version 1)" in qc

    client.force_login(tech)
    assert "To acknowledge: SOP-QC-001 Daily QC" in client.get("/").content.decode()
    assert client.post(url, {"action": "acknowledge"}).status_code == 302
    assert version.acknowledgements.get().user == tech
    again = client.post(url, {"action": "acknowledge"})
    assert again.status_code == 400 and "already" in again.content.decode()
    assert "To acknowledge: SOP-QC-001" not in client.get("/").content.decode()
    client.force_login(people["read_only"])
    assert client.post(url, {"action": "acknowledge"}).status_code == 403
    assert client.get("/quality/documents/").status_code == 200  # reads the register


@pytest.mark.parametrize("days, shown", [(-1, "Document review overdue"), (10, "Document review due"), (40, None)])
def test_review_due_on_the_quality_managers_dashboard(client, people, days, shown):
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.quality import document_services as s

    qm = people["quality_manager"]
    doc = s.create_document({"number": "SOP-1", "title": "Spill", "applies_to": []}, qm)
    version = s.approve_version(s.add_version(doc, qm, text="t"), qm, PASSWORD)
    version.review_due_on = timezone.localdate() + dt.timedelta(days=days)
    with acting_as(qm, reason="test: review date"):
        version.save()
    client.force_login(qm)
    html = client.get("/").content.decode()
    if shown:
        assert f"{shown}: SOP-1 Spill" in html
    else:
        assert "Document review" not in html
    client.force_login(people["technologist"])
    assert "Document review" not in client.get("/").content.decode()  # the quality manager's work
