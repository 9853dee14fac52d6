"""The RPO in Chromium: opens the RPO dashboard, sees a worker's investigation-level alert with no
investigation yet, opens one, writes the findings, cause and actions, and closes it by e-signature; the
dashboard then shows the alert's investigation closed and by whom. Both pages pass axe-core (no serious or
critical violation) and repeat no element id."""

from __future__ import annotations

import pytest
from tests.browser.signin import sign_in
from tests.browser.test_accessibility import duplicate_ids, run_axe, serious_violations
from tests.conftest import PASSWORD
from tests.protection.test_staff_import import monthly_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rpo_opens_and_closes_an_investigation(live_server, page, make_user):
    from django.utils import timezone

    from nmguard.apps.protection.dose_import import import_readings

    rpo = make_user("rpo", "rpo-browser")
    year = timezone.localdate().year
    import_readings(monthly_file({"W1": 0.6, "W2": 0.1}, year), "service.csv", rpo)  # W1 7.2 mSv >= 6 (IAEA)
    sign_in(page, live_server, rpo)
    page.goto(f"{live_server.url}/protection/rpo/")
    alert = page.locator("tr[data-alert='W1-effective']")
    assert alert.get_attribute("data-level") == "investigation" and alert.get_attribute("data-state") == "none"
    assert page.locator("tr[data-alert^='W2']").count() == 0
    assert page.locator("[data-testid=plot-effective] svg").count() == 1
    assert serious_violations(run_axe(page)) == [] and duplicate_ids(page.content()) == {}
    alert.locator("[data-testid=open-investigation]").click()
    assert page.locator("[data-testid=investigation-status]").get_attribute("data-status") == "open"
    assert serious_violations(run_axe(page)) == [] and duplicate_ids(page.content()) == {}
    form = page.locator("[data-testid=investigation-form]")
    form.locator("#id_findings").fill("Badge stored next to the generator over a weekend")
    form.locator("button[value=close]").click()  # no cause, no actions, no password: each shown by its field
    assert page.locator("[data-field=cause]").count() == 1 and page.locator("[data-field=password]").count() == 1
    page.locator("#id_cause").fill("Badge board in the hot lab")
    page.locator("#id_actions").fill("Badge board moved to the corridor")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("[data-testid=investigation-form] button[value=close]").click()
    status = page.locator("[data-testid=investigation-status]")
    assert status.get_attribute("data-status") == "closed" and str(rpo) in status.inner_text()
    page.goto(f"{live_server.url}/protection/rpo/")
    alert = page.locator("tr[data-alert='W1-effective']")
    assert alert.get_attribute("data-state") == "closed" and str(rpo) in alert.inner_text()
    for path in (alert.locator("a").first.get_attribute("href"), "/protection/events/new/"):  # worker, new event
        page.goto(f"{live_server.url}{path}")
        assert serious_violations(run_axe(page)) == [] and duplicate_ids(page.content()) == {}, path
