"""Find anything, in the browser: the batches awaiting release from the hot-lab page, the QC results of one
device from the day's QC page, and the CSV of exactly what the filter shows."""

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


def _batches(dept, rph):
    from nmguard.apps.radiopharmacy.models import Batch, Recipe

    with acting_as(rph, reason="test"):
        recipe = Recipe.objects.create(name="MDP kit", radiopharmaceutical=dept["mdp"], shelf_life_h=8)
        for number, status, hour in (("B-1", "prepared", 7), ("B-2", "released", 8), ("B-3", "prepared", 9)):
            prepared = dt.datetime(2026, 3, 10, hour, tzinfo=VIENNA)
            Batch.objects.create(
                number=number,
                recipe=recipe,
                prepared_at=prepared,
                prepared_by=rph,
                activity_Bq=5e9,
                volume_mL=5.0,
                components=[],
                expires_at=prepared + dt.timedelta(hours=8),
                status=status,
            )


def _qc_results(dept):
    from nmguard.apps.equipment import qc_services
    from nmguard.apps.equipment.models import Equipment, QCResult

    with acting_as(dept["physicist"], reason="test"):
        camera = Equipment.objects.create(name="Camera 2", kind="gamma_camera")
    schedules = {
        "Meter 1": qc_services.schedule_test(dept["meter"], "am-constancy", dept["physicist"]),
        "Camera 2": qc_services.schedule_test(camera, "gc-uniformity-daily", dept["physicist"]),
    }
    with acting_as(dept["technologist"], reason="test"):
        for name, day, outcome in (("Meter 1", 10, "ok"), ("Camera 2", 10, "action"), ("Camera 2", 11, "ok")):
            QCResult.objects.create(
                schedule=schedules[name],
                performed_at=dt.datetime(2026, 3, day, 7, 30, tzinfo=VIENNA),
                performed_by=dept["technologist"],
                value=1.0,
                unit="%",
                outcome=outcome,
            )
    return camera


def _download(page) -> tuple[str, list[list[str]]]:
    with page.expect_download() as info:
        page.locator("[data-testid=download-csv]").click()
    download = info.value
    with open(download.path(), encoding="utf-8-sig") as f:
        return download.suggested_filename, list(csv.reader(io.StringIO(f.read())))


def test_find_batches_awaiting_release_and_one_devices_qc_results(live_server, page, dept, make_user):
    rph = make_user("radiopharmacist", "rph-find")
    _batches(dept, rph)
    camera = _qc_results(dept)
    sign_in(page, live_server, rph)

    page.goto(f"{live_server.url}/hotlab/")
    page.get_by_role("link", name="all batches").click()
    assert page.locator("[data-testid=list-count]").inner_text() == "3 found"
    page.get_by_label("Status", exact=True).select_option(label="Prepared, awaiting QC")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("[data-testid=batch-list] tbody tr")
    assert [r.get_attribute("data-batch") for r in rows.all()] == ["B-3", "B-1"]
    assert "status=prepared" in page.url

    page.get_by_label("From", exact=True).fill("2026-03-11")
    page.get_by_label("To", exact=True).fill("2026-03-10")
    page.get_by_role("button", name="Filter").click()
    assert "before the start" in page.locator("[data-testid=error-to]").inner_text()
    assert page.locator("[data-testid=download-csv]").count() == 0  # no CSV of a filter that was not read
    page.get_by_label("From", exact=True).fill("2026-03-10")
    page.get_by_role("button", name="Filter").click()
    name, table = _download(page)
    assert name == "batches.csv"
    assert [(r[0], r[6]) for r in table[1:]] == [("B-3", "Prepared, awaiting QC"), ("B-1", "Prepared, awaiting QC")]

    page.get_by_role("link", name="QC", exact=True).click()
    page.get_by_role("link", name="All QC results").click()
    page.get_by_label("Device", exact=True).select_option(label="Camera 2")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("[data-testid=qc-result-list] tbody tr")
    assert [r.get_attribute("data-device") for r in rows.all()] == ["Camera 2", "Camera 2"]
    assert f"device={camera.pk}" in page.url
    name, table = _download(page)
    assert name == "qc-results.csv"
    assert [(r[0], r[1], r[5]) for r in table[1:]] == [
        ("2026-03-11T07:30+01:00", "Camera 2", "Within tolerance"),
        ("2026-03-10T07:30+01:00", "Camera 2", "Action level: remove from clinical use"),
    ]
