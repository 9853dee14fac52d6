"""A technologist reports a near miss in Chromium in under two minutes (measured from opening the form to the
saved record: a usability acceptance, not a speed benchmark); the quality manager investigates, raises an action,
follows the action to its signed closure (done, effective, e-signature) and closes the incident by e-signature.
The pages pass axe-core (no serious or critical violation) and repeat no element id."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from tests.browser.signin import sign_in
from tests.browser.test_accessibility import duplicate_ids, run_axe, serious_violations
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _clean(page) -> None:
    assert serious_violations(run_axe(page)) == [] and duplicate_ids(page.content()) == {}


def test_report_in_two_minutes_and_follow_to_closure(live_server, page, make_user):
    from django.utils import timezone

    tech, qm = make_user("technologist", "tech-browser"), make_user("quality_manager", "qm-browser")
    sign_in(page, live_server, tech)
    started = time.monotonic()
    page.goto(f"{live_server.url}/quality/incidents/new/")
    form = page.locator("[data-testid=incident-form]")
    form.locator("#id_description").fill("Syringe label 370 MBq, calibrator 555 MBq; caught before injection")
    form.locator("#id_location").fill("Hot lab")
    form.locator("#id_stage").select_option("preparation")
    form.locator("#id_severity").select_option("near_miss")
    form.locator("#id_near_miss_0").check()
    form.locator("#id_immediate_action").fill("Dose redrawn and re-measured")
    form.locator("button[type=submit]").click()
    status = page.locator("[data-testid=incident-status]")
    assert status.get_attribute("data-status") == "reported"
    elapsed = time.monotonic() - started
    assert elapsed < 120, f"reporting took {elapsed:.0f} s"
    _clean(page)
    incident_url = page.url

    page.context.clear_cookies()
    sign_in(page, live_server, qm)
    page.goto(incident_url)
    _clean(page)
    inv = page.locator("[data-testid=investigation-form]")
    inv.locator("#id_root_cause").fill("No independent check of the drawn activity")
    inv.locator("input[name=factors][value=procedure]").check()
    inv.locator("button[type=submit]").click()
    assert page.locator("[data-testid=incident-status]").get_attribute("data-status") == "investigating"
    act = page.locator("[data-testid=incident-action-form]")
    act.locator("#id_title").fill("Second person checks the calibrator reading")
    act.locator("#id_owner").select_option(str(tech.pk))
    act.locator("#id_due_on").fill((timezone.localdate() + dt.timedelta(days=7)).isoformat())
    act.locator("button[type=submit]").click()
    page.locator("[data-testid=incident-actions] a").first.click()
    assert page.locator("[data-testid=action-status]").get_attribute("data-status") == "open"
    _clean(page)
    page.locator("[data-testid=done-form] #id_note").fill("Checklist step added")
    page.locator("[data-testid=done-form] button").click()
    page.locator("#id_effectiveness_check").fill("20 preparations observed: all checked")
    page.locator("#id_effective_0").check()
    page.locator("[data-testid=effectiveness-form] button").click()
    page.locator("[data-testid=close-action-form] #id_password").fill(PASSWORD)
    page.locator("[data-testid=close-action-form] button").click()
    assert page.locator("[data-testid=action-status]").get_attribute("data-status") == "closed"
    _clean(page)
    page.goto(incident_url)
    page.locator("[data-testid=close-incident-form] #id_password").fill(PASSWORD)
    page.locator("[data-testid=close-incident-form] button").click()
    status = page.locator("[data-testid=incident-status]")
    assert status.get_attribute("data-status") == "closed" and str(qm) in status.inner_text()
