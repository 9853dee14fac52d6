"""The administration path through the services: prescription → measurement → checks → administration.

Independent numbers: decay with 2^(−t/T½) using the shipped half-life; effective dose = activity ×
the ICRP 128 coefficient read from REFERENCE_DATA §2.1 (FDG adult 0.019 mSv/MBq, verified).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.conftest import PASSWORD
from tests.department import now_minute

from nmguard.apps.core.models import AuditEvent, Signature
from nmguard.apps.core.signatures import SignatureError
from nmguard.apps.patients import services
from nmguard.apps.patients.models import Administration, DoseMeasurement, MedicalEvent, Prescription, SafetyCheck
from nmguard.errors import InputError
from nmguard.reference import get_nuclide

pytestmark = pytest.mark.django_db

F18 = get_nuclide("F-18").half_life_s


def answers(patient, product, at, **changes):
    base = dict(
        patient_id=patient.mrn,
        birth_date=patient.birth_date,
        pregnancy="not_pregnant",
        breastfeeding=False,
        breastfeeding_advice_given=False,
        previous_reaction=False,
        reaction_note="",
        radiopharmaceutical_id=product.pk,
        planned_at=at,
    )
    return services.CheckAnswers(**{**base, **changes})


def prescribe_fdg(dept, at, weight=70.0, patient="man"):
    return services.prescribe(
        patient=dept[patient],
        protocol=dept["fdg_protocol"],
        scheduled_for=at,
        weight_kg=weight,
        prescriber=dept["physician"],
    )


def measure_for(dept, p, at, factor=1.0, half_life=F18):
    """A syringe reading 10 min before ``at`` (but on ``at``'s local day: the measurement must be of the injection's
    day, so just after midnight it is taken at 00:00) that decays to factor × the prescription at ``at``."""
    midnight = timezone.localtime(at).replace(hour=0, minute=0, second=0, microsecond=0)
    measured_at = max(at - dt.timedelta(minutes=10), midnight)
    reading = factor * p.prescribed_activity_Bq * 2 ** ((at - measured_at).total_seconds() / half_life)
    return services.record_measurement(
        p,
        meter=dept["meter"],
        activity_Bq=reading,
        measured_at=measured_at,
        user=dept["technologist"],
    )


def test_per_kg_prescription_uses_the_protocol_rule(dept):
    p = prescribe_fdg(dept, now_minute(), weight=70.0)
    assert p.prescribed_activity_Bq == pytest.approx(210e6)  # 3 MBq/kg × 70 kg
    assert "3 MBq/kg × 70 kg" in p.activity_rule
    heavy = prescribe_fdg(dept, now_minute() + dt.timedelta(hours=1), weight=150.0)
    assert heavy.prescribed_activity_Bq == pytest.approx(400e6)  # 450 MBq limited to the 400 MBq maximum


def test_child_gets_the_eanm_card_activity(dept):
    p = services.prescribe(
        patient=dept["child"],
        protocol=dept["mdp_protocol"],
        scheduled_for=now_minute(),
        weight_kg=20.0,
        prescriber=dept["physician"],
    )
    assert p.prescribed_activity_Bq == pytest.approx(35.0 * 4.86 * 1e6, rel=1e-9)  # class B, 20 kg row
    assert "eanm" in p.activity_rule.lower()


def test_only_a_physician_prescribes_and_an_override_needs_a_reason(dept):
    with pytest.raises(InputError, match="role"):
        services.prescribe(
            patient=dept["man"],
            protocol=dept["fdg_protocol"],
            scheduled_for=now_minute(),
            weight_kg=70,
            prescriber=dept["technologist"],
        )
    with pytest.raises(InputError) as info:
        services.prescribe(
            patient=dept["man"],
            protocol=dept["fdg_protocol"],
            scheduled_for=now_minute(),
            weight_kg=70,
            prescriber=dept["physician"],
            activity_MBq=300,
        )
    assert info.value.field == "override_reason"
    p = services.prescribe(
        patient=dept["man"],
        protocol=dept["fdg_protocol"],
        scheduled_for=now_minute(),
        weight_kg=70,
        prescriber=dept["physician"],
        activity_MBq=300,
        override_reason="obese patient, 140 kg, poor count statistics",
    )
    assert p.prescribed_activity_Bq == 300e6 and p.protocol_activity_Bq == pytest.approx(210e6)
    assert Prescription.objects.count() == 1


def test_whole_path_records_every_step(dept):
    at = now_minute()
    p = prescribe_fdg(dept, at)
    m = measure_for(dept, p, at)
    checks = services.record_checks(p, answers(dept["man"], dept["fdg"], at), dept["technologist"])
    assert {c.kind: c.outcome for c in checks} == {
        "identity": "pass",
        "pregnancy": "n/a",
        "breastfeeding": "n/a",
        "allergy": "pass",
        "radiopharmaceutical": "pass",
        "activity": "pass",
        "meter_qc": "pass",
        "measurement_day": "pass",
    }
    assert all(c.answered_by == dept["technologist"] for c in checks)
    residual_at = at + dt.timedelta(minutes=2)
    a = services.administer(
        p,
        services.AdministrationInput(
            administered_at=at,
            route="iv",
            site="left arm",
            residual_Bq=5e6,
            residual_measured_at=residual_at,
            extravasation=False,
        ),
        dept["technologist"],
    )
    # net = reading decayed 10 min to the injection − residual decayed back 2 min to the injection
    net = m.measured_activity_Bq * 2 ** (-600 / F18) - 5e6 * 2 ** (120 / F18)
    assert a.administered_activity_Bq == pytest.approx(net, rel=1e-12)
    assert a.effective_dose_mSv == pytest.approx(net / 1e6 * 0.019, rel=1e-12)  # ICRP 128 FDG adult
    assert a.dose_basis["age_group"] == "adult" and a.dose_basis["source"]
    p.refresh_from_db()
    assert p.status == "administered"
    labels = set(AuditEvent.objects.values_list("model_label", flat=True))
    assert {
        "patients.Prescription",
        "patients.DoseMeasurement",
        "patients.SafetyCheck",
        "patients.Administration",
    } <= labels
    assert not MedicalEvent.objects.exists()


def test_blocked_administration_stores_nothing(dept):
    at = now_minute()
    p = prescribe_fdg(dept, at)
    measure_for(dept, p, at, factor=1.3)  # 30 % over: outside the NRC 20 % tolerance
    checks = services.record_checks(p, answers(dept["man"], dept["fdg"], at), dept["technologist"])
    assert [c.kind for c in checks if c.blocks] == ["activity"]
    before = (AuditEvent.objects.count(), Administration.objects.count(), p.status)
    with pytest.raises(services.AdministrationBlocked, match="Activity within tolerance"):
        services.administer(
            p, services.AdministrationInput(administered_at=at, route="iv", extravasation=False), dept["technologist"]
        )
    p.refresh_from_db()
    assert (AuditEvent.objects.count(), Administration.objects.count(), p.status) == before


def test_override_needs_physician_signature_then_no_medical_event_for_small_dose_difference(dept):
    at = now_minute()
    p = prescribe_fdg(dept, at)
    measure_for(dept, p, at, factor=1.3)
    services.record_checks(p, answers(dept["man"], dept["fdg"], at), dept["technologist"])
    failed = SafetyCheck.objects.get(prescription=p, kind="activity")
    with pytest.raises(InputError, match="role"):
        services.override_check(failed, physician=dept["technologist"], password=PASSWORD, reason="x")
    with pytest.raises(SignatureError):
        services.override_check(
            failed, physician=dept["physician"], password="wrong", reason="accepted: scan quality needs it"
        )
    assert AuditEvent.objects.filter(action="sign_failed").count() == 1  # the failed attempt stays in the trail
    services.override_check(failed, physician=dept["physician"], password=PASSWORD, reason="accept 30 % for this scan")
    failed.refresh_from_db()
    assert failed.overridden_by == dept["physician"] and failed.override_signature.meaning == "approved"
    assert Signature.objects.count() == 1
    a = services.administer(
        p, services.AdministrationInput(administered_at=at, route="iv", extravasation=False), dept["technologist"]
    )
    # 30 % of 210 MBq FDG is 63 MBq × 0.019 = 1.2 mSv ≪ 50 mSv: outside tolerance, not a medical event
    assert not a.medical_events.exists()


def _therapy_event(dept):
    at = now_minute()
    p = services.prescribe(
        patient=dept["man"],
        protocol=dept["iodine_protocol"],
        scheduled_for=at,
        weight_kg=80,
        prescriber=dept["physician"],
    )
    measure_for(dept, p, at, factor=7400 / 5550, half_life=get_nuclide("I-131").half_life_s)
    services.record_checks(p, answers(dept["man"], dept["iodine"], at), dept["technologist"])
    services.override_check(
        SafetyCheck.objects.get(prescription=p, kind="activity"),
        physician=dept["physician"],
        password=PASSWORD,
        reason="dose drawn wrong, patient already given it",
    )
    a = services.administer(
        p, services.AdministrationInput(administered_at=at, route="oral", extravasation=False), dept["technologist"]
    )
    return MedicalEvent.objects.get(administration=a)


def test_therapy_overdose_raises_a_medical_event(dept):
    event = _therapy_event(dept)  # 7.4 GBq 131I given for 5.55 GBq prescribed (+33 %)
    assert event.profile == "nrc" and event.criteria
    assert any("35.3045" in c["citation"] for c in event.criteria)
    assert event.reporting_steps and all(s["due"] for s in event.reporting_steps)


def test_pregnancy_unknown_blocks_for_a_woman_of_childbearing_age(dept):
    at = now_minute()
    p = services.prescribe(
        patient=dept["adult"],
        protocol=dept["fdg_protocol"],
        scheduled_for=at,
        weight_kg=60,
        prescriber=dept["physician"],
    )
    measure_for(dept, p, at)
    checks = services.record_checks(
        p, answers(dept["adult"], dept["fdg"], at, pregnancy="unknown"), dept["technologist"]
    )
    by_kind = {c.kind: c for c in checks}
    assert by_kind["pregnancy"].blocks
    assert by_kind["breastfeeding"].outcome == "pass"


def test_breastfeeding_needs_the_advice(dept):
    at = now_minute()
    p = services.prescribe(
        patient=dept["adult"],
        protocol=dept["fdg_protocol"],
        scheduled_for=at,
        weight_kg=60,
        prescriber=dept["physician"],
    )
    measure_for(dept, p, at)
    checks = services.record_checks(
        p, answers(dept["adult"], dept["fdg"], at, breastfeeding=True), dept["technologist"]
    )
    bf = next(c for c in checks if c.kind == "breastfeeding")
    assert bf.blocks and "4" in bf.message  # RG 8.39 Rev 1: FDG 4 h interruption


def test_wrong_patient_identifiers_and_wrong_product_block(dept):
    at = now_minute()
    p = prescribe_fdg(dept, at)
    measure_for(dept, p, at)
    checks = services.record_checks(p, answers(dept["man"], dept["mdp"], at, patient_id="P-9"), dept["technologist"])
    blocked = {c.kind for c in checks if c.blocks}
    assert blocked == {"identity", "radiopharmaceutical"}


def test_meter_out_of_qc_refused_and_nothing_stored(dept):
    from nmguard.apps.core.actor import acting_as

    meter = dept["meter"]
    with acting_as(dept["physicist"], reason="constancy failed"):
        meter.qc_valid_until = meter.qc_valid_until - dt.timedelta(days=30)
        meter.save()
    at = now_minute()
    p = prescribe_fdg(dept, at)
    with pytest.raises(InputError, match="QC overdue") as info:
        measure_for(dept, p, at)
    assert info.value.field == "activity_meter"
    assert not DoseMeasurement.objects.exists()


def test_times_too_far_in_the_future_refused(dept):
    at = now_minute()
    p = prescribe_fdg(dept, at)
    with pytest.raises(InputError, match="in the future") as info:
        services.record_measurement(
            p, meter=dept["meter"], activity_Bq=2e8, measured_at=at + dt.timedelta(hours=2), user=dept["technologist"]
        )
    assert info.value.field == "measured_at"


def test_dose_report_round_trip_and_fhir(dept, tmp_path):
    import shutil
    import subprocess

    import pydicom

    from nmguard.apps.patients.exchange import fhir_medication_administration, import_rrdsr, rrdsr_bytes

    at = now_minute()
    p = prescribe_fdg(dept, at)
    measure_for(dept, p, at)
    services.record_checks(p, answers(dept["man"], dept["fdg"], at), dept["technologist"])
    a = services.administer(
        p,
        services.AdministrationInput(administered_at=at, route="iv", extravasation=False, site="left arm"),
        dept["technologist"],
    )
    data = rrdsr_bytes(a)
    ds = pydicom.dcmread(__import__("io").BytesIO(data))
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.88.68"
    if shutil.which("dsrdump"):
        path = tmp_path / "rrdsr.dcm"
        path.write_bytes(data)
        out = subprocess.run(["dsrdump", str(path)], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert "Administered activity" in out.stdout
    else:
        pytest.skip("dsrdump (DCMTK) not installed")
    imported = import_rrdsr(data, dept["physicist"])
    assert imported.patient == dept["man"]
    assert imported.administered_activity_Bq == pytest.approx(a.administered_activity_Bq, rel=1e-9)
    assert imported.administered_at == a.administered_at
    with pytest.raises(InputError, match="imported already"):
        import_rrdsr(data, dept["physicist"])
    resource = fhir_medication_administration(a)
    assert resource["resourceType"] == "MedicationAdministration"
    assert resource["dosage"]["dose"]["unit"] == "MBq"


def test_medical_event_reporting_workflow_is_signed(dept, make_user, client):
    event = _therapy_event(dept)
    rpo = make_user("rpo", "rpo-x")
    # the event shows on the dashboards of those who report it, with its first deadline
    client.force_login(dept["physician"])
    page = client.get("/").content.decode()
    assert "Needs attention" in page and "Medical event (open)" in page
    client.force_login(dept["technologist"])
    assert "Needs attention" not in client.get("/").content.decode()
    with pytest.raises(InputError, match="role"):
        services.advance_medical_event(event, user=dept["technologist"], password=PASSWORD, note="x")
    with pytest.raises(SignatureError):
        services.advance_medical_event(event, user=rpo, password="wrong", note="phoned NRC")
    services.advance_medical_event(event, user=rpo, password=PASSWORD, note="NRC Operations Center, event 12345")
    event.refresh_from_db()
    assert event.status == "reported" and "event 12345" in event.notes
    services.advance_medical_event(event, user=dept["physician"], password=PASSWORD, note="written report sent")
    event.refresh_from_db()
    assert event.status == "closed"
    assert list(Signature.objects.filter(model_label="patients.MedicalEvent").values_list("meaning", flat=True)) == [
        "closed",
        "reported",
    ]
    with pytest.raises(InputError, match="closed"):
        services.advance_medical_event(event, user=rpo, password=PASSWORD, note="again")


def test_dose_history_joins_imported_reports(dept, client):
    from nmguard.apps.patients.exchange import rrdsr_bytes

    at = now_minute()
    p = prescribe_fdg(dept, at)
    measure_for(dept, p, at)
    services.record_checks(p, answers(dept["man"], dept["fdg"], at), dept["technologist"])
    a = services.administer(
        p, services.AdministrationInput(administered_at=at, route="iv", extravasation=False), dept["technologist"]
    )
    data = rrdsr_bytes(a)
    client.force_login(dept["technologist"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(
        f"/administrations/patients/{dept['man'].pk}/import-report/",
        {"file": SimpleUploadedFile("x.dcm", b"not dicom")},
    )
    assert bad.status_code == 200 and b"not a readable DICOM file" in bad.content
    ok = client.post(
        f"/administrations/patients/{dept['man'].pk}/import-report/", {"file": SimpleUploadedFile("r.dcm", data)}
    )
    assert ok.status_code == 302
    history = services.dose_history(dept["man"])
    assert [row.origin for row in history] == ["NMGuard", "Test NM"]
    assert history[1].activity_Bq == pytest.approx(history[0].activity_Bq, rel=1e-9)
