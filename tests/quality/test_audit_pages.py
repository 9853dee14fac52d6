"""Audit pages and API: the quality manager runs an audit through the pages (start, answer, evidence, finding →
CAPA, finalise by e-signature) and every POST is refused to other roles; the API's bad input is 422 naming the
field; the clinical-audit pages show the definition and the loop."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD

API = "/api/v1/quality"


@pytest.fixture
def qm(make_user):
    return make_user("quality_manager", "qm-pages")


def _post(client, url, body):
    return client.post(API + url, body, content_type="application/json")


def test_an_audit_through_the_pages(client, qm):
    from nmguard.apps.quality.audit_models import Audit
    from nmguard.apps.quality.capa_models import CorrectiveAction
    from nmguard.reference.audit_checklists import shipped_checklists

    client.force_login(qm)
    page = client.get("/quality/audits/")
    assert page.status_code == 200 and b"Start an audit" in page.content
    from nmguard.apps.quality.audit_models import AuditChecklist

    checklist = AuditChecklist.objects.get(key="nmguard-sample")
    bad = client.post("/quality/audits/", {"action": "start", "checklist": checklist.pk, "mode": "self",
                                           "audited_on": timezone.localdate().isoformat(), "auditors": ""})  # fmt: skip
    assert bad.status_code == 400 and b'data-field="auditors"' in bad.content
    start = {"action": "start", "checklist": checklist.pk, "mode": "self", "audited_on": timezone.localdate()}
    r = client.post("/quality/audits/", start | {"auditors": "Q. M."})
    audit = Audit.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/quality/audits/{audit.pk}/"
    url = r["Location"]
    for _, item in shipped_checklists()["nmguard-sample"].items():
        level = "1" if item.id == "2.2" else "na" if item.id == "4.2" else "4"
        r = client.post(url, {"action": "answer", "item": item.id, f"a{item.id}-item_id": item.id,
                              f"a{item.id}-level": level, f"a{item.id}-comment": "seen"})  # fmt: skip
        assert r.status_code == 302, r.content[:300]
    page = client.get(url)
    assert b"conformance per section" in page.content and b"<svg" in page.content
    assert b'data-testid="section-2">81.3 %' in page.content  # (4 + 1 + 4 + 4) / 16 = 81.25 %
    assert b"2.2 (level 1)" in page.content
    bad = client.post(url, {"action": "evidence", "item_id": "2.2", "model_label": "equipment.QCResult",
                            "object_pk": "12345"})  # fmt: skip
    assert bad.status_code == 400 and b'data-field="object_pk"' in bad.content
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    r = client.post(url, {"action": "finding", "item_id": "2.2", "note": "Dose records not reviewed", "owner": qm.pk,
                          "due_on": due})  # fmt: skip
    assert r.status_code == 302
    action = CorrectiveAction.objects.get()
    assert (action.source, action.source_ref) == ("audit finding", audit.reference)
    wrong = client.post(url, {"action": "finalise", "password": "nope"})
    assert wrong.status_code == 400 and b'data-field="password"' in wrong.content
    assert client.post(url, {"action": "finalise", "password": PASSWORD}).status_code == 302
    page = client.get(url)
    assert b'data-status="final"' in page.content and b'data-testid="finalise-form"' not in page.content


def test_other_roles_read_but_may_not_write(client, make_user, qm):
    from nmguard.apps.quality import audit_services as s

    audit = s.start_audit(s.shipped_checklist(user=qm), mode="self", audited_on=timezone.localdate(),
                          auditors="x", user=qm)  # fmt: skip
    tech = make_user("technologist", "tech-pages")
    client.force_login(tech)
    assert client.get(f"/quality/audits/{audit.pk}/").status_code == 200
    r = client.post(f"/quality/audits/{audit.pk}/", {"action": "finalise", "password": PASSWORD})
    assert r.status_code == 403 and "quality manager" in r.content.decode().lower()
    assert client.post("/quality/audits/clinical/", {}).status_code == 403
    assert _post(client, f"/audits/{audit.pk}/answers", {"item_id": "1.1", "level": 3}).status_code == 403
    assert client.get(f"{API}/audits/{audit.pk}/score").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"item_id": "1.1", "level": 9}, "level"),
        ({"item_id": "nope", "level": 3}, "item_id"),
        ({"item_id": "1.1", "level": "x" * 5}, "level"),
    ],
)
def test_api_answers_422_naming_the_field(client, qm, body, field):
    client.force_login(qm)
    r = _post(client, "/audits", {"mode": "external", "audited_on": timezone.localdate().isoformat(),
                                  "auditors": "IAEA team"})  # fmt: skip
    assert r.status_code == 201, r.content
    r = _post(client, f"/audits/{r.json()['id']}/answers", body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == field, r.content


def test_api_audit_score_findings_and_clinical(client, qm, dept):
    client.force_login(qm)
    for body, field in (
        ({"mode": "sometimes", "audited_on": "2026-01-01", "auditors": "a"}, "mode"),
        ({"mode": "self", "audited_on": "yesterday", "auditors": "a"}, "audited_on"),
    ):
        r = _post(client, "/audits", body)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == field
    audit = _post(client, "/audits", {"mode": "self", "audited_on": timezone.localdate().isoformat(),
                                      "auditors": "Q"}).json()  # fmt: skip
    for item, level in (("1.1", 2), ("1.2", 4), ("1.3", None)):
        assert _post(client, f"/audits/{audit['id']}/answers", {"item_id": item, "level": level}).status_code == 200
    score = client.get(f"{API}/audits/{audit['id']}/score").json()
    assert score["sections"][0]["percent"] == pytest.approx(75.0) and score["previous"] is None
    r = _post(client, f"/audits/{audit['id']}/findings", {"item_id": "1.1", "note": "n", "owner": "nobody",
                                                          "due_on": "2030-01-01"})  # fmt: skip
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "owner"
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    r = _post(client, f"/audits/{audit['id']}/findings", {"item_id": "1.1", "note": "n", "owner": qm.username,
                                                          "due_on": due})  # fmt: skip
    assert r.status_code == 201 and r.json()["action"]
    assert _post(client, f"/audits/{audit['id']}/finalise", {"password": PASSWORD}).status_code == 422
    today = timezone.localdate()
    body = {"criterion": "drl-compliance", "period_start": (today - dt.timedelta(days=30)).isoformat(),
            "period_end": today.isoformat(), "standard_percent": 90}  # fmt: skip
    r = _post(client, "/clinical-audits", body | {"standard_percent": 101})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "standard_percent"
    r = _post(client, "/clinical-audits", body | {"re_audit_of": 99999})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "re_audit_of"
    created = _post(client, "/clinical-audits", body)
    assert created.status_code == 201 and created.json()["denominator"] == 0
    page = client.get(f"/quality/audits/clinical/{created.json()['id']}/")
    assert page.status_code == 200 and b"at or below the protocol&#x27;s DRL" in page.content
    assert client.get("/quality/audits/clinical/").status_code == 200
    assert client.get(f"{API}/clinical-audits/{created.json()['id']}").json()["loop"][0]["id"] == created.json()["id"]


def test_previous_not_applicable_and_evidence_read_as_a_person_reads_them(client, qm):
    """The previous audit's N/A reads "N/A" (it showed a bare None); evidence is named by its kind and linked to
    its page (it showed "quality.CorrectiveAction 7: …")."""
    from nmguard.apps.quality import audit_services as s

    checklist = s.shipped_checklist(user=qm)
    today = timezone.localdate()
    before = s.start_audit(checklist, mode="self", audited_on=today - dt.timedelta(days=200), auditors="x", user=qm)
    now = s.start_audit(checklist, mode="self", audited_on=today, auditors="x", user=qm)
    s.answer_item(before, "4.2", None, "", qm)
    s.answer_item(before, "2.2", 3, "", qm)
    s.answer_item(now, "2.2", 1, "", qm)
    finding = s.raise_finding(now, item_id="2.2", note="Dose records not reviewed", owner=qm,
                              due_on=today + dt.timedelta(days=30), user=qm)  # fmt: skip
    s.attach_evidence(now.answers.get(item_id="2.2"), "quality.CorrectiveAction", str(finding.action.pk), qm)
    client.force_login(qm)
    html = client.get(f"/quality/audits/{now.pk}/").content.decode()
    assert "<td>None</td>" not in html and "<td>N/A</td>" in html and "<td>3</td>" in html
    assert f'<a href="/quality/actions/{finding.action.pk}/">Corrective action: ' in html
    assert "quality.CorrectiveAction" not in html.split('data-testid="evidence-form"')[0]
