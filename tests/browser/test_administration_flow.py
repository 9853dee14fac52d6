"""A technologist walks one patient through measure → checks → administer in a real Chromium."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from tests.conftest import PASSWORD
from tests.patients.clock import at_department_noon

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _department_noon():
    """Measured 5 min before the injection stays on the injection's day at whatever hour this runs."""
    with at_department_noon():
        yield


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_technologist_walks_the_checks(live_server, page, dept):
    from nmguard.apps.patients import services

    at = timezone.now().replace(second=0, microsecond=0)
    prescription = services.prescribe(
        patient=dept["man"], protocol=dept["fdg_protocol"], scheduled_for=at, weight_kg=70, prescriber=dept["physician"]
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", dept["technologist"].username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Dashboard')")
    started = time.monotonic()
    page.click("nav >> text=Worklist")
    page.click(f"a[href='/administrations/prescriptions/{prescription.pk}/']")
    assert page.locator("[data-testid=prescribed]").inner_text() == "210 MBq"  # 3 MBq/kg × 70 kg

    # a reading without a unit is refused next to the field
    form = page.locator("[data-testid=measure-form]")
    form.locator("#id_activity").fill("215")
    form.locator("#id_measured_at").fill(_local(at - dt.timedelta(minutes=5)))
    form.locator("button").click()
    assert "no unit" in page.locator("p.error[data-field=activity]").inner_text()
    form = page.locator("[data-testid=measure-form]")
    form.locator("#id_activity_meter").select_option(label="Meter 1")
    form.locator("#id_activity").fill("216 MBq")
    form.locator("#id_measured_at").fill(_local(at - dt.timedelta(minutes=5)))
    form.locator("button").click()
    page.wait_for_selector("[data-testid=measurement]")

    checks = page.locator("[data-testid=checks-form]")
    checks.locator("#id_patient_id").fill("P-2")
    checks.locator("#id_birth_date").fill("1960-02-02")
    # every safety question needs its answer: nothing is pre-selected (issue 10 item 2)
    checks.locator("input[name=previous_reaction][value=no]").check()
    checks.locator("#id_radiopharmaceutical").select_option(label="18F-FDG")
    checks.locator("#id_planned_at").fill(_local(at))
    checks.locator("button").click()
    page.wait_for_selector("[data-testid=checks]")
    outcomes = page.locator("[data-testid=checks] td.outcome").all_inner_texts()
    assert outcomes and all(o in ("Pass", "Not applicable") for o in outcomes), outcomes

    administer = page.locator("[data-testid=administer-form]")
    administer.locator("#id_administered_at").fill(_local(at))
    administer.locator("#id_route").select_option("iv")
    administer.locator("input[name=extravasation][value=no]").check()
    administer.locator("button").click()
    page.wait_for_selector("[data-testid=effective-dose]")
    elapsed = time.monotonic() - started
    assert page.locator("[data-testid=status]").inner_text() == "Administered"
    assert "mSv" in page.locator("[data-testid=effective-dose]").inner_text()
    print(f"administration path in the browser: {elapsed:.1f} s")  # shown with -s; not asserted (noisy machines)
