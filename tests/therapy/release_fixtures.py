"""An I-131 therapy cycle with its administration (shared by the release tests and the browser test)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nmguard.apps.core.actor import acting_as

GBQ = 1e9


def make_iodine_cycle(dept, *, activity_Bq: float = 5.55 * GBQ, hours_ago: float = 30.0, administered: bool = True):
    """A one-cycle I-131 course for dept's man, administered ``hours_ago`` (or not administered)."""
    from nmguard.apps.patients.models import Administration, Prescription
    from nmguard.apps.therapy import services
    from nmguard.apps.therapy.models import TherapyProtocol

    with acting_as(dept["physician"], reason="fixture"):
        protocol, _ = TherapyProtocol.objects.get_or_create(
            name="131I ablation",
            defaults={
                "radiopharmaceutical": dept["iodine"],
                "activity_per_cycle_Bq": activity_Bq,
                "interval_days": 180,
                "cycles": 1,
            },
        )
    course = services.start_course(
        patient=dept["man"], protocol=protocol, started_on=timezone.localdate(), user=dept["physician"]
    )
    cycle = course.cycle_records.get()
    if administered:
        at = timezone.now() - dt.timedelta(hours=hours_ago)
        with acting_as(dept["physician"], reason="fixture"):
            rx = Prescription.objects.create(
                patient=dept["man"],
                protocol=dept["iodine_protocol"],
                scheduled_for=at,
                protocol_activity_Bq=activity_Bq,
                activity_rule="test",
                prescribed_activity_Bq=activity_Bq,
                prescribed_by=dept["physician"],
                status="administered",
            )
            cycle.administration = Administration.objects.create(
                prescription=rx,
                administered_at=at,
                route="oral",
                administered_activity_Bq=activity_Bq,
                administered_by=dept["technologist"],
            )
            cycle.save()
    return cycle
