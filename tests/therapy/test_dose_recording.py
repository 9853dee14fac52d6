"""Dosimetry results go to the right patient: the study's DICOM patient and dates against the cycle, a
confirmed VOI → organ mapping (left + right kidney → kidneys, mass-weighted), doses that supersede earlier
ones with a reason, and a signed override for a mismatch. Expected numbers are computed here by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from nmguard.apps.core.models import AuditEvent
from nmguard.apps.core.signatures import signature_still_valid
from nmguard.apps.therapy import dosimetry_jobs, services, study_match
from nmguard.apps.therapy.models import CycleDoseRecord
from nmguard.errors import InputError
from tests.conftest import PASSWORD
from tests.therapy.recording_fixtures import SYNTH_STUDY_DAY, succeeded_job

pytestmark = pytest.mark.django_db

# Left kidney 150 g at 4 Gy, right kidney 170 g at 5 Gy: mass-weighted mean (150·4 + 170·5) / 320 = 4.53125 Gy
VOIS = [("Liver", 2.0, 1800.0), ("Left kidney", 4.0, 150.0), ("Right kidney", 5.0, 170.0), ("Lesion 1", 20.0, 11.0)]
KIDNEYS_GY = (150 * 4.0 + 170 * 5.0) / 320


# ----------------------------------------------------------------------------------------------- pure layer
def test_mass_weighted_organ_dose_and_unconfirmed_names():
    vois = [study_match.VoiDose(n, d, m) for n, d, m in VOIS]
    mapping = {"Liver": "liver", "Left kidney": "kidneys", "Right kidney": "kidneys", "Lesion 1": ""}
    doses = study_match.organ_doses(vois, mapping)
    assert doses == {"liver": 2.0, "kidneys": pytest.approx(KIDNEYS_GY, rel=1e-12)}
    with pytest.raises(InputError, match="Lesion 1"):
        study_match.organ_doses(vois, {k: v for k, v in mapping.items() if k != "Lesion 1"})
    with pytest.raises(InputError, match="mass"):
        study_match.organ_doses(
            [study_match.VoiDose("a", 1, None), study_match.VoiDose("b", 2, 10)], {"a": "x", "b": "x"}
        )
    assert study_match.unmapped_constraints(["kidneys", "red marrow"], doses) == ["red marrow"]


def test_the_study_must_be_the_courses_patient_within_the_cycles_window():
    patient = study_match.PersonIdentity("SYNTH-001", "Synthetic", "Patient", dt.date(1960, 5, 1))
    study = study_match.StudyHeader((patient,), (dt.date(2026, 3, 2), dt.date(2026, 3, 6)))
    window = study_match.cycle_window(dt.date(2026, 3, 2), dt.date(2026, 3, 1), days_after=14, planned_tolerance=7)
    assert (window.first, window.last) == (dt.date(2026, 3, 2), dt.date(2026, 3, 16))
    assert study_match.compare(study, patient, window) == []
    same_but_case = study_match.PersonIdentity("synth-001", "SYNTHETIC", "patient", dt.date(1960, 5, 1))
    assert study_match.compare(study, same_but_case, window) == []
    other = study_match.PersonIdentity("P-2", "Man", "Max", dt.date(1960, 2, 2))
    assert {m.field for m in study_match.compare(study, other, window)} == {"patient_id", "name", "birth_date"}
    late = study_match.cycle_window(dt.date(2026, 7, 13), dt.date(2026, 7, 13), days_after=14, planned_tolerance=7)
    assert [m.field for m in study_match.compare(study, patient, late)] == ["acquisition_date"]
    before = study_match.cycle_window(dt.date(2026, 3, 3), dt.date(2026, 3, 3), days_after=14, planned_tolerance=7)
    assert [m.field for m in study_match.compare(study, patient, before)] == ["acquisition_date"]  # 03-02 < 03-03
    planned = study_match.cycle_window(None, dt.date(2026, 3, 10), days_after=14, planned_tolerance=7)
    assert (planned.first, planned.last) == (dt.date(2026, 3, 3), dt.date(2026, 3, 31)) and "planned" in planned.basis


def test_synonyms_and_window_come_from_cited_reference_data():
    from nmguard.reference.therapy_dosimetry import cycle_window, organ_for_voi

    assert organ_for_voi("Left kidney") == organ_for_voi("Kidney_R") == organ_for_voi(" right  KIDNEY ") == "kidneys"
    assert organ_for_voi("Parotid_L") == "salivary glands"
    assert organ_for_voi("Lesion 1") is None
    window = cycle_window()
    assert window.days_after_administration.unit == "d" and window.days_after_administration.source.text
    assert window.days_after_administration.status.value in ("verified", "derived", "secondary", "unverified")


# -------------------------------------------------------------------------------------------------- services
def test_the_dicom_header_of_the_stored_inputs_names_the_patient_and_dates(dept, study_inbox, psma, synth_patient):
    course = services.start_course(
        patient=synth_patient, protocol=psma, started_on=SYNTH_STUDY_DAY, user=dept["physician"]
    )
    job = succeeded_job(course.cycle_records.get(number=1), study_inbox, dept["physicist"], VOIS)
    header = dosimetry_jobs.study_header(job)
    assert [(p.patient_id, p.family_name, p.given_name, p.birth_date) for p in header.patients] == [
        ("SYNTH-001", "Synthetic", "Patient", dt.date(1960, 5, 1))
    ]
    # 4 h, 24 h and 96 h after 2026-03-02 08:00 UTC (09:00 local): 03-02, 03-03 and 03-06
    assert header.acquisition_dates == (dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 6))


def test_a_matching_run_records_mapped_organ_doses_and_the_course_counts_them(dept, study_inbox, psma, synth_patient):
    """A real run (local deposition) on the synthetic study of this patient, linked to cycle 1."""
    course = services.start_course(
        patient=synth_patient, protocol=psma, started_on=SYNTH_STUDY_DAY, user=dept["physician"]
    )
    cycle = course.cycle_records.get(number=1)
    job = dosimetry_jobs.submit_folder(
        study_dir=study_inbox,
        title="c1",
        options=__import__("nmguard.dosimetry.pipeline", fromlist=["RunOptions"]).RunOptions(method="ld"),
        user=dept["physicist"],
        cycle=cycle,
    )
    job = dosimetry_jobs.run_next_job("test")
    assert job.status == "succeeded", job.message
    check = dosimetry_jobs.recording_check(job)
    assert check.mismatches == ()
    assert check.proposal["Left kidney"] == check.proposal["Right kidney"] == "kidneys"
    assert check.proposal["Lesion 1"] == ""  # no organ: not recorded unless the user says so
    with pytest.raises(InputError) as err:
        dosimetry_jobs.record_doses_for_cycle(job, dept["physicist"], mapping=check.proposal, mapping_confirmed=False)
    assert err.value.field == "mapping_confirmed"
    record = dosimetry_jobs.record_doses_for_cycle(
        job, dept["physicist"], mapping=check.proposal, mapping_confirmed=True
    )
    vois = {v["name"]: v for v in job.result["vois"]}
    left, right = vois["Left kidney"], vois["Right kidney"]
    expected = (
        left["absorbed_dose"]["mean_Gy"] * left["mass_g"] + right["absorbed_dose"]["mean_Gy"] * right["mass_g"]
    ) / (left["mass_g"] + right["mass_g"])
    cycle.refresh_from_db()
    assert cycle.organ_doses_Gy["kidneys"] == pytest.approx(expected, abs=1e-4)
    assert "Left kidney" not in cycle.organ_doses_Gy and "Lesion 1" not in cycle.organ_doses_Gy
    assert record.override_signature is None and record.study_check["mismatches"] == []
    (kidneys,) = [r for r in services.summary_rows(course) if r["organ"] == "kidneys"]
    assert kidneys["percent_of_limit"] == pytest.approx(100 * expected / 23, rel=1e-3)


def test_another_patients_study_needs_a_signed_reason_and_supersedes_the_earlier_doses(
    dept, study_inbox, other_course, client
):
    """The defect as seen: SYNTH-001's study (March 2026) linked to P-2's cycle 2 (July), which had doses."""
    cycle2 = other_course.cycle_records.get(number=2)
    before = dict(cycle2.organ_doses_Gy)
    job = succeeded_job(cycle2, study_inbox, dept["physicist"], VOIS)
    check = dosimetry_jobs.recording_check(job)
    assert {m.field for m in check.mismatches} == {"patient_id", "name", "birth_date", "acquisition_date"}
    physicist = dept["physicist"]
    mapping = check.proposal | {"Liver": "liver"}

    def attempt(**kw):
        with pytest.raises(InputError) as err:
            dosimetry_jobs.record_doses_for_cycle(job, physicist, mapping=mapping, mapping_confirmed=True, **kw)
        return err.value.field

    assert attempt() == "mismatch_reason"  # another patient, another month: say why, and sign
    assert (
        attempt(mismatch_reason="x", reason="repeat imaging after the camera repair") == "mismatch_reason"
    )  # no reason
    assert attempt(mismatch_reason="patient merged in PACS") == "reason"  # cycle 2 had doses: why replace them
    assert (
        attempt(reason="repeat imaging after the camera repair", mismatch_reason="patient merged in PACS") == "password"
    )
    assert (
        attempt(
            reason="repeat imaging after the camera repair", mismatch_reason="patient merged in PACS", password="wrong"
        )
        == "password"
    )
    assert AuditEvent.objects.filter(action="sign_failed").count() == 1  # the failed signature is in the trail
    cycle2.refresh_from_db()
    assert cycle2.organ_doses_Gy == before and cycle2.dose_records.count() == 1  # nothing written

    record = dosimetry_jobs.record_doses_for_cycle(
        job,
        physicist,
        mapping=mapping,
        mapping_confirmed=True,
        reason="repeat imaging after the camera repair",
        mismatch_reason="patient merged in PACS",
        password=PASSWORD,
    )
    cycle2.refresh_from_db()
    assert cycle2.organ_doses_Gy == {"liver": 2.0, "kidneys": pytest.approx(KIDNEYS_GY, abs=1e-4)}
    assert record.override_signature is not None and signature_still_valid(record.override_signature, record)
    earlier = CycleDoseRecord.objects.get(cycle=cycle2, superseded_by=record)
    assert earlier.organ_doses_Gy == before and record.reason == "repeat imaging after the camera repair"
    assert record.mismatch_reason == "patient merged in PACS"
    assert {m["field"] for m in record.study_check["mismatches"]} >= {"patient_id", "acquisition_date"}
    # the course counts cycle 1 (3.1 Gy) and the new cycle 2 kidneys (mass-weighted), not 3.1 Gy alone
    (kidneys,) = [r for r in services.summary_rows(other_course) if r["organ"] == "kidneys"]
    assert kidneys["cumulative_Gy"] == pytest.approx(3.1 + KIDNEYS_GY, abs=1e-4)
    client.force_login(physicist)
    assert 'data-testid="job-doses-recorded"' in client.get(f"/therapy/courses/{other_course.pk}/").content.decode()
    assert kidneys["percent_of_limit"] == pytest.approx(100 * (3.1 + KIDNEYS_GY) / 23, abs=1e-3)


def test_typed_doses_supersede_with_a_reason_never_silently(dept, other_course):
    cycle1 = other_course.cycle_records.get(number=1)
    with pytest.raises(InputError) as err:
        services.record_cycle_doses(cycle1, organ_doses_Gy={"kidneys": 2.0}, method="re-read", user=dept["physicist"])
    assert err.value.field == "reason"
    services.record_cycle_doses(
        cycle1,
        organ_doses_Gy={"kidneys": 2.0},
        method="re-read",
        user=dept["physicist"],
        reason="wrong calibration factor",
    )
    records = list(cycle1.dose_records.order_by("created_at", "pk"))
    assert [r.organ_doses_Gy["kidneys"] for r in records] == [3.1, 2.0]
    assert records[0].superseded_by_id == records[1].pk and records[1].is_current


def test_only_the_roles_that_record_doses_may_and_the_page_offers_the_form_only_to_them(
    dept, study_inbox, other_course, client
):
    cycle2 = other_course.cycle_records.get(number=2)
    job = succeeded_job(cycle2, study_inbox, dept["physicist"], VOIS)
    for role in ("technologist", "administrator"):
        with pytest.raises(InputError, match="role"):
            dosimetry_jobs.record_doses_for_cycle(job, dept[role], mapping={}, mapping_confirmed=True)
        client.force_login(dept[role])
        page = client.get(f"/therapy/dosimetry/{job.pk}/").content.decode()
        assert 'data-testid="study-mismatch"' in page  # everyone sees the mismatch
        assert 'data-testid="record-form"' not in page and "Re-run" not in page
        course_page = client.get(f"/therapy/courses/{other_course.pk}/").content.decode()
        assert (
            "therapy-doses" not in course_page and "/doses/" not in course_page and "/eligibility/" not in course_page
        )
        refused = client.post(f"/therapy/dosimetry/{job.pk}/to-cycle/", {})
        text = refused.content.decode()
        assert refused.status_code == 403 and "needs the role" in text and "Medical physicist" in text
        assert client.post(f"/therapy/dosimetry/{job.pk}/rerun/").status_code == 403
    client.force_login(dept["physicist"])
    page = client.get(f"/therapy/dosimetry/{job.pk}/").content.decode()
    assert 'data-testid="record-form"' in page and 'name="password"' in page and 'name="mismatch_reason"' in page
    box = page.split('name="mapping_confirmed"')[1].split(">")[0]
    assert " checked" not in box  # no default answer


def test_the_pages_print_times_with_zone_numbers_without_noise_and_no_none(dept, study_inbox, other_course, client):
    cycle2 = other_course.cycle_records.get(number=2)
    job = succeeded_job(cycle2, study_inbox, dept["physicist"], [("Liver", 0.4329004329004329, 1800.123456)])
    client.force_login(dept["physicist"])
    for url in (f"/therapy/dosimetry/{job.pk}/", "/therapy/dosimetry/", f"/therapy/courses/{other_course.pk}/"):
        page = client.get(url).content.decode()
        assert "0.4329004329" not in page and "None" not in page and "1800.12" not in page, url
        assert "{'" not in page and "['" not in page, url
    page = client.get(f"/therapy/dosimetry/{job.pk}/").content.decode()
    assert "0.433" in page and ("CET" in page or "CEST" in page)


def test_a_failed_run_says_what_to_do_not_what_the_dicom_library_said():
    from pydicom.errors import InvalidDicomError

    message = dosimetry_jobs.failure_message(
        InvalidDicomError(
            "File is missing DICOM File Meta Information header or the 'DICM' prefix is missing from "
            "the header. Use force=True to force reading."
        )
    )
    assert "force=True" not in message and "DICOM" in message and "export" in message


def test_the_api_records_with_the_same_checks_and_names_the_field(dept, study_inbox, other_course, client):
    job = succeeded_job(other_course.cycle_records.get(number=2), study_inbox, dept["physicist"], VOIS)
    client.force_login(dept["physicist"])
    check = client.get(f"/api/v1/dosimetry/jobs/{job.pk}/recording-check").json()
    assert check["proposal"]["Right kidney"] == "kidneys" and check["cycle_has_doses"] is True
    assert {m["field"] for m in check["mismatches"]} >= {"patient_id", "acquisition_date"}
    url = f"/api/v1/dosimetry/jobs/{job.pk}/record"
    body = {"mapping": check["proposal"], "mapping_confirmed": False}
    r = client.post(url, body, content_type="application/json")
    assert r.status_code == 422 and "mapping_confirmed" in r.content.decode()
    body |= {
        "mapping_confirmed": True,
        "reason": "re-read with the new calibration",
        "mismatch_reason": "patient IDs merged in PACS",
        "password": PASSWORD,
    }
    r = client.post(url, body, content_type="application/json")
    assert r.status_code == 201 and r.json()["organ_doses_Gy"]["kidneys"] == pytest.approx(KIDNEYS_GY, abs=1e-4)


def test_the_typed_dose_form_wants_a_reason_to_supersede_and_whole_organs(dept, other_course, client):
    cycle1 = other_course.cycle_records.get(number=1)
    url = f"/therapy/courses/{other_course.pk}/cycles/{cycle1.pk}/doses/"
    client.force_login(dept["physicist"])
    r = client.post(url, {"doses": "kidneys = 2.5", "method": "re-read", "reason": ""})
    assert r.status_code == 200 and b'data-field="reason"' in r.content
    r = client.post(url, {"doses": "left kidney = 2.5", "method": "re-read", "reason": "wrong calibration factor used"})
    assert r.status_code == 200 and b'data-field="doses"' in r.content and b"kidneys" in r.content
    cycle1.refresh_from_db()
    assert cycle1.organ_doses_Gy["kidneys"] == 3.1
    r = client.post(url, {"doses": "kidneys = 2.5", "method": "re-read", "reason": "wrong calibration factor used"})
    assert r.status_code == 302
    cycle1.refresh_from_db()
    assert cycle1.organ_doses_Gy == {"kidneys": 2.5} and cycle1.dose_records.count() == 2


def test_a_new_eligibility_check_keeps_the_earlier_one_readable(dept, other_course, client):
    cycle = other_course.cycle_records.get(number=3)
    services.check_eligibility(cycle, {}, dept["physician"])  # no values: not (yet) eligible
    services.check_eligibility(cycle, {"eGFR": 62.0}, dept["physician"])
    checks = services.eligibility_checks(cycle)
    assert len(checks) == 2 and checks[-1]["result"] == cycle.eligibility
    client.force_login(dept["physicist"])
    page = client.get(f"/therapy/courses/{other_course.pk}/").content.decode()
    assert 'data-testid="eligibility-history"' in page and "Earlier eligibility checks (1)" in page
