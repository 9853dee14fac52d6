"""Demo: a thyroid-cancer patient treated with 5.55 GBq I-131, assessed (RG 8.39 Eq. B-5) and released, signed.

Why I-131 and not the demo's Lu-177 course: Lu-177 has no row in RG 8.39 Table 1 / NUREG-1492 in the reference
data (``nmguard release --nuclide Lu-177`` is refused), so no release can be computed for it from cited values.
The administration goes through the ordinary path (prescription, syringe reading, checks, administration) two
days before the demo is built, at 09:00 local, so it lies in the past at whatever hour the demo is loaded.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.roles import Role
from nmguard.apps.equipment.models import Equipment
from nmguard.apps.patients import services as patient_services
from nmguard.apps.patients.demo import _walk_through
from nmguard.apps.patients.models import Patient, Protocol
from nmguard.apps.radiopharmacy.models import Radiopharmaceutical
from nmguard.apps.therapy import release_services, services
from nmguard.apps.therapy.models import TherapyProtocol

DEMO_ACTIVITY_MBQ = 5550.0  # 150 mCi, the worked example of docs/patient-release.md (3.40 mSv, Eq. B-5)


def load_release_demo(users: dict, passwords: dict) -> None:
    physician = users[Role.PHYSICIAN]
    iodine = Radiopharmaceutical.objects.get(catalogue_id="i131-iodide")
    with acting_as(users[Role.ADMINISTRATOR], reason="demo protocols"):
        protocol = Protocol.objects.create(
            name="Thyroid cancer ablation (131I)", radiopharmaceutical=iodine, adult_activity_MBq=DEMO_ACTIVITY_MBQ
        )
    with acting_as(physician, reason="therapy protocol"):
        therapy = TherapyProtocol.objects.create(
            name="131I thyroid remnant ablation, 5.55 GBq × 1",
            radiopharmaceutical=iodine,
            activity_per_cycle_Bq=DEMO_ACTIVITY_MBQ * 1e6,
            interval_days=180,
            cycles=1,
        )
    with acting_as(users[Role.TECHNOLOGIST], reason="registered"):
        patient = Patient.objects.create(
            mrn="NM-100007", family_name="Fischer", given_name="Karl", birth_date=dt.date(1967, 8, 14), sex="M"
        )
    day = timezone.localdate() - dt.timedelta(days=2)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    prescription = patient_services.prescribe(
        patient=patient,
        protocol=protocol,
        scheduled_for=at,
        weight_kg=81.0,
        prescriber=physician,
        as_of=at - dt.timedelta(days=1),
    )
    meter = Equipment.objects.filter(kind="activity_meter").order_by("pk").first()
    _walk_through(prescription, meter, users[Role.TECHNOLOGIST], at, random.Random(20261206))
    prescription.refresh_from_db()
    course = services.start_course(patient=patient, protocol=therapy, started_on=day, user=physician)
    cycle = course.cycle_records.get(number=1)
    with acting_as(physician, reason="administration of the cycle"):
        cycle.administration = prescription.administration
        cycle.save()
    decision = release_services.assess(
        cycle,
        release_services.Assessment(
            method="patient-specific", basis="uptake-model", condition="thyroid-cancer", breastfeeding_patient=False
        ),
        physician,
    )
    release_services.sign_release(
        decision,
        physician=physician,
        password=passwords[Role.PHYSICIAN],
        statement="Released with written instructions (demo)",
    )
