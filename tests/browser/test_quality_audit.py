"""The quality manager in Chromium runs an audit end to end: starts it on the sample checklist, answers every
item (one N/A, one below the finding level), attaches evidence, reads the section score and the comparison
with last year's audit, raises the finding as a corrective action, and finalises by e-signature (a wrong
password is shown by its field); the page then is read-only. No element id is repeated."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.browser.signin import sign_in
from tests.browser.test_accessibility import duplicate_ids
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_quality_manager_runs_an_audit(live_server, page, make_user):
    from django.utils import timezone

    from nmguard.apps.quality import audit_services as s
    from nmguard.apps.quality.capa_models import CorrectiveAction
    from nmguard.apps.quality.capa_services import raise_action
    from nmguard.reference.audit_checklists import shipped_checklists

    qm = make_user("quality_manager", "qm-browser")
    items = [i.id for _, i in shipped_checklists()["nmguard-sample"].items()]
    before = s.start_audit(s.shipped_checklist(user=qm), mode="self", user=qm, auditors="Q",
                           audited_on=timezone.localdate() - dt.timedelta(days=365))  # fmt: skip
    for item_id in items:
        s.answer_item(before, item_id, 3, "", qm)
    s.finalise(before, qm, PASSWORD)
    evidence = raise_action(title="Earlier action", source="incident", source_ref="IR-9", owner=qm, user=qm,
                            due_on=timezone.localdate() + dt.timedelta(days=9))  # fmt: skip

    sign_in(page, live_server, qm)
    page.goto(f"{live_server.url}/quality/audits/")
    form = page.locator("[data-testid=start-audit-form]")
    form.locator("#id_mode").select_option("external")
    form.locator("#id_auditors").fill("External team")
    form.locator("button").click()
    assert page.locator("[data-testid=audit-status]").get_attribute("data-status") == "draft"
    for item_id in items:
        level = "na" if item_id == "4.3" else "1" if item_id == "2.2" else "4"
        answer = page.locator(f"[data-testid='answer-{item_id}']")
        answer.locator("select").select_option(level)
        answer.locator("button").click()
        assert page.locator(f"[data-testid='level-{item_id}']").inner_text() in ("N/A", level)
    assert page.locator("[data-testid=section-2]").inner_text() == "81.3 %"  # (4 + 1 + 4 + 4) / 16
    assert page.locator("[data-testid=section-4]").inner_text() == "100.0 %"  # 4.3 N/A excluded
    assert page.locator("[data-testid='trend-2.2']").inner_text() == "worse"
    assert page.locator("[data-testid='trend-1.1']").inner_text() == "better"
    assert page.locator("[data-testid=previous]").inner_text().startswith(f"AUD-{before.pk}")
    assert page.locator("[data-testid=conformance-chart] svg rect").count() == 10  # 5 sections, 2 audits
    assert duplicate_ids(page.content()) == {}

    ev = page.locator("[data-testid=evidence-form]")
    ev.locator("#ev-item").select_option("3.2")
    ev.locator("#id_model_label").select_option("quality.CorrectiveAction")
    ev.locator("#id_object_pk").fill(str(evidence.pk))
    ev.locator("button").click()
    assert "Earlier action" in page.locator("[data-testid='item-3.2'] [data-testid=evidence]").inner_text()

    assert "2.2 (level 1)" in page.locator("[data-testid=pending-findings]").inner_text()
    finding = page.locator("[data-testid=finding-form]")
    finding.locator("#id_item_id").select_option("2.2")
    finding.locator("#id_note").fill("Staff doses not reviewed against the investigation level")
    finding.locator("#id_owner").select_option(str(qm.pk))
    finding.locator("#id_due_on").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    finding.locator("button").click()
    assert "CAPA" in page.locator("[data-testid=findings]").inner_text()
    action = CorrectiveAction.objects.get(source="audit finding")
    assert action.source_ref.startswith("AUD-") and action.source_ref != f"AUD-{before.pk}"

    page.locator("[data-testid=finalise-form] #id_password").fill("wrong")
    page.locator("[data-testid=finalise-form] button").click()
    assert page.locator("[data-field=password]").count() == 1
    page.locator("[data-testid=finalise-form] #id_password").fill(PASSWORD)
    page.locator("[data-testid=finalise-form] button").click()
    status = page.locator("[data-testid=audit-status]")
    assert status.get_attribute("data-status") == "final" and "approved" in status.inner_text()
    assert (
        page.locator("[data-testid=finalise-form]").count() == 0
        and page.locator("form[data-testid^=answer]").count() == 0
    )
