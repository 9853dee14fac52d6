"""Issue 10 item 6 in Chromium: "Record these VOI doses" put patient SYNTH-001's study (acquired 2026-03-02)
into another patient's cycle 2, overwrote its doses without e-signature, and the course still showed the
kidneys at 13 % of the constraint (cycle 1's 3.1 Gy of 23 Gy: the left and right kidney VOIs were not
kidneys). Now the page shows the mismatch, proposes the organ mapping, and records only with a confirmed
mapping, a reason for superseding and a signed reason for the mismatch; the course counts the kidneys."""

from __future__ import annotations

import re

import pytest
from tests.browser.signin import sign_in as _login
from tests.conftest import PASSWORD
from tests.therapy.recording_fixtures import (  # noqa: F401  (fixtures)
    other_course,
    psma,
    study_inbox,
    succeeded_job,
    synthetic_study_dir,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Left kidney 150 g at 4 Gy, right kidney 170 g at 5 Gy → kidneys (150·4 + 170·5) / 320 = 4.53125 Gy
VOIS = [("Liver", 2.0, 1800.0), ("Left kidney", 4.0, 150.0), ("Right kidney", 5.0, 170.0), ("Lesion 1", 20.0, 11.0)]
KIDNEYS_GY = (150 * 4.0 + 170 * 5.0) / 320
LIMIT_GY = 23.0


@pytest.fixture
def case(request):
    """The synthetic study (patient SYNTH-001) in the inbox, and patient P-2's course with doses in cycles 1-2."""
    return request.getfixturevalue("study_inbox"), request.getfixturevalue("other_course")


def _percent(page, organ: str) -> float:
    text = page.locator(f"[data-testid=course-summary] tr[data-organ='{organ}'] [data-testid=percent-of-limit]")
    return float(re.match(r"([\d.]+) %", text.inner_text()).group(1))


def test_another_patients_study_is_not_recorded_silently_and_the_kidneys_count(live_server, page, dept, case):
    inbox, course = case
    cycle2 = course.cycle_records.get(number=2)
    job = succeeded_job(cycle2, inbox, dept["physicist"], VOIS)
    _login(page, live_server.url, dept["physicist"])
    page.goto(f"{live_server.url}/therapy/courses/{course.pk}/")
    assert _percent(page, "kidneys") == pytest.approx(100 * (3.1 + 3.6) / LIMIT_GY, abs=0.05)

    page.goto(f"{live_server.url}/therapy/dosimetry/{job.pk}/")
    mismatch = page.locator("[data-testid=study-mismatch]").inner_text()
    assert "SYNTH-001" in mismatch and "P-2" in mismatch and "2026-03-02" in mismatch and "1960-05-01" in mismatch
    form = page.locator("[data-testid=record-form]")
    proposed = {
        form.locator(f"label[for=id_organ_{i}]").inner_text().split(" (")[0]: form.locator(
            f"#id_organ_{i}"
        ).input_value()
        for i in range(len(VOIS))
    }
    assert proposed == {"Liver": "liver", "Left kidney": "kidneys", "Right kidney": "kidneys", "Lesion 1": ""}
    assert not form.locator("#id_mapping_confirmed").is_checked()  # no default answer

    form.locator("button[type=submit]").click()  # as before: one click
    assert page.locator("[data-field=mapping_confirmed]").is_visible()
    cycle2.refresh_from_db()
    assert cycle2.organ_doses_Gy["kidneys"] == 3.6  # nothing overwritten

    form = page.locator("[data-testid=record-form]")
    form.locator("#id_mapping_confirmed").check()
    form.locator("button[type=submit]").click()
    assert page.locator("[data-field=mismatch_reason]").is_visible()

    form = page.locator("[data-testid=record-form]")
    form.locator("#id_mapping_confirmed").check()
    form.locator("#id_mismatch_reason").fill("patient IDs merged in PACS; study confirmed by the physician")
    form.locator("button[type=submit]").click()
    assert page.locator("[data-field=reason]").is_visible()

    form = page.locator("[data-testid=record-form]")
    form.locator("#id_mapping_confirmed").check()
    form.locator("#id_mismatch_reason").fill("patient IDs merged in PACS; study confirmed by the physician")
    form.locator("#id_reason").fill("SPECT/CT dosimetry replaces the earlier estimate")
    form.locator("#id_password").fill("not my password")
    form.locator("button[type=submit]").click()
    assert page.locator("[data-field=password]").is_visible()

    form = page.locator("[data-testid=record-form]")
    form.locator("#id_mapping_confirmed").check()
    form.locator("#id_mismatch_reason").fill("patient IDs merged in PACS; study confirmed by the physician")
    form.locator("#id_reason").fill("SPECT/CT dosimetry replaces the earlier estimate")
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/therapy/courses/{course.pk}/")
    assert _percent(page, "kidneys") == pytest.approx(100 * (3.1 + KIDNEYS_GY) / LIMIT_GY, abs=0.05)  # 33.2 %, not 13 %
    cycle = page.locator("[data-testid=cycle][data-cycle='2']")
    cycle.locator("[data-testid=dose-history] summary").click()
    rows = cycle.locator("[data-testid=dose-record]")
    assert rows.count() == 2
    history = cycle.locator("[data-testid=dose-history]").inner_text()
    assert "3.6 Gy" in history and "superseded" in history and "SPECT/CT dosimetry replaces" in history
    assert "Study mismatch accepted" in history and "signed by" in history


def test_the_record_form_is_not_offered_to_a_technologist(live_server, page, dept, case):
    inbox, course = case
    job = succeeded_job(course.cycle_records.get(number=2), inbox, dept["physicist"], VOIS)
    _login(page, live_server.url, dept["technologist"])
    page.goto(f"{live_server.url}/therapy/dosimetry/{job.pk}/")
    assert page.locator("[data-testid=study-mismatch]").is_visible()
    assert page.locator("[data-testid=record-form]").count() == 0
    page.goto(f"{live_server.url}/therapy/courses/{course.pk}/")
    assert page.locator("form").filter(has_text="Record").count() == 0
