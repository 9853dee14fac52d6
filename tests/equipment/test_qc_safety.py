"""Issue 10, item 5 in the records layer: return to service by a physicist, a register that agrees with
the QC programme, an undoable and audited "not in use today", the expected value before entry, drift."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.models import AuditEvent, Signature
from nmguard.apps.equipment import qc_services
from nmguard.apps.equipment.attention import qc_attention
from nmguard.apps.equipment.models import CheckSource, Equipment, QCExemption
from nmguard.errors import InputError
from nmguard.reference import get_nuclide
from tests.conftest import PASSWORD
from tests.department import now_minute

pytestmark = pytest.mark.django_db

# the demo's flood drift (integral UFOV %, one a day): every value passes the 5 % action level
DRIFT = [1.233, 1.407, 1.598, 1.771, 1.981, 2.16, 2.381, 2.597, 2.733, 2.949]


@pytest.fixture
def camera(dept):
    with acting_as(dept["physicist"], reason="fixture"):
        device = Equipment.objects.create(name="Camera A", kind="gamma_camera")
    return device


def flood_schedule(camera, dept):
    return qc_services.schedule_test(camera, "gc-uniformity-daily", dept["physicist"])


def record(schedule, user, value, days_ago=0, minutes=0):
    at = now_minute() - dt.timedelta(days=days_ago, minutes=minutes)
    return qc_services.record_result(schedule, performed_at=at, user=user, value=value, unit="%")


# ---------------------------------------------------------------- return to service
def test_a_technologists_passing_flood_does_not_return_a_locked_camera(dept, camera):
    schedule = flood_schedule(camera, dept)
    assert record(schedule, dept["technologist"], 6.1, minutes=30).outcome == "action"
    camera.refresh_from_db()
    assert camera.status == Equipment.Status.OUT_OF_SERVICE and camera.locked_by_qc
    assert not qc_services.eligible_for_return(camera)
    with pytest.raises(InputError, match="not eligible"):
        qc_services.return_to_service(camera, physicist=dept["physicist"], password=PASSWORD, reason="tuned")
    assert record(schedule, dept["technologist"], 2.0, minutes=10).outcome == "ok"
    camera.refresh_from_db()
    assert camera.status == Equipment.Status.OUT_OF_SERVICE and camera.locked_by_qc  # eligible, not returned
    assert qc_services.eligible_for_return(camera)
    assert "awaiting a physicist" in camera.clinical_use_refusal(timezone.localdate())
    items = qc_attention(dept["physicist"])
    assert any(i.title == "Return to service: Camera A" for i in items)
    assert not any(i.title.startswith("Return to service") for i in qc_attention(dept["technologist"]))


def test_return_needs_a_physicist_a_reason_and_the_password(dept, camera):
    schedule = flood_schedule(camera, dept)
    record(schedule, dept["technologist"], 6.1, minutes=30)
    record(schedule, dept["technologist"], 2.0, minutes=10)
    with pytest.raises(InputError, match="role") as info:
        qc_services.return_to_service(camera, physicist=dept["technologist"], password=PASSWORD, reason="fine")
    assert info.value.field == "user"
    with pytest.raises(InputError) as info:
        qc_services.return_to_service(camera, physicist=dept["physicist"], password=PASSWORD, reason="  ")
    assert info.value.field == "reason"
    with pytest.raises(InputError) as info:
        qc_services.return_to_service(camera, physicist=dept["physicist"], password="wrong", reason="PMT tuned")
    assert info.value.field == "password"
    camera.refresh_from_db()
    assert camera.locked_by_qc
    qc_services.return_to_service(camera, physicist=dept["physicist"], password=PASSWORD, reason="PMT tuned")
    camera.refresh_from_db()
    assert camera.status == Equipment.Status.CLINICAL and not camera.locked_by_qc
    (sig,) = Signature.objects.filter(model_label="equipment.Equipment", object_id=str(camera.pk))
    assert sig.signer == dept["physicist"] and "PMT tuned" in sig.statement
    assert AuditEvent.objects.filter(
        model_label="equipment.Equipment", object_id=str(camera.pk), reason__contains="returned to clinical use"
    ).exists()
    assert camera.clinical_use_refusal(timezone.localdate()) is None


def test_every_test_at_action_level_must_pass_before_eligibility(dept):
    meter = dept["meter"]
    with acting_as(dept["physicist"], reason="fixture"):
        source = CheckSource.objects.create(
            name="Cs", nuclide="Cs-137", certified_activity_Bq=7.4e6, certified_at=timezone.now() - dt.timedelta(days=9)
        )
    constancy = qc_services.schedule_test(meter, "am-constancy", dept["physicist"], check_source=source)
    accuracy = qc_services.schedule_test(meter, "am-accuracy", dept["physicist"])
    at = now_minute()
    for schedule in (constancy, accuracy):
        qc_services.record_result(
            schedule,
            performed_at=at - dt.timedelta(minutes=30),
            user=dept["technologist"],
            value=0,
            unit="%",
            evaluation=qc_services.evaluate_value(schedule.test, 120, 100),
        )
    qc_services.record_result(
        constancy,
        performed_at=at - dt.timedelta(minutes=10),
        user=dept["technologist"],
        value=0,
        unit="%",
        evaluation=qc_services.evaluate_value(constancy.test, 101, 100),
    )
    meter.refresh_from_db()
    assert not qc_services.eligible_for_return(meter)
    (blocker,) = qc_services.return_blockers(meter)
    assert "accuracy" in blocker.lower()


# ---------------------------------------------------------------- the register agrees with the QC pages
def test_register_agrees_with_the_qc_programme_for_a_camera_with_floods(dept, camera):
    schedule = flood_schedule(camera, dept)
    for days_ago in (3, 2, 1):
        record(schedule, dept["technologist"], 2.0, days_ago=days_ago)
    today = timezone.localdate()
    refusal = camera.clinical_use_refusal(today)
    assert "no QC" not in refusal and "no result" not in refusal
    assert "(daily): due today, not yet done" in refusal  # the daily flood was last done yesterday
    (item,) = qc_services.due_items(today, camera)
    assert item.due_today  # the QC page says the same: due today
    assert "overdue 1 d" in camera.clinical_use_refusal(today + dt.timedelta(days=1))
    record(schedule, dept["technologist"], 2.0)
    camera.refresh_from_db()
    assert camera.clinical_use_refusal(today) is None and qc_services.programme_valid_until(camera) == today
    (row,) = [r for r in qc_services.register_rows(today) if r.device == camera]
    assert row.refusal is None and row.qc_valid_until == today and row.results == 4


def test_a_device_without_a_programme_says_so(dept):
    with acting_as(dept["physicist"], reason="fixture"):
        probe = Equipment.objects.create(name="Probe", kind="uptake_probe")
    assert "no QC programme or QC result" in probe.clinical_use_refusal(timezone.localdate())


# ---------------------------------------------------------------- not in use today
def test_not_in_use_needs_a_reason_can_be_undone_and_is_audited(dept, camera):
    flood_schedule(camera, dept)
    today = timezone.localdate()
    for blank in ("", "   "):
        with pytest.raises(InputError) as info:
            qc_services.exempt_today(camera, today, blank, dept["technologist"])
        assert info.value.field == "reason"
    with pytest.raises(InputError, match="has passed") as info:
        qc_services.exempt_today(camera, today - dt.timedelta(days=1), "closed", dept["technologist"])
    mark = qc_services.exempt_today(camera, today, "no patients booked", dept["technologist"])
    assert mark.marked_by == dept["technologist"]
    assert "not in use" in camera.clinical_use_refusal(today)
    assert qc_services.due_items(today, camera)[0].exempt
    with pytest.raises(InputError) as info:
        qc_services.withdraw_exemption(mark, "", dept["technologist"])
    assert info.value.field == "withdrawal_reason"
    qc_services.withdraw_exemption(mark, "urgent patient added", dept["physicist"])
    mark.refresh_from_db()
    assert mark.withdrawn_by == dept["physicist"] and mark.withdrawal_reason == "urgent patient added"
    assert not qc_services.due_items(today, camera)[0].exempt
    assert "not in use" not in camera.clinical_use_refusal(today)
    with pytest.raises(InputError, match="withdrawn already"):
        qc_services.withdraw_exemption(mark, "again", dept["physicist"])
    reasons = set(
        AuditEvent.objects.filter(model_label="equipment.QCExemption", object_id=str(mark.pk)).values_list(
            "reason", flat=True
        )
    )
    assert {"not in use: no patients booked", "in use after all: urgent patient added"} <= reasons
    # the mark is kept, and a new one may be made the same day
    qc_services.exempt_today(camera, today, "patient cancelled after all", dept["technologist"])
    assert QCExemption.objects.filter(equipment=camera, day=today).count() == 2


# ---------------------------------------------------------------- expected value before entry
def test_expected_check_source_reading_is_the_decayed_certificate(dept):
    certified_at = timezone.now() - dt.timedelta(days=3 * 365.25)
    with acting_as(dept["physicist"], reason="fixture"):
        source = CheckSource.objects.create(
            name="Cs", nuclide="Cs-137", certified_activity_Bq=7.4e6, certified_at=certified_at
        )
    schedule = qc_services.schedule_test(dept["meter"], "am-constancy", dept["physicist"], check_source=source)
    at = timezone.now()
    expected = qc_services.expected_reading(schedule, at)
    half_life_s = 30.08 * 365.25 * 86400  # Cs-137, 30.08 a (NNDC); the shipped value may differ in the 4th digit
    independent = 7.4e6 * 0.5 ** ((at - certified_at).total_seconds() / half_life_s)
    assert expected.expected_Bq == pytest.approx(independent, rel=2e-4)
    assert expected.half_life_s == pytest.approx(get_nuclide("Cs-137").half_life_s)
    assert expected.tolerance_Bq == pytest.approx((expected.expected_Bq * 0.95, expected.expected_Bq * 1.05))
    assert expected.action_Bq == pytest.approx((expected.expected_Bq * 0.90, expected.expected_Bq * 1.10))
    assert expected.half_life_text.endswith(" a")


# ---------------------------------------------------------------- drift on the trend
def test_the_demo_flood_drift_warns_before_the_action_level(dept, camera):
    schedule = flood_schedule(camera, dept)
    results = [record(schedule, dept["technologist"], v, days_ago=9 - i) for i, v in enumerate(DRIFT)]
    assert all(r.outcome == "ok" for r in results)  # every flood passes its band...
    rules = {w["rule"] for w in results[-1].evaluation["drift"]["warnings"]}
    assert rules == {"run", "slope"}  # ...but the trend is flagged, and the result keeps the warning
    assert results[3].evaluation["drift"]["warnings"] == []  # four points: too few for either rule
    (item,) = qc_services.drifting_items(timezone.localdate())
    assert item.schedule == schedule
    titles = [i.title for i in qc_attention(dept["technologist"])]
    assert "QC drift: Gamma camera flood uniformity (daily, intrinsic or extrinsic) · Camera A" in titles
    assert not qc_attention(dept["physician"])  # not a QC role: the dashboard stays for its own work


def test_a_steady_flood_gives_no_drift_warning(dept, camera):
    schedule = flood_schedule(camera, dept)
    for i, v in enumerate([2.1, 1.9, 2.2, 2.0, 1.8, 2.1, 2.0, 1.9, 2.2, 2.0]):
        last = record(schedule, dept["technologist"], v, days_ago=9 - i)
    assert last.evaluation["drift"]["warnings"] == []
    assert not qc_services.drifting_items(timezone.localdate())


# ---------------------------------------------------------------- a test compared with a reference
def test_a_reference_test_asks_for_measured_and_expected_and_stores_the_deviation(dept):
    from nmguard.apps.equipment import qc_entry

    with acting_as(dept["physicist"], reason="fixture"):
        meter = Equipment.objects.create(name="Survey 1", kind="survey_meter")
    schedule = qc_services.schedule_test(meter, "survey-meter-daily-check", dept["physicist"])
    blank = qc_entry.entry_form_for(schedule)
    assert blank.fields["value"].label == "Measured (uSv/h)"
    assert blank.fields["reference_value"].label == "Expected (reference) (uSv/h)"
    at = timezone.localtime(now_minute()).strftime("%Y-%m-%dT%H:%M")
    missing = qc_entry.entry_form_for(schedule, {"performed_at": at, "value": "11.5"})
    assert not missing.is_valid() and "reference_value" in missing.errors  # no silent default
    form = qc_entry.entry_form_for(schedule, {"performed_at": at, "value": "12.5", "reference_value": "10"})
    assert form.is_valid(), form.errors
    result = qc_entry.record_from_form(schedule, form.cleaned_data, dept["technologist"])
    assert result.value == pytest.approx(25.0) and result.unit == "%"  # (12.5 / 10 − 1) × 100
    assert result.outcome == "action"  # outside ±20 %
