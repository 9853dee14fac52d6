# ruff: noqa: F811  (the hot lab fixture ``lab`` imported and named as an argument)
"""The competence block (issue 16 item 4): a guarded task needs, on its local day, a valid signed competence and
its required trainings in date. A lapsed competence refuses QP release, administration, QC approval and dosimetry
sign-off with the message naming the competence and the day it lapsed — in the service, the page (form error),
the API (422 with the field) and the CLI (``error:`` line, exit 2); a renewed one lets the task through. Off until
switched on."""

from __future__ import annotations

import datetime as dt
from html import escape

import pytest
import time_machine
from django.utils import timezone

from nmguard.apps.core.competence import CompetenceRefused
from nmguard.apps.quality.competence_services import set_task_guard, sign_competence, task_refusal
from nmguard.apps.quality.training_services import record_training, sync_trainings
from nmguard.apps.radiopharmacy import services as hotlab
from nmguard.apps.radiopharmacy.models import Batch
from nmguard.cli import main
from nmguard.reference.training_requirements import add_months, training_requirements
from tests.conftest import PASSWORD
from tests.radiopharmacy.test_hot_lab_day import _batch, lab  # noqa: F401 (fixture)
from tests.therapy.recording_fixtures import (  # noqa: F401 (fixtures)
    other_course,
    psma,
    study_inbox,
    succeeded_job,
    synthetic_study_dir,
)

pytestmark = pytest.mark.django_db


def make_competent(person, task: str, qm, valid_from: dt.date | None = None) -> None:
    """Record every training the task needs and sign the competence, both from ``valid_from`` (today)."""
    day = valid_from or timezone.localdate()
    sync_trainings(qm)
    from nmguard.apps.quality.training_models import Training

    for key in training_requirements().tasks[task].trainings:
        record_training(person, Training.objects.get(key=key), day, "certificate", qm)
    sign_competence(person, task, day, "observed", qm, PASSWORD)


def lapse_competence(person, task: str, qm) -> dt.date:
    """Sign the competence (with in-date trainings) its validity and 70 days ago, so it has lapsed; the day it
    lapsed."""
    months = training_requirements().tasks[task].validity_months
    past = timezone.now() - dt.timedelta(days=round(months * 30.44) + 70)
    with time_machine.travel(past, tick=False):
        signed_on = timezone.localdate()
        make_competent(person, task, qm)
    from nmguard.apps.quality.training_models import Training

    for key in training_requirements().tasks[task].trainings:  # the trainings are in date; only the competence lapsed
        record_training(person, Training.objects.get(key=key), timezone.localdate(), "refresher", qm)
    return add_months(signed_on, training_requirements().tasks[task].validity_months)


def test_the_block_is_off_until_the_department_switches_it_on(lab, qm):
    """No lock-out on upgrade: without a TaskGuard the rph without any competence still reaches the tests' check."""
    batch = _batch(lab, timezone.now().replace(second=0, microsecond=0))
    assert task_refusal(lab["rph"], "qp_release", timezone.localdate()) is None
    with pytest.raises(Exception, match="rcp missing"):
        hotlab.release(batch, qualified_person=lab["rph"], password=PASSWORD)
    set_task_guard("qp_release", True, "", qm)
    with pytest.raises(CompetenceRefused, match=r"QP release needs the competence 'QP batch release' — .* has none"):
        hotlab.release(batch, qualified_person=lab["rph"], password=PASSWORD)


def _releasable(lab):
    batch = _batch(lab, timezone.now().replace(second=0, microsecond=0))
    hotlab.record_test(batch, test="rcp", value=96.5, user=lab["rph"])
    hotlab.record_test(batch, test="endotoxins", value=2.0, user=lab["rph"])
    return batch


def test_qp_release_blocked_in_service_page_api_and_cli_then_renewed(lab, qm, client, capsys):
    rph = lab["rph"]
    lapsed_on = lapse_competence(rph, "qp_release", qm)
    assert lapsed_on < timezone.localdate()
    set_task_guard("qp_release", True, "", qm)
    message = f"QP release needs the competence 'QP batch release' — lapsed on {lapsed_on.isoformat()}"
    batch = _releasable(lab)

    with pytest.raises(CompetenceRefused) as info:
        hotlab.release(batch, qualified_person=rph, password=PASSWORD)
    assert info.value.message == message and info.value.field == "qualified_person"

    client.force_login(rph)
    page = client.post(f"/hotlab/batches/{batch.pk}/release/", {"password": PASSWORD, "statement": ""})
    assert page.status_code in (200, 400) and escape(message) in page.content.decode()

    api = client.post(
        f"/api/v1/hotlab/batches/{batch.pk}/release", {"password": PASSWORD}, content_type="application/json"
    )
    assert api.status_code == 422
    assert api.json()["detail"][0] == {"loc": ["body", "qualified_person"], "msg": message, "type": "value_error"}

    assert main(["training", "check", "--person", rph.username, "--task", "qp_release"]) == 2
    assert f"error: {message}" in capsys.readouterr().err.splitlines()
    batch.refresh_from_db()
    assert batch.status == Batch.Status.PREPARED  # nothing released

    sign_competence(rph, "qp_release", timezone.localdate(), "re-assessed", qm, PASSWORD)  # renewal
    assert main(["training", "check", "--person", rph.username, "--task", "qp_release"]) == 0
    r = client.post(
        f"/api/v1/hotlab/batches/{batch.pk}/release", {"password": PASSWORD}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "released"


def test_a_lapsed_required_training_blocks_too_and_names_the_training(lab, qm):
    rph = lab["rph"]
    make_competent(rph, "qp_release", qm)
    set_task_guard("qp_release", True, "", qm)
    day = timezone.localdate()
    assert task_refusal(rph, "qp_release", day) is None
    aseptic_expiry = add_months(day, 12)  # aseptic technique: 12 months (data)
    later = aseptic_expiry  # the first day it is no longer valid
    assert task_refusal(rph, "qp_release", later - dt.timedelta(days=1)) is None
    assert task_refusal(rph, "qp_release", later) == (
        f"QP release needs the training 'Aseptic technique (media fill)' in date — lapsed on {later.isoformat()}"
    )


def _checked_prescription(dept):
    from nmguard.apps.patients import services as patients
    from tests.patients.test_administration_path import answers, measure_for, prescribe_fdg

    at = timezone.now().replace(second=0, microsecond=0)
    p = prescribe_fdg(dept, at)
    measure_for(dept, p, at)
    patients.record_checks(p, answers(dept["man"], dept["fdg"], at), dept["technologist"])
    return p, at


def test_administration_blocked_in_service_page_api_and_cli_then_renewed(dept, qm, client, capsys):
    from nmguard.apps.patients import services as patients
    from nmguard.apps.patients.models import Administration

    tech = dept["technologist"]
    lapsed_on = lapse_competence(tech, "administration", qm)
    set_task_guard("administration", True, "", qm)
    message = f"Administration needs the competence 'Radiopharmaceutical administration' — lapsed on {lapsed_on}"
    p, at = _checked_prescription(dept)
    data = patients.AdministrationInput(administered_at=at, route="iv", site="left arm", extravasation=False)
    with pytest.raises(CompetenceRefused) as info:
        patients.administer(p, data, tech)
    assert info.value.message == message and info.value.field == "administered_by"

    client.force_login(tech)
    local = timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")
    form = {"administered_at": local, "route": "iv", "site": "left arm", "extravasation": "no"}
    page = client.post(f"/administrations/prescriptions/{p.pk}/administer/", form)
    assert escape(message) in page.content.decode()

    body = {"administered_at": at.isoformat(), "route": "iv", "extravasation": False}
    api = client.post(f"/api/v1/prescriptions/{p.pk}/administration", body, content_type="application/json")
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"] == ["body", "administered_by"] and api.json()["detail"][0]["msg"] == message

    on = timezone.localdate(at).isoformat()
    assert main(["training", "check", "--person", tech.username, "--task", "administration", "--on", on]) == 2
    assert f"error: {message}" in capsys.readouterr().err.splitlines()
    assert Administration.objects.count() == 0

    sign_competence(tech, "administration", timezone.localdate(), "re-assessed", dept["physicist"], PASSWORD)
    api = client.post(f"/api/v1/prescriptions/{p.pk}/administration", body, content_type="application/json")
    assert api.status_code == 201, api.content
    assert Administration.objects.count() == 1


def test_dosimetry_signoff_blocked_in_service_page_api_and_cli_then_renewed(
    dept, qm, other_course, study_inbox, client, capsys
):
    """Recording a cycle's doses (typed, or a dosimetry run's) is the dosimetry sign-off: a physicist whose
    competence lapsed is refused before anything is stored, whatever the way in; renewed, the doses go in."""
    from nmguard.apps.therapy import services as therapy
    from nmguard.apps.therapy.models import CycleDoseRecord

    physicist = dept["physicist"]
    lapsed_on = lapse_competence(physicist, "dosimetry_signoff", qm)
    set_task_guard("dosimetry_signoff", True, "", qm)
    message = f"Dosimetry sign-off needs the competence 'Therapy dosimetry sign-off' — lapsed on {lapsed_on}"
    cycle1, cycle2 = other_course.cycle_records.order_by("number")[:2]
    before = CycleDoseRecord.objects.count()

    with pytest.raises(CompetenceRefused) as info:
        therapy.record_cycle_doses(
            cycle1, organ_doses_Gy={"kidneys": 2.0}, method="re-read", user=physicist, reason="calibration corrected"
        )
    assert info.value.message == message and info.value.field == "user"

    client.force_login(physicist)
    form = {"doses": "kidneys = 2.5", "method": "re-read", "reason": "wrong calibration factor used"}
    page = client.post(f"/therapy/courses/{other_course.pk}/cycles/{cycle1.pk}/doses/", form)
    assert page.status_code == 200 and escape(message) in page.content.decode()

    job = succeeded_job(cycle2, study_inbox, physicist, [("Left kidney", 4.0, 150.0)])
    body = {"mapping": {"Left kidney": "kidneys"}, "mapping_confirmed": False}  # the competence is said first
    api = client.post(f"/api/v1/dosimetry/jobs/{job.pk}/record", body, content_type="application/json")
    assert api.status_code == 422 and api.json()["detail"][0]["msg"] == message

    cli = ["training", "check", "--person", physicist.username, "--task", "dosimetry_signoff"]
    assert main(cli) == 2
    assert f"error: {message}" in capsys.readouterr().err.splitlines()
    assert CycleDoseRecord.objects.count() == before
    cycle1.refresh_from_db()
    assert cycle1.organ_doses_Gy["kidneys"] == 3.1

    sign_competence(physicist, "dosimetry_signoff", timezone.localdate(), "re-assessed", qm, PASSWORD)
    assert client.post(f"/therapy/courses/{other_course.pk}/cycles/{cycle1.pk}/doses/", form).status_code == 302
    cycle1.refresh_from_db()
    assert cycle1.organ_doses_Gy == {"kidneys": 2.5}
    assert main(cli) == 0


def test_qc_approval_is_guarded(dept, qm):
    physicist = dept["physicist"]
    set_task_guard("qc_approval", True, "", qm)
    day = timezone.localdate()
    assert task_refusal(physicist, "qc_approval", day).startswith(
        "QC approval needs the competence 'QC result approval'"
    )
    make_competent(physicist, "qc_approval", qm)
    assert task_refusal(physicist, "qc_approval", day) is None
    # the day the competence lapses (24 months, data): refused from that day on
    expiry = add_months(day, 24)
    assert task_refusal(physicist, "qc_approval", expiry) == (
        f"QC approval needs the competence 'QC result approval' — lapsed on {expiry}"
    )


def test_a_day_before_the_competence_began_is_refused(dept, qm):
    """A competence valid from today does not cover yesterday's task (a back-dated entry of the task)."""
    tech = dept["technologist"]
    make_competent(tech, "administration", qm)
    set_task_guard("administration", True, "", qm)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert "has none" in task_refusal(tech, "administration", yesterday)
    assert task_refusal(tech, "administration", timezone.localdate()) is None


def test_cli_check_names_a_bad_task_and_user(dept, capsys):
    assert main(["training", "check", "--person", "nobody", "--task", "qp_release"]) == 2
    assert "error: --person: no active user 'nobody'" in capsys.readouterr().err
    assert main(["training", "check", "--person", dept["technologist"].username, "--task", "flying"]) == 2
    assert capsys.readouterr().err.startswith("error: task: one of qp_release")
