"""The quality manager in Chromium: opens the quality dashboard, goes to the accreditation readiness page, follows
the gap of a device with overdue QC to the device's page, opens the management review and downloads its PDF.
The dashboard, readiness and review pages pass axe-core (no serious or critical violation) with no repeated id."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.browser.signin import sign_in
from tests.browser.test_accessibility import duplicate_ids, run_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_readiness_gap_review_pdf(live_server, page, make_user):
    from django.utils import timezone

    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.equipment.models import Equipment, QCSchedule, QCTest

    qm = make_user("quality_manager", "qm-browser")
    physicist = make_user("physicist", "phys-browser")
    with acting_as(physicist, reason="test"):
        camera = Equipment.objects.create(name="Camera B", kind=Equipment.Kind.GAMMA_CAMERA)
        test = QCTest.objects.create(catalogue_id="t-weekly", name="Weekly check", frequency="weekly")
        QCSchedule.objects.create(equipment=camera, test=test)
    QCSchedule.objects.update(created_at=timezone.now() - dt.timedelta(days=20))
    sign_in(page, live_server, qm)
    page.goto(f"{live_server.url}/quality/")
    assert serious_violations(run_axe(page)) == [] and duplicate_ids(page.content()) == {}
    page.locator("[data-testid=quality-parts] a", has_text="Accreditation readiness").click()
    assert page.locator("h1").inner_text() == "Accreditation readiness"
    assert serious_violations(run_axe(page)) == [] and duplicate_ids(page.content()) == {}
    page.locator("[data-gaps=qc] a", has_text="Camera B: Weekly check overdue").click()
    assert page.url.endswith(f"/equipment/{camera.pk}/") and "Camera B" in page.locator("h1").inner_text()
    page.goto(f"{live_server.url}/quality/")
    page.locator("[data-testid=quality-parts] a", has_text="Management review").click()
    assert page.locator("[data-indicator=qc_compliance] svg").count() == 1
    assert serious_violations(run_axe(page)) == [] and duplicate_ids(page.content()) == {}
    with page.expect_download() as info:
        page.locator("[data-testid=review-pdf]").click()
    download = info.value
    assert download.suggested_filename.startswith("management-review-")
    with open(download.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
