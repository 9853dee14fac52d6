"""The real Siemens Tc-99m MAA SPECT/CT (../shared/real-data/mgh-maa-spect-ct, MIT, from
MGHPhysicsResearch/MIRDCalculation) uploaded as a zip through the dosimetry page in Chromium, with the
default options: the job succeeds, reads the header values right and shows every RTSTRUCT ROI."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from tests.browser.jobs import wait_for_job_success
from tests.browser.signin import sign_in

STUDY = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-data" / "mgh-maa-spect-ct"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not STUDY.is_dir(), reason=f"real vendor files absent ({STUDY}); CI has ../shared/real-data"),
]


def test_the_real_maa_study_runs_as_a_browser_job_with_default_options(live_server, page, dept, settings, tmp_path):
    from nmguard.apps.therapy.models import DosimetryJob

    settings.NMGUARD_JOB_THREAD = True  # the embedded default: the web process runs the queue
    settings.DATA_DIR = tmp_path / "data"
    upload = tmp_path / "maa.zip"
    with zipfile.ZipFile(upload, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for p in STUDY.rglob("*"):
            if p.is_file():
                z.write(p, p.relative_to(STUDY))

    sign_in(page, live_server.url, dept["physicist"].username)
    page.click("nav >> text=Dosimetry")
    form = page.locator("[data-testid=dosimetry-form]")
    form.locator("#id_title").fill("MGH MAA SPECT/CT (real vendor files)")
    form.locator("#id_study_zip").set_input_files(str(upload))
    form.locator("button[type=submit]").click()  # every other field as the form offers it
    page.wait_for_selector("[data-testid=job-progress]")
    wait_for_job_success(page, timeout_ms=180_000)
    results = page.locator("[data-testid=job-results]").inner_text()
    for roi in ("Tumor", "Lung", "Spinal Cord", "Brachial Plexus"):
        assert roi in results
    job = DosimetryJob.objects.latest("pk")
    doc = job.result if isinstance(job.result, dict) else json.loads(job.result)
    assert doc["radiopharmaceutical"]["nuclide"] == "Tc-99m"
    assert doc["radiopharmaceutical"]["injected_activity_MBq"] == pytest.approx(142.45)
    assert doc["dose_grid"]["shape_zyx"] == [80, 128, 128]
    tumour = next(v for v in doc["vois"] if v["name"] == "Tumor")
    assert tumour["tia"]["model"] == "physical"  # one time point of MAA: physical decay only
    assert any("study start" in w for w in doc["warnings"])  # the files give no injection time
