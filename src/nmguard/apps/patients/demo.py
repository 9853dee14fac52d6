"""Demo content for the administration path: protocols, patients, today's worklist and history.

The history goes through the same services as real work (prescribe, measure, check, administer),
so every record in it carries the same audit trail and dose calculation.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.roles import Role
from nmguard.apps.patients import services
from nmguard.apps.patients.models import Patient, Protocol
from nmguard.apps.radiopharmacy.models import Radiopharmaceutical

# (name, catalogue id, mode, adult MBq, per kg, min, max, DRL MBq, DRL source, paediatric method, indication)
DEMO_PROTOCOLS = [
    (
        "Bone scintigraphy (99mTc-MDP)",
        "tc99m-mdp",
        "fixed",
        600.0,
        None,
        None,
        None,
        800.0,
        "demo value — enter your national DRL and its source",
        "eanm-2016",
        "bone",
    ),
    (
        "Oncology PET (18F-FDG, 3 MBq/kg)",
        "f18-fdg",
        "per_kg",
        400.0,
        3.0,
        150.0,
        400.0,
        400.0,
        "demo value — enter your national DRL and its source",
        "eanm-2016",
        "whole-body",
    ),
    (
        "Renal cortex (99mTc-DMSA)",
        "tc99m-dmsa",
        "fixed",
        100.0,
        None,
        None,
        None,
        120.0,
        "demo value — enter your national DRL and its source",
        "eanm-2016",
        None,
    ),
    (
        "Lung perfusion (99mTc-MAA)",
        "tc99m-maa",
        "fixed",
        150.0,
        None,
        None,
        None,
        200.0,
        "demo value — enter your national DRL and its source",
        "none",
        None,
    ),
    (
        "PSMA radioligand therapy (177Lu-PSMA-617)",
        "lu177-psma-617",
        "fixed",
        7400.0,
        None,
        None,
        None,
        None,
        "",
        "none",
        None,
    ),
]

# (MRN, family, given, birth date, sex, weight kg)
DEMO_PATIENTS = [
    ("NM-100001", "Berger", "Anna", dt.date(1961, 4, 12), "F", 68.0),
    ("NM-100002", "Huber", "Josef", dt.date(1954, 9, 30), "M", 82.0),
    ("NM-100003", "Novak", "Lena", dt.date(1990, 1, 22), "F", 59.0),
    ("NM-100004", "Gruber", "Felix", dt.date(2018, 6, 5), "M", 20.0),
    ("NM-100005", "Wagner", "Maria", dt.date(1972, 11, 2), "F", 74.0),
    ("NM-100006", "Steiner", "Paul", dt.date(1948, 3, 17), "M", 77.0),
]


def _protocols() -> list[Protocol]:
    made = []
    for name, cid, mode, adult, per_kg, lo, hi, drl, drl_source, paed, indication in DEMO_PROTOCOLS:
        made.append(
            Protocol.objects.create(
                name=name,
                radiopharmaceutical=Radiopharmaceutical.objects.get(catalogue_id=cid),
                activity_mode=mode,
                adult_activity_MBq=adult,
                activity_per_kg_MBq=per_kg,
                min_activity_MBq=lo,
                max_activity_MBq=hi,
                drl_MBq=drl,
                drl_source=drl_source,
                paediatric_method=paed,
                paediatric_indication=indication or "",
            )
        )
    return made


def _walk_through(prescription, meter, tech, at: dt.datetime, rng: random.Random) -> None:
    """Measure, check and administer as a technologist would, with a realistic small deviation."""
    measured_at = at - dt.timedelta(minutes=12)
    reading = prescription.prescribed_activity_Bq * rng.uniform(0.97, 1.08)
    # the syringe is drawn for the injection time: add back the decay over 12 minutes
    half_life = services._half_life_s(prescription)
    reading *= 2 ** (12 * 60 / half_life)
    services.record_measurement(prescription, meter=meter, activity_Bq=reading, measured_at=measured_at, user=tech)
    patient = prescription.patient
    answers = services.CheckAnswers(
        patient_id=patient.mrn,
        birth_date=patient.birth_date,
        pregnancy="not_pregnant",
        breastfeeding=False,
        breastfeeding_advice_given=False,
        previous_reaction=False,
        reaction_note="",
        radiopharmaceutical_id=prescription.protocol.radiopharmaceutical_id,
        planned_at=at,
    )
    services.record_checks(prescription, answers, tech)
    route = prescription.protocol.radiopharmaceutical.route
    services.administer(
        prescription,
        services.AdministrationInput(
            administered_at=at,
            route=route,
            site="left antecubital vein",
            residual_Bq=reading * 0.02,
            residual_measured_at=at + dt.timedelta(minutes=3),
            extravasation=False,
        ),
        tech,
    )


def load_administration_demo(users: dict, passwords: dict, meter) -> None:
    rng = random.Random(20261126)  # the same demo every time
    tech, doctor = users[Role.TECHNOLOGIST], users[Role.PHYSICIAN]
    with acting_as(users[Role.ADMINISTRATOR], reason="demo protocols"):
        protocols = _protocols()
    with acting_as(users[Role.TECHNOLOGIST], reason="registered"):
        patients = [
            Patient.objects.create(mrn=m, family_name=f, given_name=g, birth_date=b, sex=s)
            for m, f, g, b, s, _ in DEMO_PATIENTS
        ]
    weights = {p.mrn: w for p, (*_, w) in zip(patients, DEMO_PATIENTS, strict=True)}
    now = timezone.now().replace(second=0, microsecond=0)
    # history: 36 diagnostic administrations over the last 90 days
    diagnostic = [p for p in protocols if not p.radiopharmaceutical.is_therapy]
    for i in range(36):
        protocol = diagnostic[i % len(diagnostic)]
        patient = patients[i % len(patients)]
        if protocol.paediatric_method == "none" and patient.age_years(timezone.localdate()) < 18:
            patient = patients[0]
        # a working-hours time on a past day (department zone), so that the measurement 12 min before
        # lies on the same day at whatever hour the demo is loaded
        day = timezone.localdate(now) - dt.timedelta(days=max(1, round(90 - 2.5 * i)))
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(8 + rng.randint(0, 5), 15 * rng.randint(0, 3))))
        prescription = services.prescribe(
            patient=patient,
            protocol=protocol,
            scheduled_for=at,
            weight_kg=weights[patient.mrn],
            prescriber=doctor,
            as_of=at - dt.timedelta(days=1),  # history: written the day before the examination
        )
        _walk_through(prescription, meter, tech, at, rng)
    # today's worklist: prescribed, waiting for the technologist
    for offset, (protocol, patient) in enumerate(
        [
            (protocols[0], patients[1]),
            (protocols[1], patients[4]),
            (protocols[2], patients[3]),
            (protocols[4], patients[5]),
        ]
    ):
        services.prescribe(
            patient=patient,
            protocol=protocol,
            scheduled_for=now + dt.timedelta(hours=1 + offset),
            weight_kg=weights[patient.mrn],
            prescriber=doctor,
        )
