"""Find anything, in the browser: search a patient, filter prescriptions by day, download the CSV, and
pick a patient on the prescription form by typing (htmx under the pages' Content-Security-Policy)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from tests.browser.signin import sign_in

from nmguard.apps.core.actor import acting_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIENNA = ZoneInfo("Europe/Vienna")


def _rx(dept, patient, at: dt.datetime):
    from nmguard.apps.patients.models import Prescription

    with acting_as(dept["physician"], reason="test"):
        return Prescription.objects.create(
            patient=patient,
            protocol=dept["mdp_protocol"],
            scheduled_for=at,
            protocol_activity_Bq=600e6,
            activity_rule="test",
            prescribed_activity_Bq=600e6,
            prescribed_by=dept["physician"],
        )


def test_search_patient_filter_prescriptions_download_csv_and_pick(live_server, page, dept):
    _rx(dept, dept["man"], dt.datetime(2026, 3, 31, 23, 30, tzinfo=VIENNA))  # the last half hour of 31 March
    _rx(dept, dept["adult"], dt.datetime(2026, 4, 1, 0, 30, tzinfo=VIENNA))
    sign_in(page, live_server, dept["physician"])

    page.goto(f"{live_server.url}/administrations/")
    page.get_by_role("link", name="Patients", exact=True).click()
    page.get_by_label("Patient ID, name or birth date").fill("02.02.1960")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("[data-testid=patient-list] tbody tr")
    assert rows.count() == 1 and "Man, Max" in rows.inner_text()

    page.get_by_role("link", name="Prescriptions (any day)").click()
    page.get_by_label("From", exact=True).fill("2026-03-31")
    page.get_by_label("To", exact=True).fill("2026-03-31")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("[data-testid=prescription-list] tbody tr")
    assert rows.count() == 1 and "Man, Max" in rows.inner_text()
    assert page.locator("[data-testid=list-count]").inner_text() == "1 found"

    page.get_by_label("From", exact=True).fill("2026-04-02")
    page.get_by_label("To", exact=True).fill("2026-04-01")
    page.get_by_role("button", name="Filter").click()
    assert "before the start" in page.locator("[data-testid=error-to]").inner_text()
    page.get_by_label("From", exact=True).fill("2026-03-31")
    page.get_by_role("button", name="Filter").click()

    with page.expect_download() as info:
        page.locator("[data-testid=download-csv]").click()
    download = info.value
    assert download.suggested_filename == "prescriptions.csv"
    with open(download.path(), encoding="utf-8-sig") as f:
        table = list(csv.reader(io.StringIO(f.read())))
    assert [r[1] for r in table[1:]] == ["P-1", "P-2"]  # 1 April 00:30 first, then 31 March 23:30
    assert table[1][0] == "2026-04-01T00:30+02:00" and table[2][0] == "2026-03-31T23:30+02:00"

    page.goto(f"{live_server.url}/administrations/prescriptions/new/")
    assert page.locator("input[name=patient]").count() == 0  # no list of every patient
    page.get_by_label("Patient (search by ID, name or birth date)").fill("adult ann")
    choice = page.locator(f"input[name=patient][value='{dept['adult'].pk}']")
    choice.wait_for()
    assert page.locator("input[name=patient]").count() == 1
    choice.check()
    assert choice.is_checked()
