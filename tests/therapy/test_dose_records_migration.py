"""Migration 0003: doses recorded before dose records existed become each cycle's first, current record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("therapy", "0002_dosimetryjob_historicaldosimetryjob")]
AFTER = [("therapy", "0003_cycle_dose_records")]


def test_recorded_doses_are_kept_as_the_first_record():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    lu = old.get_model("radiopharmacy", "Radiopharmaceutical").objects.create(
        name="177Lu-PSMA", catalogue_id="lu177-psma-617", nuclide="Lu-177", is_therapy=True
    )
    patient = old.get_model("patients", "Patient").objects.create(
        mrn="P-9", family_name="Old", given_name="Ada", birth_date=dt.date(1950, 1, 1), sex="F"
    )
    protocol = old.get_model("therapy", "TherapyProtocol").objects.create(
        name="PSMA", radiopharmaceutical=lu, activity_per_cycle_Bq=7.4e9, interval_days=42, cycles=2
    )
    course = old.get_model("therapy", "TherapyCourse").objects.create(
        patient=patient, protocol=protocol, started_on=dt.date(2026, 1, 5)
    )
    cycle_model = old.get_model("therapy", "TherapyCycle")
    with_doses = cycle_model.objects.create(
        course=course, number=1, planned_on=dt.date(2026, 1, 5), organ_doses_Gy={"kidneys": 3.1}, dose_method="SPECT"
    )
    cycle_model.objects.create(course=course, number=2, planned_on=dt.date(2026, 2, 16))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    records = list(new.get_model("therapy", "CycleDoseRecord").objects.all())
    assert [(r.cycle_id, r.organ_doses_Gy, r.method, r.superseded_by_id) for r in records] == [
        (with_doses.pk, {"kidneys": 3.1}, "SPECT", None)
    ]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # leave the database as the other tests expect
