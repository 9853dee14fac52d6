"""A technologist does the day's activity-meter constancy in Chromium; a physicist opens the EARL report."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from tests.browser.signin import sign_in as _login
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _department_noon():
    """Today 12:00 department time, the clock ticking: "due today" does not depend on the hour."""
    noon = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12, 0)))
    with time_machine.travel(noon, tick=True):
        yield


def test_days_qc_entry_evaluation_and_trend(live_server, page, dept):
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.equipment import qc_services
    from nmguard.apps.equipment.models import CheckSource
    from nmguard.reference import get_nuclide

    with acting_as(dept["physicist"], reason="fixture"):
        source = CheckSource.objects.create(
            name="Cs-137 vial",
            nuclide="Cs-137",
            certified_activity_Bq=7.4e6,
            certified_at=timezone.now() - dt.timedelta(days=3 * 365),
        )
    qc_services.schedule_test(dept["meter"], "am-constancy", dept["physicist"], check_source=source)
    _login(page, live_server.url, dept["technologist"])
    page.click("nav >> text=QC")
    device = page.locator("[data-testid=qc-device]").first
    assert "Meter 1" in device.inner_text() and "due today" in device.inner_text()
    device.locator("a.button").first.click()

    at = timezone.now().replace(second=0, microsecond=0)
    expected = 7.4e6 * 2 ** (-(at - source.certified_at).total_seconds() / get_nuclide("Cs-137").half_life_s)
    form = page.locator("[data-testid=qc-entry]")
    form.locator("#id_performed_at").fill(timezone.localtime(at).strftime("%Y-%m-%dT%H:%M"))
    form.locator("#id_reading").fill("5.9")  # no unit
    form.locator("button").click()
    assert "no unit" in page.locator("p.error[data-field=reading]").inner_text()
    form = page.locator("[data-testid=qc-entry]")
    form.locator("#id_performed_at").fill(timezone.localtime(at).strftime("%Y-%m-%dT%H:%M"))
    form.locator("#id_reading").fill(f"{expected * 1.15 / 1e6:.4f} MBq")  # +15 %: action level
    form.locator("button").click()
    assert page.locator("[data-testid=qc-outcome]").inner_text().startswith("Action level")
    assert abs(float(page.locator("[data-testid=qc-value]").inner_text().split()[0]) - 15.0) < 0.01
    page.click("text=Back to the test")
    assert page.locator("[data-testid=trend] svg").count() == 1
    page.goto(f"{live_server.url}/equipment/")
    assert "action-level QC" in page.locator("[data-testid=register]").inner_text()


def test_earl_report_in_the_browser(live_server, page, dept, tmp_path):
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.equipment import qc_entry, qc_services
    from nmguard.apps.equipment.models import Equipment
    from nmguard.synthetic.pet_phantom import iec_phantom, write_pet_series

    with acting_as(dept["physicist"], reason="fixture"):
        pet = Equipment.objects.create(name="PET 1", kind="pet_ct")
    schedule = qc_services.schedule_test(pet, "pet-image-quality", dept["physicist"])
    phantom = iec_phantom(voxel_mm=2.0, fwhm_mm=8.0)
    scan = dt.datetime(2026, 3, 2, 10, 0)
    files = write_pet_series(
        phantom.volume,
        phantom.spacing_mm,
        phantom.origin_mm,
        tmp_path / "iec",
        series_datetime=scan,
        injection_datetime=scan - dt.timedelta(hours=1),
        injected_activity_Bq=100e6,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for f in files:
            archive.write(f, f.name)
    result = qc_entry.record_from_form(
        schedule,
        {
            "performed_at": timezone.now(),
            "file": SimpleUploadedFile("iec.zip", buffer.getvalue()),
            "standard": "earl1",
            "sphere_kbq_ml": phantom.sphere_concentration / 1e3,
            "background_kbq_ml": phantom.background_concentration / 1e3,
            "comment": "",
        },
        dept["physicist"],
    )
    _login(page, live_server.url, dept["physicist"])
    page.goto(f"{live_server.url}/equipment/qc/results/{result.pk}/")
    assert page.locator("[data-testid=qc-outcome]").inner_text() == "Within tolerance"
    table = page.locator("[data-testid=sphere-table]").inner_text()
    assert "37 mm" in table and "10 mm" in table and "fail" not in table
    assert page.locator("[data-testid=qc-figure] svg").count() == 1
    page.fill("#id_password", PASSWORD)
    page.click("text=Approve (e-signature)")
    assert "Approved by" in page.locator("[data-testid=approved]").inner_text()
