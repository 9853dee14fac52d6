"""Release pages per role, form errors by field, the cycle page's link, the instructions page and PDF, the API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from nmguard.apps.therapy import release_services as svc
from nmguard.apps.therapy.release_models import ReleaseDecision
from tests.conftest import PASSWORD
from tests.reporting.test_qc_report_layout import pdf_pages
from tests.therapy.release_fixtures import make_iodine_cycle

pytestmark = pytest.mark.django_db

B5 = svc.Assessment(method="patient-specific", basis="uptake-model", condition="thyroid-cancer")


@pytest.fixture
def cycle(dept):
    return make_iodine_cycle(dept)


def _url(cycle, tail: str = "") -> str:
    return f"/therapy/courses/{cycle.course_id}/cycles/{cycle.pk}/release/{tail}"


def _post(client, cycle, **fields):
    data = {
        "nuclide": "I-131",
        "method": "patient-specific",
        "basis": "activity",
        "breastfeeding_patient": "no",
        **fields,
    }
    return client.post(_url(cycle), data)


def _field_error(page: str, field: str) -> bool:
    return f'data-field="{field}"' in page


def test_physician_assesses_signs_and_reads_the_instructions(dept, cycle, client):
    client.force_login(dept["physician"])
    page = client.get(_url(cycle)).content.decode()
    assert 'data-testid="assess-form"' in page and 'data-testid="no-decision"' in page
    response = _post(client, cycle, basis="uptake-model", condition="thyroid-cancer")
    assert response.status_code == 302, response.content.decode()[:2000]
    decision = ReleaseDecision.objects.get()
    page = client.get(_url(cycle)).content.decode()
    assert 'data-testid="sign-form"' in page and "Eq. B-5" in page and 'data-testid="equation"' in page
    assert "3.4 mSv" in page  # the dose to others as computed (3.40 mSv)
    response = client.post(_url(cycle, f"{decision.pk}/sign/"), {"password": PASSWORD})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.is_released
    page = client.get(_url(cycle, f"{decision.pk}/instructions/")).content.decode()
    assert 'data-testid="released-at"' in page and "Young children" in page.replace("young children", "Young children")
    course_page = client.get(f"/therapy/courses/{cycle.course_id}/").content.decode()
    assert 'data-testid="release-state"' in course_page and "released" in course_page and _url(cycle) in course_page


def test_wrong_password_is_shown_by_the_field(dept, cycle, client):
    decision = svc.assess(cycle, B5, dept["physician"])
    client.force_login(dept["physician"])
    page = client.post(_url(cycle, f"{decision.pk}/sign/"), {"password": "nope"}).content.decode()
    assert _field_error(page, "password")
    decision.refresh_from_db()
    assert not decision.is_released


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"basis": "dose-rate", "dose_rate_1m": "25 uSv", "dose_rate_instrument": "SM-1"}, "dose_rate_1m"),  # no /h
        ({"basis": "dose-rate", "dose_rate_1m": "lots", "dose_rate_instrument": "SM-1"}, "dose_rate_1m"),
        ({"basis": "dose-rate"}, "dose_rate_1m"),  # the basis needs it
        ({"basis": "dose-rate", "dose_rate_1m": "25 uSv/h", "dose_rate_instrument": "SM-1",
          "dose_rate_measured_at": "before"}, "dose_rate_measured_at"),
        ({"basis": "dose-rate", "dose_rate_1m": "25 uSv/h", "dose_rate_instrument": "SM-1",
          "dose_rate_measured_at": "future"}, "dose_rate_measured_at"),
        ({"activity": "5 GBqq", "retained_activity": "on"}, "activity"),
        ({"breastfeeding_patient": ""}, "breastfeeding_patient"),  # a safety question has no default
    ],
)  # fmt: skip
def test_form_errors_are_shown_by_their_field(dept, cycle, client, fields, field):
    local = {
        "before": timezone.localtime(cycle.administration.administered_at) - dt.timedelta(hours=1),
        "future": timezone.localtime() + dt.timedelta(hours=3),
    }
    if "dose_rate_measured_at" in fields:
        fields = {**fields, "dose_rate_measured_at": f"{local[fields['dose_rate_measured_at']]:%Y-%m-%dT%H:%M}"}
    client.force_login(dept["physicist"])
    response = _post(client, cycle, **fields)
    assert response.status_code == 200
    assert _field_error(response.content.decode(), field)
    assert not ReleaseDecision.objects.exists()


def test_a_measured_dose_rate_typed_in_local_time_is_stored(dept, cycle, client):
    client.force_login(dept["physicist"])
    at = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
    response = _post(
        client,
        cycle,
        basis="dose-rate",
        dose_rate_1m="25 uSv/h",
        dose_rate_instrument="Survey meter SM-1",
        dose_rate_measured_at=f"{at:%Y-%m-%dT%H:%M}",
    )
    assert response.status_code == 302
    d = ReleaseDecision.objects.get()
    assert d.dose_rate_1m_uSv_h == pytest.approx(25.0) and d.dose_rate_measured_at == at
    assert d.dose_to_others_mSv == pytest.approx(34.6 * 0.025 * 8.04 * 0.25, rel=1e-3)  # Eq. U-1 with the rate


def test_the_rpo_reads_but_neither_assesses_nor_signs(dept, cycle, client, make_user):
    decision = svc.assess(cycle, B5, dept["physician"])
    rpo = make_user("rpo", "rpo1")
    client.force_login(rpo)
    page = client.get(_url(cycle)).content.decode()
    assert 'data-testid="release-decision"' in page
    assert 'data-testid="assess-form"' not in page and 'data-testid="sign-form"' not in page
    assert _post(client, cycle).status_code == 403
    assert client.post(_url(cycle, f"{decision.pk}/sign/"), {"password": PASSWORD}).status_code == 403
    awaiting = client.get("/therapy/release/awaiting/").content.decode()
    assert str(cycle.course.patient) in awaiting
    # a physicist assesses but is not offered the signature
    client.force_login(dept["physicist"])
    page = client.get(_url(cycle)).content.decode()
    assert 'data-testid="assess-form"' in page and 'data-testid="sign-form"' not in page
    assert client.post(_url(cycle, f"{decision.pk}/sign/"), {"password": PASSWORD}).status_code == 403


def test_a_decision_that_refuses_release_offers_no_signature(dept, client):
    cycle = make_iodine_cycle(dept, activity_Bq=1.3e9)
    svc.assess(cycle, svc.Assessment(method="table"), dept["physician"])
    client.force_login(dept["physician"])
    page = client.get(_url(cycle)).content.decode()
    assert 'data-testid="not-signable"' in page and 'data-testid="sign-form"' not in page


def test_the_instructions_pdf_renders_with_each_restriction_and_its_date(dept, cycle, client):
    decision = svc.assess(cycle, B5, dept["physician"])
    svc.sign_release(decision, physician=dept["physician"], password=PASSWORD)
    client.force_login(dept["technologist"])  # every role reads
    response = client.get(_url(cycle, f"{decision.pk}/instructions.pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    assert len(pages) == 1
    text = " ".join(t for _, _, t in pages[0])
    assert "Instructions after your treatment" in text and "page 1 of 1" in text
    for line in svc.instructions(decision):
        # words drawn with a ligature (ff, fi, fl) come back as one glyph code, not as letters
        words = [w for w in line.label.split() if not any(lig in w for lig in ("ff", "fi", "fl"))]
        assert words and all(w in text for w in words), line.label
        if line.until:
            assert line.until.isoformat() in text
    assert "Stop breast-feeding" in text  # I-131: complete cessation (RG 8.39 Table 3)


def test_api_lists_and_creates_with_422_by_field(dept, cycle, client):
    client.force_login(dept["physician"])
    body = {"cycle": cycle.pk, "method": "patient-specific", "basis": "uptake-model", "condition": "thyroid-cancer",
            "breastfeeding_patient": False}  # fmt: skip
    response = client.post("/api/v1/release/decisions", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["releasable"] is True and created["dose_to_others_mSv"] == pytest.approx(3.40, abs=0.005)
    assert created["basis"]["rule"].startswith("10 CFR 35.75")
    bad = {**body, "basis": "dose-rate", "condition": "", "dose_rate_1m": "20 uSv/week", "reason": "a new measurement"}
    response = client.post("/api/v1/release/decisions", json.dumps(bad), content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "dose_rate_1m"]
    listed = client.get(f"/api/v1/release/decisions?cycle={cycle.pk}").json()
    assert [d["id"] for d in listed] == [created["id"]]
    client.force_login(dept["technologist"])
    response = client.post("/api/v1/release/decisions", json.dumps(body), content_type="application/json")
    assert response.status_code == 403
