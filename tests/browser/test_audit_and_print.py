"""In the browser: from a record's page to its history in the audit trail (filter, diff, CSV, a bad
date shown by its field), and the patient's dose report printed without the application's navigation."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from tests.browser.signin import sign_in
from tests.web.test_printouts import _fdg_administration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_history_link_filters_the_trail_and_the_dose_report_prints(live_server, page, dept):
    administration = _fdg_administration(dept)
    man = dept["man"]
    sign_in(page, live_server, dept["administrator"])

    page.goto(f"{live_server.url}/administrations/patients/{man.pk}/")
    page.get_by_role("link", name="History").click()
    page.wait_for_url(f"**/audit/?model=patients.Patient&object={man.pk}")
    assert page.get_by_label("Record type").input_value() == "patients.Patient"
    rows = page.locator("[data-testid=audit-events] > tbody > tr")
    assert rows.count() == 1 and "Create" in rows.inner_text()
    page.locator("[data-testid=audit-events] details summary").first.click()  # a creation lists every field
    diff = page.locator("table.diff").first.inner_text()
    assert "Max" in diff and "1960-02-02" in diff

    page.get_by_label("Action").select_option("update")
    page.get_by_role("button", name="Filter").click()
    assert "No events match." in page.locator("[data-testid=audit-events]").inner_text()
    page.get_by_label("Action").select_option("create")
    page.get_by_role("button", name="Filter").click()
    with page.expect_download() as download:
        page.get_by_test_id("download-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    body = list(csv.reader(io.StringIO(text)))[1:]
    assert [(r[3], r[4], r[5]) for r in body] == [("create", "patients.Patient", str(man.pk))]

    page.goto(f"{live_server.url}/audit/?from=2026-13-01")
    assert "YYYY-MM-DD" in page.get_by_test_id("error-from").inner_text()

    page.goto(f"{live_server.url}/administrations/patients/{man.pk}/")
    page.get_by_test_id("print-dose-report").click()
    report = page.get_by_test_id("print-administrations")
    assert "FDG PET" in report.inner_text() and "% of the DRL 400 MBq" in report.inner_text()
    assert page.locator("header.topbar").is_visible()
    page.evaluate("window.print = () => { window.printed = true; }")  # no dialog in a test
    page.get_by_test_id("print-button").click()
    assert page.evaluate("window.printed === true")  # the button's script ran under the page's policy
    page.emulate_media(media="print")
    assert page.locator("header.topbar").is_hidden() and page.locator("footer").is_hidden()
    assert report.is_visible()
    page.emulate_media(media="screen")
    page.go_back()
    assert page.get_by_test_id("rrdsr-download").get_attribute("href") == (
        f"/api/v1/administrations/{administration.pk}/rrdsr"
    )


def test_a_role_without_the_trail_sees_no_history_link(live_server, page, dept):
    sign_in(page, live_server, dept["technologist"])
    page.goto(f"{live_server.url}/administrations/patients/{dept['man'].pk}/")
    assert page.get_by_test_id("print-dose-report").is_visible()
    assert page.get_by_test_id("history-link").count() == 0
