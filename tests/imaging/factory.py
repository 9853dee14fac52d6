"""A fully populated administration shared by the RRDSR and FHIR tests."""

import datetime as dt
from zoneinfo import ZoneInfo

from nmguard.exchange.dicom import RadiopharmaceuticalAdministration

TZ = ZoneInfo("Europe/Berlin")


def make_admin(**overrides):
    values = dict(
        patient_id="P123",
        patient_name="Doe^Jane",
        patient_birth_date=dt.date(1960, 5, 1),
        patient_sex="F",
        radiopharmaceutical_name="[18F]fluorodeoxyglucose (FDG)",
        radiopharmaceutical_id="f18-fdg",
        nuclide="18F",
        administered_activity_Bq=312.456789e6,
        administration_start=dt.datetime(2026, 3, 1, 9, 15, 30, 250000, tzinfo=TZ),
        administration_end=dt.datetime(2026, 3, 1, 9, 16, 0, tzinfo=TZ),
        route="iv",
        administered_by="Smith^Tom",
        patient_weight_kg=72.5,
        patient_height_m=1.68,
        study_instance_uid="1.2.826.0.1.3680043.8.498.1",
        accession_number="ACC1",
        pre_activity_Bq=330.1234e6,
        pre_activity_time=dt.datetime(2026, 3, 1, 9, 10, tzinfo=TZ),
        residual_activity_Bq=5.2e6,
        residual_activity_time=dt.datetime(2026, 3, 1, 9, 20, tzinfo=TZ),
        site="left antecubital fossa",
        volume_ml=3.5,
        effective_dose_mSv=5.9,
        effective_dose_method="ICRP 128, adult",
        procedure="pet-tumour",
        comment="uneventful",
        administration_event_uid="1.2.826.0.1.3680043.8.498.2",
    )
    values.update(overrides)
    return RadiopharmaceuticalAdministration(**values)
