"""Issue 10 on the administration pages, one test per defect as it was seen in the browser.

Each test reproduces the entry that was accepted before (a default answer, a time out of order, an
implausible prescription or patient, a form offered to a role that is then refused) and checks that
the page now refuses it next to the field, or holds it for a physician's e-signed override.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from tests.browser.signin import sign_in as _login
from tests.conftest import PASSWORD
from tests.patients.clock import at_department_noon

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _department_noon():
    with at_department_noon():
        yield


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _now() -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0)


def _error(page, field: str) -> str:
    return page.locator(f"p.error[data-field={field}]").inner_text()


def _measured(dept, patient="man", protocol="mdp_protocol", activity_Bq=612e6, measured_at=None, scheduled=None):
    from nmguard.apps.patients import services

    p = services.prescribe(
        patient=dept[patient],
        protocol=dept[protocol],
        scheduled_for=scheduled or _now(),
        weight_kg=70,
        prescriber=dept["physician"],
    )
    services.record_measurement(
        p,
        meter=dept["meter"],
        activity_Bq=activity_Bq,
        measured_at=measured_at or _now() - dt.timedelta(minutes=10),
        user=dept["technologist"],
    )
    return p


def _fill_identity(checks, patient) -> None:
    checks.locator("#id_patient_id").fill(patient.mrn)
    checks.locator("#id_birth_date").fill(patient.birth_date.isoformat())


# ---------------------------------------------------------------- item 2
def test_untouched_pregnancy_and_product_are_not_recorded(live_server, page, dept):
    """Pregnancy defaulted to "Not pregnant" and "Product drawn up" to the prescribed product."""
    from nmguard.apps.patients.models import SafetyCheck

    p = _measured(dept, patient="adult", protocol="fdg_protocol", activity_Bq=220e6)  # a woman of 36
    _login(page, live_server, dept["technologist"])
    page.goto(f"{live_server.url}/administrations/prescriptions/{p.pk}/")
    checks = page.locator("[data-testid=checks-form]")
    assert checks.locator("input[name=pregnancy]:checked").count() == 0
    assert checks.locator("input[name=breastfeeding]:checked").count() == 0
    assert checks.locator("input[name=previous_reaction]:checked").count() == 0
    assert checks.locator("#id_radiopharmaceutical").input_value() == ""
    _fill_identity(checks, dept["adult"])
    checks.locator("button").click()
    for field in ("pregnancy", "breastfeeding", "previous_reaction", "radiopharmaceutical"):
        assert _error(page, field), field
    assert not SafetyCheck.objects.filter(prescription=p).exists()
    checks = page.locator("[data-testid=checks-form]")
    _fill_identity(checks, dept["adult"])
    checks.locator("input[name=pregnancy][value=not_pregnant]").check()
    checks.locator("input[name=breastfeeding][value=no]").check()
    checks.locator("input[name=previous_reaction][value=no]").check()
    checks.locator("#id_radiopharmaceutical").select_option(label="18F-FDG")
    checks.locator("#id_planned_at").fill(_local(_now()))
    checks.locator("button").click()
    page.wait_for_selector("[data-testid=checks]")
    assert SafetyCheck.objects.get(prescription=p, kind="pregnancy").detail["answer"] == "not_pregnant"


# ---------------------------------------------------------------- item 3: time order
def test_injection_before_the_measurement_is_refused(live_server, page, dept):
    """612 MBq measured at 11:00, injected "at 09:00": was decayed backwards and recorded."""
    from nmguard.apps.patients.models import SafetyCheck

    measured = _now() - dt.timedelta(minutes=30)
    p = _measured(dept, measured_at=measured)
    _login(page, live_server, dept["technologist"])
    page.goto(f"{live_server.url}/administrations/prescriptions/{p.pk}/")
    checks = page.locator("[data-testid=checks-form]")
    _fill_identity(checks, dept["man"])
    checks.locator("input[name=previous_reaction][value=no]").check()
    checks.locator("#id_radiopharmaceutical").select_option(label="99mTc-MDP")
    checks.locator("#id_planned_at").fill(_local(measured - dt.timedelta(hours=2)))
    checks.locator("button").click()
    assert "before the dose measurement" in _error(page, "planned_at")
    assert not SafetyCheck.objects.filter(prescription=p).exists()


def test_administration_before_the_measurement_is_refused(live_server, page, dept):
    from tests.patients.test_administration_path import answers

    from nmguard.apps.patients import services
    from nmguard.apps.patients.models import Administration

    measured = _now() - dt.timedelta(minutes=30)
    p = _measured(dept, measured_at=measured)
    services.record_checks(p, answers(dept["man"], dept["mdp"], measured), dept["technologist"])
    _login(page, live_server, dept["technologist"])
    page.goto(f"{live_server.url}/administrations/prescriptions/{p.pk}/")
    form = page.locator("[data-testid=administer-form]")
    form.locator("#id_administered_at").fill(_local(measured - dt.timedelta(hours=2)))
    form.locator("#id_route").select_option("iv")
    form.locator("input[name=extravasation][value=no]").check()
    form.locator("button").click()
    assert "before the dose measurement" in _error(page, "administered_at")
    assert not Administration.objects.exists()


def test_measurement_from_another_day_is_dated_and_blocks(live_server, page, dept):
    """A 2020 measurement was accepted for today's prescription and shown only as "at 10:00"."""
    old = _now().replace(year=2020)
    p = _measured(dept, activity_Bq=612e6, measured_at=old)
    _login(page, live_server, dept["technologist"])
    page.goto(f"{live_server.url}/administrations/prescriptions/{p.pk}/")
    assert "2020-" in page.locator("[data-testid=measurement]").inner_text()
    checks = page.locator("[data-testid=checks-form]")
    _fill_identity(checks, dept["man"])
    checks.locator("input[name=previous_reaction][value=no]").check()
    checks.locator("#id_radiopharmaceutical").select_option(label="99mTc-MDP")
    checks.locator("#id_planned_at").fill(_local(_now()))
    checks.locator("button").click()
    row = page.locator("[data-testid=checks] tr", has_text="measured on the day")
    assert "Fail" in row.inner_text() and "2020" in row.inner_text()
    assert page.locator("[data-testid=administer-form]").count() == 0
    assert page.locator("[data-testid=status]").inner_text() == "Dose measured"


def test_planned_injection_time_this_afternoon_is_accepted(live_server, page, dept):
    """'Planned injection time' refused a normal afternoon time with "lies more than 10 min in the future"."""
    later = _now() + dt.timedelta(hours=3)
    p = _measured(dept, measured_at=_now(), scheduled=later)
    _login(page, live_server, dept["technologist"])
    page.goto(f"{live_server.url}/administrations/prescriptions/{p.pk}/")
    checks = page.locator("[data-testid=checks-form]")
    assert "may be later today" in checks.locator("label[for=id_planned_at]").inner_text()
    _fill_identity(checks, dept["man"])
    checks.locator("input[name=previous_reaction][value=no]").check()
    checks.locator("#id_radiopharmaceutical").select_option(label="99mTc-MDP")
    checks.locator("#id_planned_at").fill(_local(later))
    checks.locator("button").click()
    page.wait_for_selector("[data-testid=checks]")
    assert page.locator("p.error[data-field=planned_at]").count() == 0


# ---------------------------------------------------------------- item 3: prescriptions
def _prescribe_in_browser(page, live_server, dept, at, activity="", reason="", password=""):
    page.goto(f"{live_server.url}/administrations/prescriptions/new/?patient={dept['man'].pk}")
    page.locator("#id_protocol").select_option(label="Bone scan")
    page.locator("#id_scheduled_for").fill(_local(at))
    page.locator("#id_weight_kg").fill("80")
    page.locator("#id_activity").fill(activity)
    page.locator("#id_override_reason").fill(reason)
    page.locator("#id_signature_password").fill(password)
    page.locator("button[type=submit]").click()


def test_prescription_in_the_past_and_duplicate_are_refused(live_server, page, dept):
    from nmguard.apps.patients.models import Prescription

    _login(page, live_server, dept["physician"])
    _prescribe_in_browser(page, live_server, dept, _now() - dt.timedelta(days=1))
    assert "in the past" in _error(page, "scheduled_for")
    at = _now() + dt.timedelta(hours=1)
    _prescribe_in_browser(page, live_server, dept, at)
    page.wait_for_selector("[data-testid=prescribed]")
    _prescribe_in_browser(page, live_server, dept, at)
    assert "already has" in _error(page, "scheduled_for")
    assert Prescription.objects.count() == 1


def test_activity_far_above_the_protocol_needs_a_signed_reason(live_server, page, dept):
    """5 GBq MDP (protocol 600 MBq) went through with the reason "x"."""
    from nmguard.apps.patients.models import Prescription

    at = _now() + dt.timedelta(hours=1)
    _login(page, live_server, dept["physician"])
    _prescribe_in_browser(page, live_server, dept, at, activity="5 GBq", reason="x")
    assert "reason of substance" in _error(page, "override_reason")
    reason = "whole-body survey under the research protocol 2026-17"
    _prescribe_in_browser(page, live_server, dept, at, activity="5 GBq", reason=reason)
    assert "sign the override" in _error(page, "signature_password")
    assert not Prescription.objects.exists()
    _prescribe_in_browser(page, live_server, dept, at, activity="5 GBq", reason=reason, password=PASSWORD)
    summary = page.locator("[data-testid=summary]").inner_text()
    assert "5 GBq" in summary and "e-signed by" in summary and reason in summary
    assert Prescription.objects.get().override_signature.signer == dept["physician"]


# ---------------------------------------------------------------- item 3: patients
def _new_patient(page, live_server, mrn, family="Muster", given="Eva", born="1970-01-01", confirm=False):
    page.goto(f"{live_server.url}/administrations/patients/new/")
    page.locator("#id_mrn").fill(mrn)
    page.locator("#id_family_name").fill(family)
    page.locator("#id_given_name").fill(given)
    page.locator("#id_birth_date").fill(born)
    page.locator("#id_sex").select_option("F")
    if confirm:
        page.locator("#id_confirm_distinct").check()
    page.locator("button[type=submit]").click()


def test_patient_duplicates_and_implausible_birth_date_are_refused(live_server, page, dept):
    from nmguard.apps.patients.models import Patient

    _login(page, live_server, dept["technologist"])
    before = Patient.objects.count()
    _new_patient(page, live_server, "p-1", family="Other", born="1980-05-05")  # the fixture's P-1 in lower case
    assert "exists already" in _error(page, "mrn")
    _new_patient(page, live_server, "NM-9", born="1899-12-31")
    assert "before 1900" in _error(page, "birth_date")
    _new_patient(page, live_server, "NM-9", family="adult", given="ann", born="1990-05-01")  # the fixture's Ann Adult
    assert "same name and birth date" in _error(page, "confirm_distinct")
    assert Patient.objects.count() == before
    _new_patient(page, live_server, "NM-9", family="Adult", given="Ann", born="1990-05-01", confirm=True)
    page.wait_for_selector("[data-testid=dose-history]")
    assert Patient.objects.count() == before + 1


# ---------------------------------------------------------------- item 7 and 8
def test_forms_only_for_roles_that_may_submit_them(live_server, page, dept):
    """A technologist saw "New prescription" and "Override (physician)" and was refused on submit."""
    from tests.patients.test_administration_path import answers

    from nmguard.apps.patients import services

    at = _now()
    p = _measured(dept, measured_at=at - dt.timedelta(minutes=10), activity_Bq=2e9)  # far over: activity fails
    services.record_checks(p, answers(dept["man"], dept["mdp"], at), dept["technologist"])
    _login(page, live_server, dept["technologist"])
    page.goto(f"{live_server.url}/administrations/")
    assert page.locator("a:has-text('New prescription')").count() == 0
    assert page.locator("a:has-text('New patient')").count() == 1
    page.goto(f"{live_server.url}/administrations/prescriptions/{p.pk}/")
    assert page.locator("summary:has-text('Override')").count() == 0
    assert "a physician may override" in page.locator("[data-testid=checks]").inner_text()
    page.goto(f"{live_server.url}/administrations/prescriptions/new/")
    assert page.locator("form #id_protocol").count() == 0  # refused, no form to fill in vain


def test_medical_event_reporting_follows_roles_and_names_them(live_server, page, dept, make_user):
    """The RPO may mark "reported" but saw no form; the technologist saw one and was refused."""
    from tests.patients.test_administration_path import _therapy_event

    _therapy_event(dept)
    rpo = make_user("rpo", "rpo-b")
    _login(page, live_server, dept["technologist"])
    page.goto(f"{live_server.url}/administrations/medical-events/")
    assert page.locator("summary:has-text('Mark reported')").count() == 0
    page.context.clear_cookies()
    _login(page, live_server, rpo)
    page.goto(f"{live_server.url}/administrations/medical-events/")
    assert page.locator("summary:has-text('Mark reported')").count() == 1
    steps = page.locator("[data-testid=reporting-step]").all_inner_texts()
    assert steps and all("Radiation protection officer" in s or "Physician" in s for s in steps), steps
    assert any("Physician" in s for s in steps if "Notify" in s)
    text = page.locator("[data-testid=medical-events]").inner_text()
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d (CET|CEST)", text), text  # deadlines with their zone
    assert "T" not in re.findall(r"due \S+", text)[0]  # not a raw ISO string


def test_prescription_page_shows_zones_units_and_no_none(live_server, page, dept):
    from tests.patients.test_administration_path import answers

    from nmguard.apps.patients import services

    at = _now()
    p = _measured(dept, measured_at=at - dt.timedelta(minutes=10))
    services.record_checks(p, answers(dept["man"], dept["mdp"], at), dept["technologist"])
    services.administer(
        p, services.AdministrationInput(administered_at=at, route="iv", extravasation=False), dept["technologist"]
    )
    _login(page, live_server, dept["technologist"])
    for url in (
        f"/administrations/prescriptions/{p.pk}/",
        f"/administrations/patients/{dept['man'].pk}/",
        "/administrations/",
        "/administrations/drl/",
    ):
        page.goto(f"{live_server.url}{url}")
        text = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
        assert "None" not in text and "{'" not in text and "e+" not in text, url
    page.goto(f"{live_server.url}/administrations/prescriptions/{p.pk}/")
    administered = page.locator("[data-testid=administered]").inner_text()
    assert re.search(r"\d\d:\d\d (CET|CEST)", administered), administered
    assert re.search(r"\d\d:\d\d (CET|CEST)", page.locator("[data-testid=scheduled]").inner_text())
