# ruff: noqa: F811  (the hot lab fixture ``lab`` imported and named as an argument)
"""The competence block in Chromium: a radiopharmacist whose QP competence lapsed tries to release a batch that
passed its tests and is refused on the form, naming the competence and the day it lapsed; the quality manager
signs the renewed competence on the sign page (e-signature); the release then goes through."""

from __future__ import annotations

import pytest
from tests.browser.signin import sign_in
from tests.conftest import PASSWORD
from tests.quality.test_competence_block import _releasable, lapse_competence
from tests.radiopharmacy.test_hot_lab_day import lab  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lapsed_competence_refuses_release_until_renewed(live_server, page, lab, make_user):
    from nmguard.apps.quality.competence_services import set_task_guard

    qm = make_user("quality_manager", "qm-browser")
    rph = lab["rph"]
    lapsed_on = lapse_competence(rph, "qp_release", qm)
    set_task_guard("qp_release", True, "", qm)
    batch = _releasable(lab)

    sign_in(page, live_server, rph)
    page.goto(f"{live_server.url}/hotlab/batches/{batch.pk}/")
    page.locator("[data-testid=release-form] #id_password").fill(PASSWORD)
    page.locator("[data-testid=release-form] button[type=submit]").click()
    error = page.locator("[data-testid=release-form] [data-testid=form-error]").inner_text()
    assert f"QP release needs the competence 'QP batch release' — lapsed on {lapsed_on}" in error
    assert page.locator("[data-testid=released-by]").count() == 0

    page.context.clear_cookies()
    sign_in(page, live_server, qm)
    page.goto(f"{live_server.url}/quality/training/competences/sign/?person={rph.pk}&task=qp_release")
    page.locator("#id_assessment").fill("Observed two releases; procedure read")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("[data-testid=competence-form] button[type=submit]").click()
    page.wait_for_url(f"**/quality/training/people/{rph.pk}/")
    assert page.locator("[data-testid=competences] tr[data-task=qp_release] [data-state=valid]").count() == 1

    page.context.clear_cookies()
    sign_in(page, live_server, rph)
    page.goto(f"{live_server.url}/hotlab/batches/{batch.pk}/")
    page.locator("[data-testid=release-form] #id_password").fill(PASSWORD)
    page.locator("[data-testid=release-form] button[type=submit]").click()
    assert page.locator("[data-testid=released-by]").count() == 1
