"""The QC programme in the records layer: due lists, evaluation, lock-out of a failed activity meter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.models import AuditEvent, Signature
from nmguard.apps.equipment import qc_entry, qc_services
from nmguard.apps.equipment.models import CheckSource, Equipment, QCExemption
from nmguard.errors import InputError
from nmguard.reference import get_nuclide
from tests.conftest import PASSWORD
from tests.department import now_minute

pytestmark = pytest.mark.django_db

CS137 = get_nuclide("Cs-137").half_life_s


@pytest.fixture
def meter_programme(dept):
    """The fixture department's meter with a daily constancy test on a Cs-137 source certified 5 years ago."""
    with acting_as(dept["physicist"], reason="fixture"):
        source = CheckSource.objects.create(
            name="Cs-137 vial",
            nuclide="Cs-137",
            certified_activity_Bq=7.4e6,
            certified_at=timezone.now() - dt.timedelta(days=5 * 365.25),
        )
    schedule = qc_services.schedule_test(dept["meter"], "am-constancy", dept["physicist"], check_source=source)
    return schedule, source


def expected_reading(source, at):
    return source.certified_activity_Bq * 2 ** (-(at - source.certified_at).total_seconds() / CS137)


def constancy(schedule, user, at, factor):
    source = schedule.check_source
    data = {"performed_at": at, "reading": expected_reading(source, at) * factor, "comment": ""}
    return qc_entry.record_from_form(schedule, data, user)


def test_constancy_evaluated_against_the_decayed_certificate(dept, meter_programme):
    schedule, _ = meter_programme
    at = now_minute()
    ok = constancy(schedule, dept["technologist"], at, 1.02)
    assert ok.outcome == "ok" and ok.value == pytest.approx(2.0, abs=1e-9)
    watch = constancy(schedule, dept["technologist"], at, 0.93)  # −7 %: outside ±5 %, inside ±10 %
    assert watch.outcome == "tolerance"
    dept["meter"].refresh_from_db()
    assert dept["meter"].status == Equipment.Status.CLINICAL


def test_failed_constancy_blocks_measurement_until_a_physicist_returns_it_and_all_is_audited(dept, meter_programme):
    from nmguard.apps.patients import services

    schedule, _ = meter_programme
    at = now_minute()
    failed = constancy(schedule, dept["technologist"], at - dt.timedelta(minutes=30), 1.15)  # +15 %: action
    assert failed.outcome == "action"
    meter = Equipment.objects.get(pk=dept["meter"].pk)
    assert meter.status == Equipment.Status.OUT_OF_SERVICE and meter.locked_by_qc
    p = services.prescribe(
        patient=dept["man"], protocol=dept["fdg_protocol"], scheduled_for=at, weight_kg=70, prescriber=dept["physician"]
    )
    with pytest.raises(InputError, match="action-level QC") as info:
        services.record_measurement(p, meter=meter, activity_Bq=2.1e8, measured_at=at, user=dept["technologist"])
    assert info.value.field == "activity_meter"
    constancy(schedule, dept["technologist"], at - dt.timedelta(minutes=10), 0.99)
    meter.refresh_from_db()  # a pass only makes the meter eligible: it stays out of use until a physicist signs
    assert meter.status == Equipment.Status.OUT_OF_SERVICE and meter.locked_by_qc
    assert qc_services.eligible_for_return(meter)
    with pytest.raises(InputError, match="action-level QC"):
        services.record_measurement(p, meter=meter, activity_Bq=2.1e8, measured_at=at, user=dept["technologist"])
    with pytest.raises(InputError, match="role"):
        qc_services.return_to_service(meter, physicist=dept["technologist"], password=PASSWORD, reason="looks fine")
    qc_services.return_to_service(meter, physicist=dept["physicist"], password=PASSWORD, reason="chamber checked")
    meter.refresh_from_db()
    assert meter.status == Equipment.Status.CLINICAL and not meter.locked_by_qc
    assert Signature.objects.filter(model_label="equipment.Equipment", object_id=str(meter.pk)).count() == 1
    assert meter.qc_valid_until == timezone.localdate(at - dt.timedelta(minutes=10))  # daily test: that day
    services.record_measurement(p, meter=meter, activity_Bq=2.1e8, measured_at=at, user=dept["technologist"])
    reasons = list(
        AuditEvent.objects.filter(model_label="equipment.Equipment", object_id=str(meter.pk)).values_list(
            "reason", flat=True
        )
    )
    assert any(r.startswith("QC action level") for r in reasons)
    assert any("returned to clinical use: chamber checked" in r for r in reasons)


def test_overdue_and_not_in_use(dept, meter_programme):
    schedule, _ = meter_programme
    today = timezone.localdate()
    constancy(schedule, dept["technologist"], now_minute() - dt.timedelta(days=3), 1.0)
    (item,) = qc_services.due_items(today)
    assert item.overdue and item.days_overdue == 2  # daily: due the day after, overdue from the next
    assert qc_services.overdue_items(today)
    qc_services.exempt_today(dept["meter"], today, "no patients today", dept["technologist"])
    (item,) = qc_services.due_items(today)
    assert item.exempt and not qc_services.overdue_items(today)
    assert "not in use" in dept["meter"].clinical_use_refusal(today)
    with pytest.raises(InputError):
        qc_services.exempt_today(dept["meter"], today, "again", dept["technologist"])
    assert QCExemption.objects.count() == 1


def test_department_bands_with_reason(dept, meter_programme):
    schedule, _ = meter_programme
    test = schedule.test
    with acting_as(dept["physicist"], reason="tighter local bands"):
        test.tolerance_low, test.tolerance_high, test.action_low, test.action_high = -2.0, 2.0, -5.0, 5.0
        test.bands_adjusted_reason = "local policy: ±2 % / ±5 %"
        test.save()
    r = constancy(schedule, dept["technologist"], now_minute(), 1.03)
    assert r.outcome == "tolerance" and "local policy" in (r.evaluation.get("override_reason") or "")


def test_approval_is_an_e_signature(dept, meter_programme):
    schedule, _ = meter_programme
    r = constancy(schedule, dept["technologist"], now_minute(), 1.0)
    with pytest.raises(InputError, match="role"):
        qc_services.approve_result(r, physicist=dept["technologist"], password=PASSWORD)
    qc_services.approve_result(r, physicist=dept["physicist"], password=PASSWORD, comment="ok")
    r.refresh_from_db()
    assert r.approved_by == dept["physicist"] and r.approval.meaning == "approved"
    assert Signature.objects.filter(model_label="equipment.QCResult").count() == 1


def test_trend_and_monthly_pdf(dept, meter_programme):
    schedule, _ = meter_programme
    for days, f in ((3, 1.01), (2, 0.97), (1, 1.12)):
        constancy(schedule, dept["technologist"], now_minute() - dt.timedelta(days=days), f)
    results = list(schedule.results.order_by("performed_at"))
    svg = qc_entry.trend_svg(schedule, results)
    assert svg.startswith("<svg") and "action high 10" in svg
    today = timezone.localdate()
    pdf = qc_entry.monthly_report(dept["meter"], today.year, today.month)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_test_must_fit_the_device(dept):
    with pytest.raises(InputError, match="does not apply"):
        qc_services.schedule_test(dept["meter"], "gc-cor", dept["physicist"])


def _upload(path, name=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name or path.name, path.read_bytes())


def test_uniformity_entry_from_a_dicom_flood(dept, tmp_path):
    """A gamma camera's daily flood uploaded as DICOM is analysed (NEMA NU 1) and evaluated."""
    from nmguard.synthetic.nm_images import Square, flood, write_nm

    with acting_as(dept["physicist"], reason="fixture"):
        camera = Equipment.objects.create(name="Camera Q", kind="gamma_camera")
    schedule = qc_services.schedule_test(camera, "gc-uniformity-daily", dept["physicist"])
    path = tmp_path / "flood.dcm"
    write_nm(path, flood((256, 256), counts_per_pixel=12000, squares=[Square(96, 96, 24, 0.12)], seed=3)[None])
    form = qc_entry.entry_form_for(
        schedule, {"performed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}, {"file": _upload(path)}
    )
    assert form.is_valid(), form.errors
    result = qc_entry.record_from_form(schedule, form.cleaned_data, dept["technologist"])
    # a +12 % plateau after smoothing gives an integral uniformity near 100·0.12/2.12 = 5.7 %: above the 5 % action
    assert result.value == pytest.approx(result.analysis["integral_ufov_percent"])
    assert 5.0 < result.value < 6.5 and result.outcome == "action" and result.figure_svg.startswith("<svg")
    camera.refresh_from_db()
    assert camera.status == Equipment.Status.OUT_OF_SERVICE


def test_bad_dicom_upload_names_the_problem(dept, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with acting_as(dept["physicist"], reason="fixture"):
        camera = Equipment.objects.create(name="Camera R", kind="gamma_camera")
    schedule = qc_services.schedule_test(camera, "gc-uniformity-daily", dept["physicist"])
    form = qc_entry.entry_form_for(
        schedule,
        {"performed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
        {"file": SimpleUploadedFile("x.dcm", b"not dicom")},
    )
    assert form.is_valid()
    with pytest.raises(InputError, match="not a DICOM file"):
        qc_entry.record_from_form(schedule, form.cleaned_data, dept["technologist"])


def test_cor_entry_from_a_projection_set(dept, tmp_path):
    """A point-source SPECT acquisition with a planted 0.8-pixel COR offset: outside the ±0.5 pixel tolerance."""
    from nmguard.synthetic.nm_images import point_source_projections, write_nm

    with acting_as(dept["physicist"], reason="fixture"):
        camera = Equipment.objects.create(name="SPECT C", kind="spect_ct")
    schedule = qc_services.schedule_test(camera, "gc-cor", dept["physicist"])
    frames, angles = point_source_projections(cor_offset_px=0.8)
    path = write_nm(tmp_path / "cor.dcm", frames, pixel_mm=4.8, angles_deg=angles, image_type="TOMO")
    form = qc_entry.entry_form_for(
        schedule, {"performed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}, {"file": _upload(path)}
    )
    assert form.is_valid(), form.errors
    result = qc_entry.record_from_form(schedule, form.cleaned_data, dept["technologist"])
    assert result.value == pytest.approx(0.8, abs=0.1) and result.outcome == "tolerance"
