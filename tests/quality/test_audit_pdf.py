"""The audit report PDF: its text holds the conformance per section and overall (computed here by hand from the
levels given), the comparison with the previous audit, the items with their evidence, the finding with its CAPA,
"DRAFT" on every page of a draft and the e-signature (no DRAFT) once finalised; a read-only user downloads it,
a signed-out visitor is sent to sign in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.reporting.test_qc_report_layout import pdf_pages

pytestmark = pytest.mark.django_db

# current audit's levels (None = N/A); unlisted items of the sample checklist are level 4
LEVELS = {"1.1": 4, "1.2": 3, "1.3": 2, "1.4": None, "2.2": 1, "3.1": 0, "4.2": None}


def _texts(pdf: bytes) -> list[str]:
    return [" ".join(" ".join(t for *_, t in page).split()) for page in pdf_pages(pdf)]


@pytest.fixture
def audits(qm):
    from nmguard.apps.quality import audit_services as s

    checklist = s.shipped_checklist(user=qm)
    today = timezone.localdate()
    before = s.start_audit(checklist, mode="external", audited_on=today - dt.timedelta(days=365),
                           auditors="E. External", user=qm)  # fmt: skip
    now = s.start_audit(checklist, mode="self", audited_on=today, auditors="Q. Manager, P. Hysicist", user=qm)
    for _, item in s.checklist_of(now).items():
        s.answer_item(before, item.id, 2, "", qm)  # every item level 2: 50 % everywhere
        s.answer_item(now, item.id, LEVELS.get(item.id, 4), f"comment on {item.id}", qm)
    finding = s.raise_finding(now, item_id="2.2", note="Dose records not reviewed", owner=qm,
                              due_on=today + dt.timedelta(days=30), user=qm)  # fmt: skip
    answer = now.answers.get(item_id="1.4")
    s.attach_evidence(answer, "quality.CorrectiveAction", str(finding.action.pk), qm)
    return now, finding


def test_draft_then_final_report(client, make_user, qm, audits):
    from nmguard.apps.quality import audit_services as s

    audit, finding = audits
    client.force_login(make_user("read_only", "ro-pdf"))
    page = client.get(reverse("quality-audit", args=[audit.pk])).content.decode()
    assert f'href="/quality/audits/{audit.pk}/pdf"' in page
    response = client.get(reverse("quality-audit-pdf", args=[audit.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    texts = _texts(response.content)
    total = len(texts)
    for n, text in enumerate(texts, start=1):
        assert "DRAFT" in text and f"page {n} of {total}" in text
    everything = " ".join(texts)
    # by hand, sum of levels over 4 x applicable items (N/A left out):
    # 1: (4+3+2)/12 = 75.0; 2: (4+1+4+4)/16 = 81.25 -> 81.3 (half up, as the page); 3: (0+4+4)/12 = 66.7;
    # 4: (4+4)/8 = 100.0; 5: 12/12 = 100.0; pooled: 9+13+8+8+12 = 50 of 4 x (3+4+3+2+3) = 60 -> 83.3 %
    for value in ("75.0 %", "81.3 %", "66.7 %", "100.0 %", "83.3 %"):
        assert value in everything, value
    assert "50.0 %" in everything  # the previous audit, every item at level 2
    assert f"AUD-{audit.pk - 1} of {(timezone.localdate() - dt.timedelta(days=365)):%Y-%m-%d}" in everything
    assert "+33.3 percentage points" in everything  # 83.33 - 50
    assert "Self-assessment" in everything and "Q. Manager, P. Hysicist" in everything
    assert "pooled" in everything and "iaea-hhs-33-quanum-2" in everything
    assert "comment on 3.1" in everything and "better" in everything and "worse" in everything
    assert "Corrective action: " in everything  # 1.4's evidence: the record it links, by kind, not model label
    assert "quality.CorrectiveAction" not in everything
    due = f"{timezone.localdate() + dt.timedelta(days=30):%Y-%m-%d}"
    assert f"CAPA {finding.action.pk}" in everything and due in everything and "Dose records not reviewed" in everything

    s.finalise(audit, qm, PASSWORD)
    audit.refresh_from_db()
    texts = _texts(client.get(reverse("quality-audit-pdf", args=[audit.pk])).content)
    everything = " ".join(texts)
    assert not any("DRAFT" in t for t in texts)
    signed = timezone.localtime(audit.signature.signed_at)
    assert audit.signature.signer_name in everything and f"{signed:%Y-%m-%d %H:%M %Z}" in everything
    # the signed statement ("fi" is drawn as a ligature glyph: read "nalised")
    assert "nalised, overall conformance 83.3 %" in everything
    assert "approved" in everything


def test_signed_out_visitor_is_sent_to_sign_in(client, audits):
    audit, _ = audits
    response = client.get(reverse("quality-audit-pdf", args=[audit.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(reverse("quality-audit-pdf", args=[audit.pk + 999])).status_code == 302


def test_unknown_audit_is_404(client, make_user):
    client.force_login(make_user("read_only", "ro-404"))
    assert client.get("/quality/audits/999999/pdf").status_code == 404


def test_one_rounding_for_page_pdf_and_signed_statement():
    """81.25 % is 81.3 % everywhere (half up, as the page's floatformat), where Python's ``:.1f`` gives 81.2 %."""
    assert f"{81.25:.1f}" == "81.2"
    from nmguard.apps.quality.audit_services import percent_text

    assert percent_text(81.25) == "81.3 %" and percent_text(None) == "no applicable item"
