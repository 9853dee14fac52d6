"""The annual reports as PDF (issue 15 items 2 and 7): a worker's dose report (months adding up to the year,
the five-year sum, the profile's limits, the status, the investigations, page N of M) and the department's
radiation-protection report (per worker and group, investigations, events); the status follows the profile."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import PASSWORD
from tests.protection.test_staff_import import monthly_file
from tests.protection.test_staff_pages import _department, _import
from tests.reporting.test_qc_report_layout import pdf_pages

YEAR = 2026


@pytest.fixture
def rpo(make_user):
    return make_user("rpo", "rpo1")


def _text(pdf: bytes) -> list[str]:
    """Per page, its text (the PDF's Type 3 fonts code ligatures such as "fi"/"ff" and the en dash as glyph
    numbers, so the assertions avoid those letter pairs)."""
    return [" ".join(t for _, _, t in page) for page in pdf_pages(pdf)]


def test_worker_report_pdf(client, rpo):
    """W1: 12 monthly badges of 1.75 mSv = 21 mSv in 2026, plus 2 mSv in 2025 -> five-year sum 23 mSv.
    IAEA: 21 mSv reaches the investigation level (6 mSv) but no limit (100 mSv in 5 y, 50 in a year)."""
    from nmguard.apps.protection import investigation_records as ir
    from nmguard.apps.protection.models import Worker

    _department("iaea-gsr3", rpo)
    _import(monthly_file({"W1": 1.75}, YEAR), rpo)
    _import(
        "worker_id,name,dosimeter,period_start,period_end,hp10_mSv,hp007_mSv,hp3_mSv\n"
        "W1,Worker W1,whole_body,2025-12-01,2025-12-31,2.0,,\n",
        rpo,
    )
    w1 = Worker.objects.get(worker_id="W1")
    inv = ir.open_investigation(w1, YEAR, "effective", rpo)
    client.force_login(rpo)
    response = client.get(f"/protection/workers/{w1.pk}/report/", {"year": YEAR})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = _text(response.content)
    n = len(pages)
    assert n == 4 and all(f"page {i} of {n}" in p for i, p in enumerate(pages, start=1))
    assert "Annual dose report 2026: Worker W1 (W1)" in pages[0]
    assert "Jan 1.75 mSv" in pages[0] and "Dec 1.75 mSv" in pages[0] and "Year 2026 21 mSv" in pages[0]
    assert "Hp(10) 21 mSv 23 mSv investigation" in pages[1]
    assert "investigation level reached" in pages[1]
    assert "100 mSv" in pages[2] and "5 consecutive years" in pages[2] and "50 mSv" in pages[2]
    assert f"{inv.pk} W1 Worker W1" in pages[3] and "open" in pages[3]
    # the profile switch changes the status where the texts differ: Euratom 20 mSv in a single year
    _department("euratom-2013-59", rpo)
    pages = _text(client.get(f"/protection/workers/{w1.pk}/report/", {"year": YEAR}).content)
    assert "LIMIT EXCEEDED" in pages[1] and "exceeds 20 mSv" in pages[1]
    bad = client.get(f"/protection/workers/{w1.pk}/report/", {"year": "1066"})
    assert bad.status_code == 400 and bad.content.decode().startswith("year:")


def test_department_report_pdf(client, rpo):
    from django.utils import timezone

    from nmguard.apps.protection import event_records
    from nmguard.apps.protection.models import Worker

    _department("iaea-gsr3", rpo)
    _import(monthly_file({"W1": 0.6, "W2": 0.1}, YEAR), rpo)
    when = timezone.make_aware(dt.datetime(YEAR, 3, 4, 10, 15))
    values = {"kind": "spill", "occurred_at": when, "location": "Hot lab", "description": "vial dropped"}
    event = event_records.record_event(
        {**values, "estimated_dose_mSv": 0.05}, rpo, [Worker.objects.get(worker_id="W2")]
    )
    event_records.close_event(event, "area decontaminated, wipe test clean", rpo, PASSWORD)
    from nmguard.apps.protection import survey_services

    survey_services.create_location(
        rpo, name="Hot lab bench", area_kind="controlled", survey_kind="dose_rate", frequency="weekly"
    )
    client.force_login(rpo)
    response = client.get("/protection/report/", {"year": YEAR})
    assert response.status_code == 200
    pages = _text(response.content)
    n = len(pages)
    assert all(f"page {i} of {n}" in p for i, p in enumerate(pages, start=1))
    everything = " ".join(pages)
    assert "Annual radiation-protection report 2026" in pages[0]
    assert "Worker W1 (W1)" in everything and "7.2 mSv" in everything and "investigation level reached" in everything
    assert "Doses per group, 2026" in everything and "8.4 person-mSv" in everything  # 12 x (0.6 + 0.1)
    assert "2026-03-04 10:15 Spill of radioactive material Hot lab 0.05 mSv" in everything
    assert "closed" in everything and "Investigations 2026" in everything and "No investigation." in everything
    assert (
        "Workplace monitoring: survey schedule on" in everything
        and "Hot lab bench Dose rate Weekly never" in everything
    )
    assert "Sealed sources: leak tests on" in everything and "No sealed source." in everything


def test_report_links_on_the_pages(client, rpo):
    from nmguard.apps.protection.models import Worker

    _import(monthly_file({"W1": 0.6}, YEAR), rpo)
    client.force_login(rpo)
    w1 = Worker.objects.get(worker_id="W1")
    assert (
        f"/protection/workers/{w1.pk}/report/?year={YEAR}"
        in client.get(f"/protection/workers/{w1.pk}/").content.decode()
    )
    assert f"/protection/report/?year={YEAR}" in client.get("/protection/rpo/", {"year": YEAR}).content.decode()
