"""Training and competence pages and API (issue 16 item 4): my training, the matrix with lapsed in red, record a
training (errors by their field), sign a competence (e-signature; role checked by the service), the block per
task, who may do what; the API's 422 naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.apps.quality.training_models import Competence, TaskGuard, Training, TrainingRecord
from nmguard.apps.quality.training_services import sync_trainings
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    qm = make_user("quality_manager", "qm1")
    sync_trainings(qm)
    return {"qm": qm, "tech": make_user("technologist", "tech1"), "phys": make_user("physicist", "phys1")}


def test_record_a_training_then_see_it_on_the_person_and_the_matrix(client, people):
    qm, tech = people["qm"], people["tech"]
    rp = Training.objects.get(key="radiation_protection")
    client.force_login(qm)
    assert client.get("/quality/training/record/").status_code == 200
    today = timezone.localdate()
    bad = client.post(
        "/quality/training/record/",
        {
            "person": tech.pk,
            "training": rp.pk,
            "completed_on": (today + dt.timedelta(days=3)).isoformat(),
            "evidence": "",
        },
    )
    html = bad.content.decode()
    assert bad.status_code == 400 and 'data-field="evidence"' in html
    future = client.post(
        "/quality/training/record/",
        {
            "person": tech.pk,
            "training": rp.pk,
            "completed_on": (today + dt.timedelta(days=3)).isoformat(),
            "evidence": "c",
        },
    )
    assert future.status_code == 400 and 'data-field="completed_on"' in future.content.decode()
    old = today - dt.timedelta(days=400)  # 12 months: lapsed
    ok = client.post(
        "/quality/training/record/",
        {"person": tech.pk, "training": rp.pk, "completed_on": old.isoformat(), "evidence": "course 2025"},
    )
    assert ok.status_code == 302 and TrainingRecord.objects.get().recorded_by == qm
    page = client.get(f"/quality/training/people/{tech.pk}/").content.decode()
    assert 'data-state="lapsed"' in page and "Radiation protection" in page
    matrix = client.get("/quality/training/matrix/").content.decode()
    row = matrix[matrix.index('data-person="tech1"') :].split("</tr>")[0]
    assert 'class="error" data-state="lapsed"' in row and 'data-state="missing"' in row  # activity meter never
    assert 'class="subnav"' in matrix


def test_only_the_quality_manager_records_and_switches_the_block(client, people):
    client.force_login(people["tech"])
    assert client.get("/quality/training/").status_code == 200  # my training: everyone
    assert client.get("/quality/training/record/").status_code == 403
    assert client.post("/quality/training/guards/", {"task": "qp_release", "enforced": "on"}).status_code == 403
    client.force_login(people["qm"])
    off = client.post("/quality/training/guards/", {"task": "administration", "reason": ""})
    assert off.status_code == 400 and 'data-field="reason"' in off.content.decode()
    assert client.post("/quality/training/guards/", {"task": "administration", "enforced": "on"}).status_code == 302
    assert TaskGuard.objects.get(task="administration").enforced


def test_sign_a_competence_on_the_page(client, people):
    tech, phys = people["tech"], people["phys"]
    form = {"person": tech.pk, "task": "administration", "valid_from": timezone.localdate().isoformat()}
    client.force_login(tech)  # a technologist may not sign: refused by the service, shown on the form
    refused = client.post("/quality/training/competences/sign/", {**form, "assessment": "x", "password": PASSWORD})
    assert refused.status_code == 400 and "needs the role" in refused.content.decode()
    client.force_login(phys)
    hint = client.get("/quality/training/competences/sign/").content.decode()
    assert (
        "Radiopharmacist / qualified person for QP release" in hint and "Medical physicist for Administration" in hint
    )
    wrong = client.post("/quality/training/competences/sign/", {**form, "assessment": "observed", "password": "nope"})
    assert wrong.status_code == 400 and 'data-field="password"' in wrong.content.decode()
    ok = client.post("/quality/training/competences/sign/", {**form, "assessment": "observed 3x", "password": PASSWORD})
    assert ok.status_code == 302
    c = Competence.objects.get()
    assert c.signed_by == phys and c.signature.meaning == "approved"
    assert "Radiopharmaceutical administration" in client.get(f"/quality/training/people/{tech.pk}/").content.decode()


def test_api_records_signs_and_answers_the_check(client, people):
    qm, tech, phys = people["qm"], people["tech"], people["phys"]
    client.force_login(qm)
    post = lambda url, body: client.post(url, body, content_type="application/json")  # noqa: E731
    today = timezone.localdate().isoformat()
    bad = post(
        "/api/v1/quality/training/records",
        {"person_id": tech.pk, "training": "x", "completed_on": today, "evidence": "c"},
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "training"]
    bad = post(
        "/api/v1/quality/training/records",
        {"person_id": tech.pk, "training": "radiation_protection", "completed_on": "2026-13-01", "evidence": "c"},
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "completed_on"]
    for key in ("radiation_protection", "activity_meter"):
        r = post(
            "/api/v1/quality/training/records",
            {"person_id": tech.pk, "training": key, "completed_on": today, "evidence": "c"},
        )
        assert r.status_code == 201, r.content
    assert (
        client.put(
            "/api/v1/quality/training/guards/administration", {"enforced": True}, content_type="application/json"
        ).status_code
        == 200
    )
    check = client.get(f"/api/v1/quality/training/check?person_id={tech.pk}&task=administration&on={today}").json()
    assert check == {
        "allowed": False,
        "reason": f"Administration needs the competence 'Radiopharmaceutical administration' — {tech} has none",
    }
    client.force_login(phys)
    r = post(
        "/api/v1/quality/training/competences",
        {"person_id": tech.pk, "task": "administration", "valid_from": today, "assessment": "ok", "password": PASSWORD},
    )
    assert r.status_code == 201, r.content
    check = client.get(f"/api/v1/quality/training/check?person_id={tech.pk}&task=administration&on={today}").json()
    assert check == {"allowed": True, "reason": None}
    standing = client.get(f"/api/v1/quality/training/people/{tech.pk}").json()
    assert standing["competences"]["administration"]["state"] in ("valid", "expiring")
    assert standing["competences"]["administration"]["enforced"] is True
