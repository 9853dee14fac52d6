"""Issue 11 item 6 in Chromium: a physicist plans Y-90 microspheres for a cycle on the real Siemens MAA
SPECT/CT (copied into the DICOM inbox), follows the job and reads the plan on the job and the cycle's page.

Skipped, with the reason printed, where ../shared/real-data is absent (as tests/imaging/test_real_vendor_files.py)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from tests.browser.jobs import wait_for_job_success
from tests.browser.signin import sign_in

from nmguard.apps.core.actor import acting_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REAL_STUDY = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-data" / "mgh-maa-spect-ct"


@pytest.fixture
def real_inbox(tmp_path, settings):
    if not REAL_STUDY.is_dir():
        print(f"skipped: real vendor files absent ({REAL_STUDY}); CI has ../shared/real-data")
        pytest.skip(f"real vendor files absent ({REAL_STUDY})")
    settings.NMGUARD_JOB_THREAD = True  # the embedded default: the web process runs the queue
    settings.NMGUARD_DICOM_INBOX = str(tmp_path / "inbox")
    settings.DATA_DIR = tmp_path / "data"
    shutil.copytree(REAL_STUDY, tmp_path / "inbox" / "mgh-maa")
    return tmp_path / "inbox"


@pytest.fixture
def y90_course(dept):
    from nmguard.apps.radiopharmacy.models import Radiopharmaceutical
    from nmguard.apps.therapy import services
    from nmguard.apps.therapy.models import TherapyProtocol

    with acting_as(dept["administrator"], reason="fixture"):
        rp = Radiopharmaceutical.objects.create(
            name="Y-90 glass microspheres", catalogue_id="y90-glass", nuclide="Y-90", is_therapy=True
        )
        protocol = TherapyProtocol.objects.create(
            name="SIRT", radiopharmaceutical=rp, activity_per_cycle_Bq=2e9, interval_days=30, cycles=1
        )
    return services.start_course(
        patient=dept["man"], protocol=protocol, started_on=dt.date(2026, 3, 1), user=dept["physician"]
    )


def test_a_sirt_plan_on_the_real_maa_study_through_the_browser(live_server, page, dept, real_inbox, y90_course):
    from nmguard.apps.therapy.models import DosimetryJob

    cycle = y90_course.cycle_records.get(number=1)
    sign_in(page, live_server, dept["physicist"])
    page.goto(f"{live_server.url}/therapy/courses/{y90_course.pk}/")
    page.click("[data-testid=sirt-form-box] summary")
    form = page.locator("[data-testid=sirt-form]")
    prefix = f"#id_sirt{cycle.pk}-"
    form.locator(f"{prefix}study_dir").select_option("mgh-maa")
    form.locator(f"{prefix}activity").fill("1.5")  # no unit: refused next to the field
    form.locator("button[type=submit]").click()
    error = page.locator("[data-testid=sirt-form] [data-field=activity]")
    assert "no unit" in error.inner_text()
    assert not DosimetryJob.objects.exists()

    form = page.locator("[data-testid=sirt-form]")
    form.locator(f"{prefix}activity").fill("1.5 GBq")
    form.locator(f"{prefix}microspheres").select_option("glass")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=job-progress]")
    wait_for_job_success(page, timeout_ms=120_000)
    vois = page.locator("[data-testid=sirt-vois]").inner_text()
    assert "Tumor" in vois and "Lung" in vois
    assert "not computed" in page.locator("[data-testid=sirt-lsf]").inner_text()  # no liver VOI in this study
    frame = page.frame_locator("[data-testid=report-frame]")
    assert frame.locator("h1").inner_text() == "Y-90 microsphere plan"
    assert frame.locator("svg").count() >= 2  # dose-map slices, DVHs

    job = DosimetryJob.objects.get()
    assert (job.kind, job.status, job.cycle_id) == ("sirt", "succeeded", cycle.pk)
    assert job.result["patient"]["id"] == "ANON60446" and job.result["activity_GBq"] == 1.5
    page.goto(f"{live_server.url}/therapy/courses/{y90_course.pk}/")
    plan = page.locator("[data-testid=sirt-plan]")
    assert "Tumor" in plan.locator("[data-testid=sirt-vois]").inner_text()
    href = plan.locator("[data-testid=sirt-rtdose-link]").get_attribute("href")
    assert href == f"/therapy/dosimetry/{job.pk}/files/rtdose.dcm"
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.body()[128:132] == b"DICM"
