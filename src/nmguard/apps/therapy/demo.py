"""Demo therapy course: 177Lu-PSMA-617, 7.4 GBq every 6 weeks × 6, two cycles done."""

from __future__ import annotations

import datetime as dt
import shutil

from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.roles import Role
from nmguard.apps.patients.models import Patient
from nmguard.apps.radiopharmacy.models import Radiopharmaceutical
from nmguard.apps.therapy import dosimetry_jobs, services
from nmguard.apps.therapy.models import TherapyProtocol
from nmguard.dosimetry.run_options import RunOptions

DEMO_SOURCE = "demo value: enter the criterion or constraint of your protocol and its source"


def load_therapy_demo(users: dict) -> None:
    with acting_as(users[Role.PHYSICIAN], reason="therapy protocol"):
        protocol = TherapyProtocol.objects.create(
            name="177Lu-PSMA-617, 7.4 GBq q6w × 6",
            radiopharmaceutical=Radiopharmaceutical.objects.get(catalogue_id="lu177-psma-617"),
            activity_per_cycle_Bq=7.4e9,
            interval_days=42,
            cycles=6,
            criteria=[
                {
                    "quantity": "eGFR",
                    "comparator": ">=",
                    "threshold": 30,
                    "unit": "mL/min/1.73m2",
                    "source": DEMO_SOURCE,
                },
                {"quantity": "platelets", "comparator": ">=", "threshold": 75, "unit": "10^9/L", "source": DEMO_SOURCE},
            ],
            constraints=[{"organ": "kidneys", "limit_Gy": 23, "source": DEMO_SOURCE}],
        )
    patient = Patient.objects.get(mrn="NM-100006")
    start = timezone.localdate() - dt.timedelta(days=42)
    course = services.start_course(patient=patient, protocol=protocol, started_on=start, user=users[Role.PHYSICIAN])
    for cycle, kidneys in zip(course.cycle_records.order_by("number")[:2], (3.1, 3.6), strict=True):
        services.check_eligibility(cycle, {"eGFR": 62.0, "platelets": 210.0}, users[Role.PHYSICIAN])
        services.record_cycle_doses(
            cycle,
            organ_doses_Gy={"kidneys": kidneys, "salivary glands": 4.8},
            method="SPECT/CT dosimetry (demo values)",
            user=users[Role.PHYSICIST],
        )
    load_dosimetry_demo(users, protocol)


def load_dosimetry_demo(users: dict, protocol: TherapyProtocol) -> None:
    """A synthetic 177Lu SPECT/CT study (4 time points, SEG) in the DICOM inbox, one run on it, and its doses
    recorded for cycle 1 of the synthetic patient's course (the patient and dates of the DICOM files, so the
    study matches its cycle; the VOI → organ mapping is the proposal, confirmed by the physicist).

    The study stays in the inbox so that a visitor can start other runs on it (page or API).
    """
    from nmguard.apps.core.demo import DEMO_STUDY_FOLDER
    from nmguard.synthetic.patient import INJECTION_UTC, write_synthetic_study

    folder = dosimetry_jobs.inbox_root() / DEMO_STUDY_FOLDER
    # Written anew with every new demo department: a study left in the inbox by an older version
    # (e.g. Total Dose in Bq, which the reader now refuses for NM) would make the demo run fail.
    shutil.rmtree(folder, ignore_errors=True)
    write_synthetic_study(folder, shape=(40, 56, 56), voxel_mm=6.0, write_rtstruct=False)
    with acting_as(users[Role.PHYSICIAN], reason="demo patient of the synthetic study"):
        patient = Patient.objects.create(
            mrn="SYNTH-001", family_name="Synthetic", given_name="Patient", birth_date=dt.date(1960, 5, 1), sex="F"
        )
    course = services.start_course(
        patient=patient,
        protocol=protocol,
        started_on=timezone.localdate(INJECTION_UTC),
        user=users[Role.PHYSICIAN],
    )
    job = dosimetry_jobs.submit_folder(
        study_dir=folder,
        title="Synthetic 177Lu patient (demo study), DVK",
        options=RunOptions(method="dvk"),
        user=users[Role.PHYSICIST],
        cycle=course.cycle_records.get(number=1),
    )
    job = dosimetry_jobs.run_next_job("demo")
    if job is not None and job.status == job.Status.SUCCEEDED:
        check = dosimetry_jobs.recording_check(job)
        dosimetry_jobs.record_doses_for_cycle(
            job, users[Role.PHYSICIST], mapping=check.proposal, mapping_confirmed=True
        )
