"""Document control in Chromium: the quality manager approves a new SOP version by e-signature (a wrong password
shown by its field first); a technologist sees it to acknowledge on the dashboard, acknowledges it, and the QC
page links the current version. The version page passes axe-core (no serious or critical violation)."""

from __future__ import annotations

import pytest
from tests.browser.signin import sign_in
from tests.browser.test_accessibility import duplicate_ids, run_axe, serious_violations
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_approve_acknowledge_and_link_from_the_qc_page(live_server, page, make_user):
    from nmguard.apps.quality import document_services as docs

    qm, tech = make_user("quality_manager", "qm-browser"), make_user("technologist", "tech-browser")
    doc = docs.create_document(
        {"number": "SOP-QC-001", "title": "Daily QC", "task": "qc-entry", "applies_to": ["technologist"]}, qm
    )
    first = docs.approve_version(docs.add_version(doc, qm, text="Flood daily."), qm, PASSWORD)
    draft = docs.add_version(doc, qm, text="Flood daily; check the energy peak.", change_summary="peak check")

    sign_in(page, live_server, qm)
    page.goto(f"{live_server.url}/quality/documents/versions/{draft.pk}/")
    assert page.locator("[data-testid=version-status]").get_attribute("data-status") == "draft"
    assert serious_violations(run_axe(page)) == [] and duplicate_ids(page.content()) == {}
    form = page.locator("[data-testid=approve-form]")
    form.locator("#id_password").fill("not my password")
    form.locator("button[type=submit]").click()
    assert page.locator("[data-field=password]").count() == 1
    page.locator("[data-testid=approve-form] #id_password").fill(PASSWORD)
    page.locator("[data-testid=approve-form] button[type=submit]").click()
    assert page.locator("[data-testid=version-status]").get_attribute("data-status") == "current"
    first.refresh_from_db()
    assert first.status == "superseded"
    page.context.clear_cookies()

    sign_in(page, live_server, tech)
    item = page.get_by_text("To acknowledge: SOP-QC-001 Daily QC")
    assert item.count() >= 1
    page.goto(f"{live_server.url}/quality/documents/versions/{draft.pk}/")
    page.locator("[data-testid=acknowledge-form] button").click()
    assert page.locator("[data-testid=acknowledged]").count() == 1
    assert draft.acknowledgements.get().user == tech
    page.goto(f"{live_server.url}/equipment/qc/")
    link = page.locator("[data-testid=current-sop] a")
    assert link.get_attribute("href") == f"/quality/documents/versions/{draft.pk}/"
    assert "(version 2)" in link.inner_text()
