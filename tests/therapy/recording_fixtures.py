"""Fixtures of the dose-recording tests (therapy and browser): the synthetic study's patient and another one."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from nmguard.apps.core.actor import acting_as

SYNTH_STUDY_DAY = dt.date(2026, 3, 2)  # the synthetic study's injection (its DICOM dates: 2026-03-02 to -09)


@pytest.fixture(scope="session")
def synthetic_study_dir(tmp_path_factory):
    """Written once: patient SYNTH-001 'Synthetic^Patient' born 1960-05-01, acquired from 2026-03-02."""
    from nmguard.synthetic.patient import write_synthetic_study

    folder = tmp_path_factory.mktemp("therapy-study") / "study"
    truth = write_synthetic_study(folder, shape=(24, 40, 40), voxel_mm=6.0, times_h=(4, 24, 96), write_rtstruct=False)
    return folder, truth


@pytest.fixture
def study_inbox(tmp_path, settings, synthetic_study_dir):
    settings.NMGUARD_DICOM_INBOX = str(tmp_path / "inbox")
    settings.DATA_DIR = tmp_path / "data"
    target = tmp_path / "inbox" / "synth"
    shutil.copytree(synthetic_study_dir[0], target)
    return target


@pytest.fixture
def psma(dept):
    """A Lu-177 PSMA protocol with a kidney constraint of 23 Gy (the demo's value, a test value here)."""
    from nmguard.apps.radiopharmacy.models import Radiopharmaceutical
    from nmguard.apps.therapy.models import TherapyProtocol

    with acting_as(dept["administrator"], reason="fixture"):
        lu = Radiopharmaceutical.objects.create(
            name="177Lu-PSMA", catalogue_id="lu177-psma-617", nuclide="Lu-177", is_therapy=True
        )
        return TherapyProtocol.objects.create(
            name="PSMA",
            radiopharmaceutical=lu,
            activity_per_cycle_Bq=7.4e9,
            interval_days=42,
            cycles=4,
            criteria=[
                {"quantity": "eGFR", "comparator": ">=", "threshold": 30, "unit": "mL/min/1.73m2", "source": "test"}
            ],
            constraints=[{"organ": "kidneys", "limit_Gy": 23, "source": "test constraint"}],
        )


@pytest.fixture
def synth_patient(dept):
    from nmguard.apps.patients.models import Patient

    with acting_as(dept["administrator"], reason="fixture"):
        return Patient.objects.create(
            mrn="SYNTH-001", family_name="Synthetic", given_name="Patient", birth_date=dt.date(1960, 5, 1), sex="F"
        )


@pytest.fixture
def other_course(dept, psma):
    """Patient P-2 (Max Man)'s course: cycle 1 with kidneys 3.1 Gy, cycle 2 with 3.6 Gy (planned in July)."""
    from nmguard.apps.therapy import services

    course = services.start_course(
        patient=dept["man"], protocol=psma, started_on=dt.date(2026, 6, 1), user=dept["physician"]
    )
    for cycle, kidneys in zip(course.cycle_records.order_by("number")[:2], (3.1, 3.6), strict=True):
        services.record_cycle_doses(
            cycle,
            organ_doses_Gy={"kidneys": kidneys, "salivary glands": 4.8},
            method="SPECT/CT dosimetry (earlier)",
            user=dept["physicist"],
        )
    return course


def succeeded_job(cycle, study_dir, user, vois):
    """A finished run on ``study_dir`` with the given VOI results (name, mean_Gy, mass_g)."""
    from nmguard.apps.therapy.models import DosimetryJob

    with acting_as(user, reason="fixture"):
        return DosimetryJob.objects.create(
            title="fixture run",
            cycle=cycle,
            input_dir=str(study_dir),
            input_sha256="0" * 64,
            options={"method": "ld"},
            status=DosimetryJob.Status.SUCCEEDED,
            progress=1.0,
            result={"vois": [{"name": n, "mass_g": m, "absorbed_dose": {"mean_Gy": d}} for n, d, m in vois]},
            requested_by=user,
        )
