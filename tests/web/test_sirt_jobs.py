"""A Y-90 microsphere plan as a job of a therapy cycle: queued from the cycle on an MAA study of the DICOM
inbox, run by the worker, stored (results.json, RT Dose, report) and audited, shown on the cycle's page.

Numbers are checked against the phantom's known activities (tests/dosimetry/sirt_study.py, no blur): the
lung shunt fraction is lungs / (lungs + liver + lesion) of the activities written into the phantom."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import jsonschema
import pydicom
import pytest
from tests.dosimetry.sirt_study import write_maa_study

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.models import AuditEvent
from nmguard.apps.therapy import dosimetry_jobs, services
from nmguard.apps.therapy.models import DosimetryJob
from nmguard.dosimetry.sirt import SirtOptions
from nmguard.errors import InputError
from nmguard.exchange.sirt_plan import schema

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def maa(tmp_path_factory):
    return write_maa_study(tmp_path_factory.mktemp("sirt-web") / "maa")


@pytest.fixture
def inbox(tmp_path, settings, maa):
    settings.NMGUARD_DICOM_INBOX = str(tmp_path / "inbox")
    settings.DATA_DIR = tmp_path / "data"
    shutil.copytree(maa.folder, tmp_path / "inbox" / "maa-1")
    return tmp_path / "inbox"


def _course(dept, name: str, nuclide: str):
    from nmguard.apps.radiopharmacy.models import Radiopharmaceutical
    from nmguard.apps.therapy.models import TherapyProtocol

    with acting_as(dept["administrator"], reason="fixture"):
        rp = Radiopharmaceutical.objects.create(
            name=name, catalogue_id=name.lower().replace(" ", "-"), nuclide=nuclide, is_therapy=True
        )
        protocol = TherapyProtocol.objects.create(
            name=name, radiopharmaceutical=rp, activity_per_cycle_Bq=2e9, interval_days=30, cycles=2
        )
    return services.start_course(
        patient=dept["man"], protocol=protocol, started_on=dt.date(2026, 3, 1), user=dept["physician"]
    )


@pytest.fixture
def y90_cycle(dept):
    return _course(dept, "Y-90 glass microspheres", "Y-90").cycle_records.get(number=1)


def _form(cycle, **fields) -> dict[str, str]:
    data = {"study_dir": "maa-1", "activity": "2 GBq", "microspheres": "", "method": "ld", "voi_tumour": "Lesion 1"}
    data |= fields
    return {f"sirt{cycle.pk}-{k}": v for k, v in data.items()}


def _url(cycle) -> str:
    return f"/therapy/courses/{cycle.course_id}/cycles/{cycle.pk}/sirt/"


def test_the_job_runs_and_the_cycle_shows_the_plan(dept, inbox, y90_cycle, client, maa):
    client.force_login(dept["physicist"])
    page = client.get(f"/therapy/courses/{y90_cycle.course_id}/").content.decode()
    assert 'data-testid="sirt-form"' in page and '<option value="maa-1">' in page
    response = client.post(_url(y90_cycle), _form(y90_cycle))
    assert response.status_code == 302
    job = DosimetryJob.objects.get()
    assert response["Location"] == f"/therapy/dosimetry/{job.pk}/"
    assert (job.kind, job.status, job.cycle_id) == ("sirt", "queued", y90_cycle.pk)
    assert job.requested_by == dept["physicist"] and job.options["activity_GBq"] == 2.0

    assert dosimetry_jobs.run_next_job("test") is not None
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    jsonschema.validate(job.result, schema())
    out = Path(job.output_dir)
    assert json.loads((out / "results.json").read_text()) == job.result
    assert pydicom.dcmread(out / "rtdose.dcm").DoseSummationType == "PLAN"
    truth = {name: float(a[0]) for name, a in maa.activity_Bq.items()}
    lungs = truth["Right lung"] + truth["Left lung"]
    lsf = lungs / (lungs + truth["Liver"] + truth["Lesion 1"])
    assert job.result["lung_shunt_fraction"] == pytest.approx(lsf, rel=0.005)
    reasons = set(
        AuditEvent.objects.filter(model_label="therapy.DosimetryJob", object_id=str(job.pk)).values_list(
            "reason", flat=True
        )
    )
    assert {"SIRT plan job queued", f"SIRT plan job {job.pk} finished"} <= reasons

    page = client.get(f"/therapy/courses/{y90_cycle.course_id}/").content.decode()
    assert 'data-testid="sirt-plan"' in page and 'data-testid="sirt-partition"' in page
    assert f"{100 * lsf:.3g} %" in page  # the LSF in percent, 3 significant figures
    glass = job.result["planning"]["microspheres"]["glass"]
    assert glass["limited_by"] in page and 'data-microspheres="resin"' in page
    for v in job.result["vois"]:
        assert f"<td>{v['name']}</td>" in page
    for name in ("report.html", "results.json", "rtdose.dcm"):
        link = f"/therapy/dosimetry/{job.pk}/files/{name}"
        assert link in page and client.get(link).status_code == 200
    job_page = client.get(f"/therapy/dosimetry/{job.pk}/").content.decode()
    assert "Y-90 microsphere plan" in job_page and 'data-testid="sirt-vois"' in job_page
    assert 'data-testid="record-form"' not in job_page  # a plan is not the delivered doses
    assert client.post(f"/therapy/dosimetry/{job.pk}/to-cycle/").status_code == 404
    with pytest.raises(InputError):
        dosimetry_jobs.recording_check(job)

    again = dosimetry_jobs.rerun(job, dept["physicist"])
    dosimetry_jobs.run_next_job("test")
    again.refresh_from_db()
    assert again.kind == "sirt" and again.status == "succeeded"
    assert [v["mean_Gy"] for v in again.result["vois"]] == [v["mean_Gy"] for v in job.result["vois"]]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"activity": "2"}, "activity"),  # no unit
        ({"activity": "0 GBq"}, "activity"),
        ({"activity": "lots"}, "activity"),
        ({"lsf": "150"}, "lsf"),
        ({"study_dir": ""}, "study_dir"),
        ({"study_dir": "../elsewhere"}, "study_dir"),
        ({"microspheres": "ceramic"}, "microspheres"),
    ],
)
def test_bad_input_is_shown_next_to_its_field(dept, inbox, y90_cycle, client, fields, field):
    client.force_login(dept["physicist"])
    response = client.post(_url(y90_cycle), _form(y90_cycle, **fields))
    assert response.status_code == 200
    assert f'data-field="{field}"' in response.content.decode()
    assert not DosimetryJob.objects.exists()


def test_a_voi_not_in_the_study_ends_failed_with_its_name(dept, inbox, y90_cycle, client):
    client.force_login(dept["physicist"])
    client.post(_url(y90_cycle), _form(y90_cycle, voi_tumour="Nope"))
    dosimetry_jobs.run_next_job("test")
    job = DosimetryJob.objects.get()
    assert job.status == "failed" and "Nope" in job.message and job.result is None and not job.output_dir
    page = client.get(f"/therapy/courses/{y90_cycle.course_id}/").content.decode()
    assert 'data-testid="sirt-plan"' not in page and "failed" in page


def test_only_physicists_plan_and_only_for_a_y90_cycle(dept, inbox, y90_cycle, client):
    client.force_login(dept["technologist"])
    assert client.post(_url(y90_cycle), _form(y90_cycle)).status_code == 403
    assert 'data-testid="sirt-form"' not in client.get(f"/therapy/courses/{y90_cycle.course_id}/").content.decode()
    with pytest.raises(InputError) as role:
        dosimetry_jobs.submit_sirt(
            study_dir="maa-1", cycle=y90_cycle, options=SirtOptions(activity_GBq=1.0), user=dept["technologist"]
        )
    assert role.value.field == "user"
    lu_cycle = _course(dept, "Lu-177 PSMA", "Lu-177").cycle_records.get(number=1)
    client.force_login(dept["physicist"])
    assert 'data-testid="sirt-form"' not in client.get(f"/therapy/courses/{lu_cycle.course_id}/").content.decode()
    response = client.post(_url(lu_cycle), _form(lu_cycle))
    assert response.status_code == 200 and b'data-testid="form-error"' in response.content
    with pytest.raises(InputError) as refused:
        dosimetry_jobs.submit_sirt(
            study_dir="maa-1", cycle=lu_cycle, options=SirtOptions(activity_GBq=1.0), user=dept["physicist"]
        )
    assert refused.value.field == "cycle" and "Lu-177" in refused.value.message
    with pytest.raises(InputError) as outside:
        dosimetry_jobs.submit_sirt(
            study_dir=str(inbox.parent), cycle=y90_cycle, options=SirtOptions(activity_GBq=1.0), user=dept["physicist"]
        )
    assert outside.value.field == "study_dir"
    assert not DosimetryJob.objects.exists()


def test_the_api_queues_a_plan_with_the_same_checks(dept, inbox, y90_cycle, client):
    client.force_login(dept["physicist"])
    url = "/api/v1/dosimetry/sirt-plans"
    body = {"cycle": y90_cycle.pk, "study_dir": "maa-1", "activity_GBq": 2.0, "voi_tumour": "Lesion 1"}
    r = client.post(url, body, content_type="application/json")
    assert r.status_code == 201 and r.json()["status"] == "queued" and r.json()["kind"] == "sirt"
    assert dosimetry_jobs.run_queue("api-test") == 1
    job = client.get(f"/api/v1/dosimetry/jobs/{r.json()['id']}").json()
    assert job["status"] == "succeeded" and job["kind"] == "sirt"
    jsonschema.validate(job["result"], schema())
    bad = client.post(url, body | {"lsf": 1.5}, content_type="application/json")
    assert bad.status_code == 422 and "lsf" in bad.content.decode()
    missing = client.post(url, {"cycle": y90_cycle.pk, "study_dir": "maa-1"}, content_type="application/json")
    assert missing.status_code == 422 and "activity_GBq" in missing.content.decode()
    lu_cycle = _course(dept, "Lu-177 PSMA", "Lu-177").cycle_records.get(number=1)
    other = client.post(url, body | {"cycle": lu_cycle.pk}, content_type="application/json")
    assert other.status_code == 422 and "cycle" in other.content.decode()
    client.force_login(dept["technologist"])
    assert client.post(url, body, content_type="application/json").status_code == 403
    assert DosimetryJob.objects.count() == 1
