"""The demo's dosimetry run belongs to the synthetic study's own patient and cycle, and its mapped doses count."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_run_is_recorded_for_its_own_patient_with_kidneys_mapped(client, settings, tmp_path):
    from nmguard.apps.core.demo import load_demo
    from nmguard.apps.therapy import dosimetry_jobs, services
    from nmguard.apps.therapy.models import DosimetryJob, TherapyCourse

    settings.DATA_DIR = tmp_path / "data"
    settings.NMGUARD_DICOM_INBOX = str(tmp_path / "inbox")
    assert load_demo() is True
    job = DosimetryJob.objects.get()
    assert job.status == "succeeded", job.message
    assert dosimetry_jobs.recording_check(job).mismatches == ()
    course = job.cycle.course
    assert course.patient.mrn == "SYNTH-001"
    record = services.current_dose_record(job.cycle)
    assert record.job_id == job.pk and record.override_signature is None
    vois = {v["name"]: v for v in job.result["vois"]}
    left, right = vois["Left kidney"], vois["Right kidney"]
    kidneys = (
        left["absorbed_dose"]["mean_Gy"] * left["mass_g"] + right["absorbed_dose"]["mean_Gy"] * right["mass_g"]
    ) / (left["mass_g"] + right["mass_g"])
    assert job.cycle.organ_doses_Gy["kidneys"] == pytest.approx(kidneys, abs=1e-4)
    other = TherapyCourse.objects.exclude(pk=course.pk).get(protocol__radiopharmaceutical__nuclide="Lu-177")
    assert [c.organ_doses_Gy.get("kidneys") for c in other.cycle_records.order_by("number")[:2]] == [3.1, 3.6]
