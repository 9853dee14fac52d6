"""The RPO records a failing leak test of a sealed source in Chromium: the source is withdrawn at once and the
page says why; an MDA above the limit is refused next to its field first."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.browser.signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failing_leak_test_withdraws_the_source(live_server, page, make_user):
    from django.utils import timezone

    from nmguard.apps.protection import source_services as svc

    rpo = make_user("rpo", "rpo-browser")
    source = svc.register_source(
        rpo,
        nuclide="Co-57",
        serial_number="FL-B1",
        activity_Bq=370e6,
        reference_at=timezone.now() - dt.timedelta(days=60),
        use="flood",
        location="Camera room 1",
        custodian=rpo,
        received_on=timezone.localdate() - dt.timedelta(days=60),
    )
    sign_in(page, live_server, rpo)
    page.goto(f"{live_server.url}/protection/sources/")
    page.click("[data-serial='FL-B1'] >> text=FL-B1")
    assert page.locator("[data-testid=source-status]").get_attribute("data-status") == "in_use"
    form = page.locator("[data-testid=leak-form]")
    form.locator("#id_removable_Bq").fill("240")
    form.locator("#id_mda_Bq").fill("300")
    form.locator("button[type=submit]").click()
    assert "cannot detect" in page.locator("[data-field=mda_Bq]").inner_text()
    page.locator("#id_mda_Bq").fill("10")
    page.locator("[data-testid=leak-form] button[type=submit]").click()
    status = page.locator("[data-testid=source-status]")
    assert status.get_attribute("data-status") == "withdrawn"
    assert "failed leak test" in status.inner_text() and "185 Bq" in status.inner_text()
    assert page.locator("[data-testid=leak-tests] tr[data-passed='0']").count() == 1
    page.goto(f"{live_server.url}/protection/sources/")
    assert page.locator("[data-serial='FL-B1']").get_attribute("data-status") == "withdrawn"
    source.refresh_from_db()
    assert source.status == "withdrawn"
