"""Patient release in Chromium: the physician opens the cycle's release assessment from the course page,
assesses with the I-131 thyroid-cancer model, signs with the password, and reads the instructions with their
end dates; the PDF link serves a PDF."""

from __future__ import annotations

import pytest
from tests.browser.signin import sign_in
from tests.conftest import PASSWORD
from tests.therapy.release_fixtures import make_iodine_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_assess_sign_and_read_the_instructions(live_server, page, dept):
    from nmguard.apps.therapy import release_services as svc
    from nmguard.apps.therapy.release_models import ReleaseDecision

    cycle = make_iodine_cycle(dept)
    sign_in(page, live_server.url, dept["physician"])
    page.goto(f"{live_server.url}/therapy/courses/{cycle.course_id}/")
    assert "awaiting a decision" in page.locator("[data-testid=release-state]").inner_text()
    page.click("[data-testid=release-state] a")
    page.wait_for_selector("[data-testid=assess-form]")
    assert page.input_value("#id_nuclide") == "I-131"
    # a dose rate without its period is refused next to its field
    page.select_option("#id_basis", "dose-rate")
    page.fill("#id_dose_rate_1m", "25 uSv")
    page.check("#id_breastfeeding_patient_1")  # "No"
    page.click("[data-testid=assess-form] button[type=submit]")
    assert page.locator("p.error[data-field=dose_rate_1m]").is_visible()
    page.select_option("#id_basis", "uptake-model")
    page.select_option("#id_method", "table")  # the NRC department's default: the model is not the table
    page.select_option("#id_condition", "thyroid-cancer")
    page.fill("#id_dose_rate_1m", "")
    page.click("[data-testid=assess-form] button[type=submit]")
    assert "patient-specific" in page.locator("p.error[data-field=method]").inner_text()
    page.select_option("#id_method", "patient-specific")
    page.select_option("#id_condition", "thyroid-cancer")
    page.fill("#id_dose_rate_1m", "")
    page.click("[data-testid=assess-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("p.error").count() == 0, page.locator("p.error").all_inner_texts()
    page.wait_for_selector("[data-testid=release-decision]")
    assert page.locator("[data-testid=dose-to-others]").inner_text() == "3.4 mSv"
    assert "Eq. B-5" in page.locator("[data-testid=basis-rule]").inner_text()
    page.fill("[data-testid=sign-form] #id_password", PASSWORD)
    page.click("[data-testid=sign-form] button[type=submit]")
    page.wait_for_selector("[data-testid=instruction-lines]")
    decision = ReleaseDecision.objects.get()
    assert decision.is_released
    for line in svc.instructions(decision):
        row = page.locator(f"[data-testid=instruction-lines] tr[data-contact='{line.contact}']")
        assert row.get_attribute("data-until") == (line.until.isoformat() if line.until else "")
    response = page.request.get(live_server.url + page.locator("[data-testid=pdf-link]").get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
