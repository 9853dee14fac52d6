"""Printouts: the patient dose report (with RRDSR and FHIR downloads on the patient page), the batch
record and the medical-event report hold what they must, and a user without the area's view role is
refused (403)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.conftest import PASSWORD
from tests.department import now_minute
from tests.patients.test_administration_path import _therapy_event, answers, measure_for, prescribe_fdg

from nmguard.apps.core.actor import acting_as
from nmguard.apps.patients import services as administration
from nmguard.apps.radiopharmacy import services as hotlab
from nmguard.apps.radiopharmacy.models import Recipe

pytestmark = pytest.mark.django_db


def _fdg_administration(dept):
    at = now_minute()
    p = prescribe_fdg(dept, at)  # 3 MBq/kg × 70 kg = 210 MBq, DRL 400 MBq ("test value")
    measure_for(dept, p, at)
    administration.record_checks(p, answers(dept["man"], dept["fdg"], at), dept["technologist"])
    return administration.administer(
        p, administration.AdministrationInput(administered_at=at, route="iv", extravasation=False), dept["technologist"]
    )


@pytest.fixture
def no_role(dept, make_user):
    """A user whose only role was revoked: every role views every area, so this is who is refused."""
    user = make_user("technologist", "revoked")
    with acting_as(dept["administrator"], reason="left the department"):
        user.groups.clear()
    return user


def _text(response) -> str:
    return response.content.decode()


def test_patient_dose_report_lists_doses_with_coefficient_source_and_drl(client, dept):
    a = _fdg_administration(dept)
    client.force_login(dept["technologist"])
    page = _text(client.get(f"/administrations/patients/{dept['man'].pk}/"))
    assert f'href="/administrations/patients/{dept["man"].pk}/dose-report/"' in page
    assert (
        f'href="/api/v1/administrations/{a.pk}/rrdsr"' in page and f'href="/api/v1/administrations/{a.pk}/fhir"' in page
    )
    assert client.get(f"/api/v1/administrations/{a.pk}/rrdsr")["Content-Type"] == "application/dicom"
    assert client.get(f"/api/v1/administrations/{a.pk}/fhir").json()["resourceType"] == "MedicationAdministration"

    report = client.get(f"/administrations/patients/{dept['man'].pk}/dose-report/")
    assert report.status_code == 200
    html = _text(report)
    assert "Man, Max" in html and "P-2" in html and "FDG PET" in html
    # effective dose = activity × 0.019 mSv/MBq (ICRP 128, FDG, adult), to 3 significant figures
    dose = a.administered_activity_Bq / 1e6 * 0.019
    assert f"{dose:.3g} mSv" in html
    assert "0.019 mSv/MBq" in html and a.dose_basis["edition"] in html
    # DRL comparison: the activity against the protocol's 400 MBq, with the DRL's source
    drl_cell = html.split('data-testid="drl-cell">', 1)[1].split("</td>", 1)[0]
    assert f"{100 * a.administered_activity_Bq / 400e6:.1f} % of the DRL 400 MBq" in drl_cell
    assert "test value" in drl_cell and "above" not in drl_cell


def test_batch_record_holds_preparation_tests_release_and_dispensings(client, dept, make_user):
    rph = make_user("radiopharmacist", "rph-print")
    now = now_minute()
    with acting_as(rph, reason="fixture"):
        recipe = Recipe.objects.create(
            name="MDP kit", radiopharmaceutical=dept["mdp"], kit="MDP 5 mg", min_activity_MBq=500,
            max_activity_MBq=20000, max_volume_mL=10, shelf_life_h=8, max_dose_volume_mL=10,
        )  # fmt: skip
    batch = hotlab.prepare_batch(
        recipe, number="PR-1", prepared_at=now - dt.timedelta(hours=1), activity_Bq=10e9, volume_mL=5.0,
        components=[hotlab.Component("MDP kit", "K-LOT-77", timezone.localdate() + dt.timedelta(days=30))], user=rph,
    )  # fmt: skip
    hotlab.record_test(batch, test="rcp", value=96.5, user=rph)
    hotlab.record_test(batch, test="endotoxins", value=2.0, user=rph)
    hotlab.release(batch, qualified_person=rph, password=PASSWORD)
    p = administration.prescribe(
        patient=dept["man"],
        protocol=dept["mdp_protocol"],
        scheduled_for=now,
        weight_kg=80,
        prescriber=dept["physician"],
    )
    hotlab.dispense(
        batch, prescription=p, wanted_Bq=600e6, wanted_at=now + dt.timedelta(minutes=30), meter=dept["meter"],
        measured_Bq=640e6, measured_at=now, user=rph,
    )  # fmt: skip
    client.force_login(dept["technologist"])
    assert f'href="/hotlab/batches/{batch.pk}/record/"' in _text(client.get(f"/hotlab/batches/{batch.pk}/"))
    html = _text(client.get(f"/hotlab/batches/{batch.pk}/record/"))
    assert "Batch record PR-1" in html and "K-LOT-77" in html and "10 GBq" in html
    tests = html.split('data-testid="print-release-tests"', 1)[1].split("</table>", 1)[0]
    assert "rcp" in tests and "96.5" in tests and "endotoxins" in tests
    release = html.split('data-testid="print-release">', 1)[1].split("</p>", 1)[0]
    assert "Released by" in release and "the signature matches the record" in release
    dispensings = html.split('data-testid="print-dispensings"', 1)[1].split("</table>", 1)[0]
    assert "640 MBq" in dispensings and "MAN, Max (P-2)" in dispensings
    assert "<form" not in html.split('data-testid="batch-record"', 1)[1]  # a record, not a work page


def test_medical_event_report_holds_event_dose_deadlines_and_signatures(client, dept, make_user):
    event = _therapy_event(dept)  # 7.4 GBq 131I given for 5.55 GBq prescribed
    rpo = make_user("rpo", "rpo-print")
    administration.advance_medical_event(event, user=rpo, password=PASSWORD, note="NRC Operations Center, event 4711")
    client.force_login(dept["physician"])
    assert f'href="/administrations/medical-events/{event.pk}/report/"' in _text(
        client.get("/administrations/medical-events/")
    )
    html = _text(client.get(f"/administrations/medical-events/{event.pk}/report/"))
    assert f"Medical event report #{event.pk}" in html
    assert "35.3045" in html  # the criterion's citation (10 CFR 35.3045)
    assert "7.4 GBq" in html and "5.55 GBq" in html
    deviation = html.split('data-testid="print-deviation">', 1)[1].split("</td>", 1)[0]
    assert deviation == f"{100 * (7400 - 5550) / 5550:.1f} %"  # 33.3 %
    steps = html.split('data-testid="print-steps"', 1)[1].split("</table>", 1)[0]
    for step in event.reporting_steps:
        assert step["action"] in steps
        due = timezone.localtime(dt.datetime.fromisoformat(step["due"]))
        assert due.strftime("%Y-%m-%d %H:%M") in steps
    signatures = html.split('data-testid="print-signatures"', 1)[1].split("</table>", 1)[0]
    assert "Reported" in signatures and "Test rpo" in signatures
    assert "event 4711" in html


def test_a_user_without_the_areas_view_role_is_refused_every_printout(client, dept, no_role):
    a = _fdg_administration(dept)
    client.force_login(no_role)
    for url in (
        f"/administrations/patients/{dept['man'].pk}/dose-report/",
        "/hotlab/batches/1/record/",
        "/administrations/medical-events/1/report/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/api/v1/administrations/{a.pk}/rrdsr").status_code == 403


def test_printouts_of_missing_records_are_404(client, dept):
    client.force_login(dept["technologist"])
    for url in (
        "/administrations/patients/999999/dose-report/",
        "/hotlab/batches/999999/record/",
        "/administrations/medical-events/999999/report/",
    ):
        assert client.get(url).status_code == 404, url
