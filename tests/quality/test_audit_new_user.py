"""Audits and clinical audits tried as a tired new user (issue 16, new-user review): each test failed before its
fix. The start form sent twice made two drafts; a clinical audit sent twice stored the same measurement twice (a
re-audit sent twice was refused with the wrong reason); a previous audit with no applicable item read " %" on
the page (the PDF said "no applicable item"); the evidence form offered record kinds as model labels."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def qm(make_user):
    return make_user("quality_manager", "qm-new-user")


def test_an_audit_started_twice_is_refused_naming_the_first(client, qm):
    from nmguard.apps.quality import audit_services as s
    from nmguard.apps.quality.audit_models import Audit

    checklist = s.shipped_checklist(user=qm)
    client.force_login(qm)
    start = {"action": "start", "checklist": checklist.pk, "mode": "self", "auditors": "Q. M.",
             "audited_on": timezone.localdate().isoformat()}  # fmt: skip
    assert client.post("/quality/audits/", start).status_code == 302
    again = client.post("/quality/audits/", start)  # a double click, or the back button
    html = again.content.decode()
    first = Audit.objects.get()
    assert again.status_code == 400 and 'data-field="audited_on"' in html and f"{first.reference} of" in html
    assert client.post("/quality/audits/", start | {"auditors": "External team"}).status_code == 302  # another
    assert Audit.objects.count() == 2


def test_a_clinical_audit_sent_twice_is_stored_once(client, qm):
    from nmguard.apps.quality.audit_models import ClinicalAudit
    from nmguard.apps.quality.clinical_audit import CRITERIA

    client.force_login(qm)
    today = timezone.localdate()
    body = {"criterion": next(iter(CRITERIA)), "period_start": (today - dt.timedelta(days=60)).isoformat(),
            "period_end": (today - dt.timedelta(days=31)).isoformat(), "standard_percent": "90"}  # fmt: skip
    first = client.post("/quality/audits/clinical/", body)
    assert first.status_code == 302
    again = client.post("/quality/audits/clinical/", body)
    audit = ClinicalAudit.objects.get()
    assert again.status_code == 400 and f"CA-{audit.pk} measured this criterion" in again.content.decode()
    later = body | {"period_start": (today - dt.timedelta(days=30)).isoformat(), "period_end": today.isoformat()}
    assert client.post(first["Location"], later).status_code == 302  # the re-audit
    twice = client.post(first["Location"], later)  # its form sent again: named, not "starts after the audit"
    re_audit = ClinicalAudit.objects.get(re_audit_of=audit)
    assert twice.status_code == 400 and f"CA-{re_audit.pk} measured this criterion" in twice.content.decode()
    assert ClinicalAudit.objects.count() == 2


def test_previous_without_applicable_item_and_evidence_kinds_read_as_words(client, qm):
    from nmguard.apps.quality import audit_services as s

    checklist = s.shipped_checklist(user=qm)
    today = timezone.localdate()
    before = s.start_audit(checklist, mode="self", audited_on=today - dt.timedelta(days=200), auditors="x", user=qm)
    s.answer_item(before, "2.2", None, "", qm)  # everything N/A or unanswered: no overall percentage
    now = s.start_audit(checklist, mode="self", audited_on=today, auditors="x", user=qm)
    s.answer_item(now, "2.2", 3, "", qm)
    client.force_login(qm)
    html = client.get(f"/quality/audits/{now.pk}/").content.decode()
    previous = html.split('data-testid="previous">')[1].split("</dd>")[0]
    assert previous.endswith(": no applicable item"), previous  # ":  %" before; the PDF's wording
    form = html.split('data-testid="evidence-form"')[1].split("</form>")[0]
    assert '<option value="quality.CorrectiveAction">Corrective action</option>' in form
    assert ">quality.CorrectiveAction<" not in form
    bad = client.post(f"/quality/audits/{now.pk}/", {"action": "evidence", "item_id": "2.2",
                                                     "model_label": "auth.User", "object_pk": "1"})  # fmt: skip
    assert bad.status_code == 400 and 'data-field="model_label"' in bad.content.decode()  # a silent 400 before


def test_a_finding_due_more_than_a_year_ahead_needs_the_date_checked(client, qm):
    from nmguard.apps.quality import audit_services as s
    from nmguard.apps.quality.audit_models import AuditFinding

    audit = s.start_audit(s.shipped_checklist(user=qm), mode="self", audited_on=timezone.localdate(), auditors="x",
                          user=qm)  # fmt: skip
    client.force_login(qm)
    far = (timezone.localdate() + dt.timedelta(days=400)).isoformat()  # 2062 for 2026 is the same mistake
    body = {"action": "finding", "item_id": "", "note": "Hot lab door left open", "owner": qm.pk, "due_on": far}
    typo = client.post(f"/quality/audits/{audit.pk}/", body)
    assert typo.status_code == 400 and "more than a year ahead" in typo.content.decode()
    assert 'data-field="due_on"' in typo.content.decode() and not AuditFinding.objects.exists()
    api = client.post(f"/api/v1/quality/audits/{audit.pk}/findings", {"note": "n", "owner": qm.username, "due_on": far},
                      content_type="application/json")  # fmt: skip
    assert api.status_code == 422 and "due_on" in api.content.decode()
    assert client.post(f"/quality/audits/{audit.pk}/", body | {"confirm_due": "on"}).status_code == 302
    assert AuditFinding.objects.get().action.due_on.isoformat() == far


def test_the_re_audit_form_offers_no_criterion_it_would_ignore(client, qm):
    from nmguard.apps.quality.clinical_audit import CRITERIA, run_clinical_audit

    today = timezone.localdate()
    audit = run_clinical_audit(next(iter(CRITERIA)), period_start=today - dt.timedelta(days=60), user=qm,
                               period_end=today - dt.timedelta(days=31), standard_percent=90)  # fmt: skip
    client.force_login(qm)
    html = client.get(f"/quality/audits/clinical/{audit.pk}/").content.decode()
    form = html.split('data-testid="reaudit-form"')[1].split("</form>")[0]
    assert 'name="criterion"' not in form and 'name="period_start"' in form
    assert f"after that of CA-{audit.pk} ({audit.period_end:%Y-%m-%d})" in html


def test_evidence_form_says_to_answer_an_item_first(client, qm):
    from nmguard.apps.quality import audit_services as s

    audit = s.start_audit(s.shipped_checklist(user=qm), mode="self", audited_on=timezone.localdate(), auditors="x",
                          user=qm)  # fmt: skip
    client.force_login(qm)
    assert 'data-testid="evidence-empty"' in client.get(f"/quality/audits/{audit.pk}/").content.decode()
    s.answer_item(audit, "1.1", 3, "", qm)
    assert 'data-testid="evidence-empty"' not in client.get(f"/quality/audits/{audit.pk}/").content.decode()


def test_an_audit_dated_more_than_a_year_back_needs_the_date_checked(client, qm):
    from nmguard.apps.quality import audit_services as s
    from nmguard.apps.quality.audit_models import Audit

    checklist = s.shipped_checklist(user=qm)
    client.force_login(qm)
    old = (timezone.localdate() - dt.timedelta(days=400)).isoformat()  # 1926 for 2026 is the same mistake
    start = {"action": "start", "checklist": checklist.pk, "mode": "self", "auditors": "Q. M.", "audited_on": old}
    typo = client.post("/quality/audits/", start)
    assert typo.status_code == 400 and 'data-field="audited_on"' in typo.content.decode()
    assert "more than a year back" in typo.content.decode() and not Audit.objects.exists()
    api = client.post("/api/v1/quality/audits", {"mode": "self", "audited_on": old, "auditors": "x"},
                      content_type="application/json")  # fmt: skip
    assert api.status_code == 422 and "audited_on" in api.content.decode()
    assert client.post("/quality/audits/", start | {"confirm_date": "on"}).status_code == 302
    assert Audit.objects.get().audited_on.isoformat() == old
