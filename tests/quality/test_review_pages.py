"""The quality dashboard, the accreditation readiness page, the management review, its PDF and the indicators API:
every role reads them, the anonymous visitor is sent to sign in, bad input is refused by its field, the PDF's
text reads back, and the pages work on the full demo department."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from nmguard.apps.quality.indicators import month_ends
from tests.reporting.test_qc_report_layout import pdf_pages

pytestmark = pytest.mark.django_db
ROLES = ("technologist", "radiopharmacist", "physicist", "physician", "rpo", "quality_manager", "administrator")
PAGES = ("quality", "quality-readiness", "quality-review")


@pytest.mark.parametrize("role", (*ROLES, "read_only"))
def test_every_role_reads_the_pages(client, make_user, role):
    client.force_login(make_user(role, f"u-{role}"))
    for name in PAGES:
        page = client.get(reverse(name))
        assert page.status_code == 200, (role, name)
        assert b'class="subnav"' in page.content
    assert client.get(reverse("quality-review-pdf")).status_code == 200


def test_signed_out_visitor_is_sent_to_sign_in(client):
    for name in (*PAGES, "quality-review-pdf"):
        assert client.get(reverse(name)).status_code == 302


def test_dashboard_links_only_to_pages_that_exist(client, make_user):
    client.force_login(make_user("quality_manager", "qm1"))
    html = client.get(reverse("quality")).content.decode()
    assert f'href="{reverse("quality-readiness")}"' in html and f'href="{reverse("quality-review")}"' in html
    from nmguard.apps.quality.review_views import part_links

    for label, url in part_links():
        if url is None:
            assert f'{label} <span class="muted">(not available yet)</span>' in html
        else:
            assert client.get(url).status_code == 200, label


def test_readiness_gap_links_to_the_page_that_fixes_it(client, physicist):
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.equipment.models import Equipment, QCSchedule, QCTest

    with acting_as(physicist, reason="test"):
        pet = Equipment.objects.create(name="PET Q", kind=Equipment.Kind.PET_CT)
        test = QCTest.objects.create(catalogue_id="t-daily", name="Daily check", frequency="daily")
        QCSchedule.objects.create(equipment=pet, test=test)
    QCSchedule.objects.update(created_at=timezone.now() - dt.timedelta(days=10))
    client.force_login(physicist)
    html = client.get(reverse("quality-readiness")).content.decode()
    assert "1 device with overdue QC" in html
    assert "PET Q: Daily check overdue" in html
    assert "PET Q: no EARL / NEMA image-quality result" in html
    device_url = reverse("equipment-device", args=[pet.pk])
    assert f'href="{device_url}" data-gap' in html and client.get(device_url).status_code == 200
    api = client.get("/api/v1/quality/readiness").json()
    qc = next(s for s in api["sections"] if s["key"] == "qc")
    assert {"text": "1 device with overdue QC", "url": reverse("qc-today")} in qc["gaps"]


def test_review_page_and_bad_months(client, make_user):
    client.force_login(make_user("physician", "doc1"))
    html = client.get(reverse("quality-review"), {"months": "24"}).content.decode()
    for key in ("qc_compliance", "capa_overdue", "capa_turnaround", "drl_compliance", "staff_dose"):
        assert f'data-indicator="{key}"' in html
    assert html.count("<svg") == 7 and "Definition:" in html
    for bad in ("abc", "0", "25"):
        page = client.get(reverse("quality-review"), {"months": bad})
        assert page.status_code == 400 and 'data-field="months"' in page.content.decode()
        assert client.get(reverse("quality-review-pdf"), {"months": bad}).status_code == 400
        api = client.get("/api/v1/quality/indicators", {"months": bad})
        assert api.status_code == 422 and api.json()["detail"][0]["loc"][-1] == "months"
    assert client.get("/api/v1/quality/indicators/nope").status_code == 404


def test_pdf_text_reads_back(client, make_user):
    client.force_login(make_user("quality_manager", "qm1"))
    response = client.get(reverse("quality-review-pdf"), {"months": "3"})
    assert response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    texts = [" ".join(t for *_, t in page) for page in pages]
    assert len(pages) == 7  # one page per indicator: its 3 rows fit under the chart
    for n, text in enumerate(texts, start=1):
        assert f"page {n} of 7" in text and "Management review" in text
    # "fi" is drawn as a ligature glyph: read "nition:"
    assert "QC compliance" in texts[0] and "nition: Share of the active calendar QC schedules" in texts[0]
    months = [p[0] for p in month_ends(timezone.localdate(), 3)]
    assert all(m in texts[0] for m in months)


def test_api_series_match_the_page(client, make_user):
    client.force_login(make_user("read_only", "ro1"))
    data = client.get("/api/v1/quality/indicators", {"months": "2"}).json()
    qc = next(s for s in data if s["key"] == "qc_compliance")
    assert len(qc["points"]) == 2 and qc["definition"] and qc["unit"] == "%"
    one = client.get("/api/v1/quality/indicators/staff_dose").json()
    assert len(one["points"]) == 12


def test_pages_on_the_full_demo(client):
    from nmguard.apps.core.demo import DEMO_USERS, load_demo

    load_demo()
    username = next(u for u, _, role in DEMO_USERS if role == "quality_manager")
    from nmguard.apps.core.models import User

    client.force_login(User.objects.get(username=username))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("quality-review-pdf")).status_code == 200
    html = client.get(reverse("quality-readiness")).content.decode()
    assert 'data-testid="devices"' in html and "Latest EARL" in html
