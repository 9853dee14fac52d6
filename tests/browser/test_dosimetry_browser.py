"""A physicist uploads a SPECT/CT study in Chromium, watches the run's progress and reads the results."""

from __future__ import annotations

import zipfile

import pytest
from tests.browser.jobs import wait_for_job_success
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_a_study_follow_the_progress_and_read_the_report(live_server, page, dept, settings, tmp_path):
    from nmguard.synthetic.patient import write_synthetic_study

    settings.NMGUARD_JOB_THREAD = True  # the embedded default: the web process runs the queue
    settings.DATA_DIR = tmp_path / "data"
    study = tmp_path / "study"
    write_synthetic_study(study, shape=(24, 40, 40), voxel_mm=6.0, times_h=(4, 24, 96), write_rtstruct=False)
    upload = tmp_path / "study.zip"
    with zipfile.ZipFile(upload, "w") as z:
        for p in study.rglob("*"):
            if p.is_file():
                z.write(p, p.relative_to(study))

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", dept["physicist"].username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav >> text=Dosimetry")
    form = page.locator("[data-testid=dosimetry-form]")
    form.locator("#id_title").fill("Synthetic patient, cycle 1")
    form.locator("#id_study_zip").set_input_files(str(upload))
    form.locator("#id_method").select_option("dvk")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=job-progress]")
    wait_for_job_success(page, timeout_ms=90_000)
    results = page.locator("[data-testid=job-results]").inner_text()
    assert "Liver" in results and "Lesion 1" in results
    frame = page.frame_locator("[data-testid=report-frame]")
    assert frame.locator("h1").inner_text() == "Therapy dosimetry report"
    assert frame.locator("svg").count() >= 3  # dose-map slices, TACs, DVHs
    href = page.locator("[data-testid=rtdose-link]").get_attribute("href")
    assert href.endswith("/files/rtdose.dcm")
