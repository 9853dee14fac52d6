"""A department with work waiting in every area, for the dashboard tests (unit and browser).

What is seeded, and so what each count must be (the numbers the tests expect):
  QC due today 1 (Camera A's daily flood, scheduled today, not done), overdue 2 (the meter's constancy and
  Camera B's flood, scheduled days ago, never done), none for Camera C (marked not in use today) nor for
  Camera A's COR (done today); devices out of service 2 (Camera B, PET 1);
  batches awaiting release 2 (of 4); prescriptions measured and waiting for checks 2 (a prescribed one is
  not measured yet), held by a failed check 1;
  open medical events 2 (of 4), the earliest deadline the first event's;
  dosimetry jobs succeeded since yesterday 2 (a third is older), failed in the last 7 days 1 (another is older).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.apps.core.actor import acting_as

EXPECTED = {
    "qc-due-today": 1,
    "qc-overdue": 2,
    "devices-out-of-service": 2,
    "batches-awaiting-release": 2,
    "prescriptions-checks": 2,
    "prescriptions-override": 1,
    "medical-events-open": 2,
    "dosimetry-succeeded": 2,
    "dosimetry-failed": 1,
}


def _backdate(obj, days: float) -> None:
    """Move a record's creation back (schedules fall due from their creation day; jobs count by it)."""
    type(obj).objects.filter(pk=obj.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


def _equipment(dept) -> dict:
    from nmguard.apps.equipment import qc_services
    from nmguard.apps.equipment.models import Equipment, QCExemption, QCResult

    phys = dept["physicist"]
    with acting_as(phys, reason="fixture"):
        cam_a = Equipment.objects.create(name="Camera A", kind="gamma_camera")
        cam_b = Equipment.objects.create(name="Camera B", kind="gamma_camera", status="out_of_service")
        cam_c = Equipment.objects.create(name="Camera C", kind="spect_ct")
        pet = Equipment.objects.create(name="PET 1", kind="pet_ct", status="out_of_service")
    meter_qc = qc_services.schedule_test(dept["meter"], "am-constancy", phys)
    qc_services.schedule_test(cam_a, "gc-uniformity-daily", phys)  # due today
    cor = qc_services.schedule_test(cam_a, "gc-cor", phys)
    b_flood = qc_services.schedule_test(cam_b, "gc-uniformity-daily", phys)
    c_flood = qc_services.schedule_test(cam_c, "gc-uniformity-daily", phys)
    for schedule in (meter_qc, b_flood, c_flood, cor):
        _backdate(schedule, 3)
    with acting_as(phys, reason="fixture"):
        QCResult.objects.create(
            schedule=cor, performed_at=timezone.now(), performed_by=phys, value=0.1, unit="pixel", outcome="ok"
        )
        QCExemption.objects.create(equipment=cam_c, day=timezone.localdate(), reason="no patients", marked_by=phys)
    return {"cam_a": cam_a, "cam_b": cam_b, "cam_c": cam_c, "pet": pet}


def _hotlab(dept) -> None:
    from nmguard.apps.radiopharmacy.models import Batch, Recipe

    with acting_as(dept["administrator"], reason="fixture"):
        recipe = Recipe.objects.create(name="MDP kit", radiopharmaceutical=dept["mdp"], shelf_life_h=8)
        now = timezone.now()
        for i, status in enumerate(("prepared", "prepared", "released", "rejected")):
            Batch.objects.create(
                number=f"B-{i}",
                recipe=recipe,
                prepared_at=now - dt.timedelta(hours=1),
                prepared_by=dept["administrator"],
                activity_Bq=1e10,
                volume_mL=5,
                expires_at=now + dt.timedelta(hours=7),
                status=status,
            )


def _administrations(dept) -> None:
    from nmguard.apps.patients.models import Administration, MedicalEvent, Prescription, SafetyCheck

    doc, tech = dept["physician"], dept["technologist"]
    now = timezone.now()

    def prescription(status: str, days: int = 0) -> Prescription:
        return Prescription.objects.create(
            patient=dept["adult"],
            protocol=dept["mdp_protocol"],
            scheduled_for=now + dt.timedelta(days=days),
            protocol_activity_Bq=6e8,
            activity_rule="fixture",
            prescribed_activity_Bq=6e8,
            prescribed_by=doc,
            status=status,
        )

    def check(p: Prescription, outcome: str, overridden: bool = False) -> None:
        SafetyCheck.objects.create(
            prescription=p,
            kind="identity",
            outcome=outcome,
            answered_by=tech,
            overridden_by=doc if overridden else None,
            override_reason="fixture" if overridden else "",
        )

    with acting_as(doc, reason="fixture"):
        prescription("prescribed", days=-30)  # any day: an old one still waits
        check(prescription("measured"), "pass")
        check(prescription("measured", days=2), "fail")  # held: override
        check(prescription("measured", days=-3), "fail", overridden=True)  # overridden: checks go on
        prescription("checked")
        given = prescription("administered", days=-1)
        check(given, "fail")  # history, not work
        check(prescription("cancelled"), "fail")
        adm = Administration.objects.create(
            prescription=given,
            administered_at=now - dt.timedelta(days=1),
            route="iv",
            administered_activity_Bq=6e8,
            administered_by=tech,
        )
        first_due = (now + dt.timedelta(hours=20)).replace(microsecond=0)
        for status, due in (
            ("open", first_due),
            ("open", first_due + dt.timedelta(days=10)),
            ("reported", first_due - dt.timedelta(days=5)),
            ("closed", first_due - dt.timedelta(days=9)),
        ):
            MedicalEvent.objects.create(
                administration=adm,
                profile="us-nrc",
                reporting_steps=[{"id": "notify", "action": "notify", "due": due.isoformat()}],
                status=status,
                detected_at=now - dt.timedelta(hours=2),
            )
    dept["first_event_due"] = first_due


def _dosimetry(dept) -> None:
    from nmguard.apps.therapy.models import DosimetryJob

    with acting_as(dept["physicist"], reason="fixture"):
        for status, days in (
            ("succeeded", 0),
            ("succeeded", 0.5),
            ("succeeded", 3),
            ("failed", 2),
            ("failed", 10),
            ("queued", 0),
        ):
            job = DosimetryJob.objects.create(
                title=f"job {status} {days}",
                input_dir="/nonexistent",
                input_sha256="0" * 64,
                requested_by=dept["physicist"],
                status=status,
            )
            _backdate(job, days)


@pytest.fixture
def busy_dept(dept, make_user):
    """``dept`` with work waiting in every area (see the module docstring), and a user for every role."""
    for role in ("radiopharmacist", "rpo", "quality_manager", "read_only"):
        dept[role] = make_user(role, f"{role}-x")
    dept.update(_equipment(dept))
    _hotlab(dept)
    _administrations(dept)
    _dosimetry(dept)
    return dept
