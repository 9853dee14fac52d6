"""Therapy courses in the records layer and on the page: cycles, eligibility, cumulative organ doses."""

from __future__ import annotations

import datetime as dt

import pytest

from nmguard.apps.core.actor import acting_as
from nmguard.apps.therapy import services
from nmguard.apps.therapy.models import TherapyCycle, TherapyProtocol
from nmguard.errors import InputError

pytestmark = pytest.mark.django_db

CRITERIA = [
    {
        "quantity": "eGFR",
        "comparator": ">=",
        "threshold": 30,
        "unit": "mL/min/1.73m2",
        "source": "department protocol (example)",
    }
]
CONSTRAINTS = [{"organ": "kidneys", "limit_Gy": 23, "source": "department constraint (example)"}]


@pytest.fixture
def protocol(dept):
    from nmguard.apps.radiopharmacy.models import Radiopharmaceutical

    with acting_as(dept["administrator"], reason="fixture"):
        lu = Radiopharmaceutical.objects.create(
            name="177Lu-PSMA-617", catalogue_id="lu177-psma-617", nuclide="Lu-177", is_therapy=True
        )
        return TherapyProtocol.objects.create(
            name="PSMA RLT",
            radiopharmaceutical=lu,
            activity_per_cycle_Bq=7.4e9,
            interval_days=42,
            cycles=6,
            criteria=CRITERIA,
            constraints=CONSTRAINTS,
        )


def test_course_cycles_eligibility_and_cumulative_doses(dept, protocol, client):
    course = services.start_course(
        patient=dept["man"], protocol=protocol, started_on=dt.date(2026, 1, 5), user=dept["physician"]
    )
    cycles = list(course.cycle_records.all())
    assert [c.planned_on for c in cycles[:2]] == [dt.date(2026, 1, 5), dt.date(2026, 2, 16)]  # 42 days apart
    services.check_eligibility(cycles[0], {"eGFR": 25.0}, dept["physician"])
    cycles[0].refresh_from_db()
    assert cycles[0].eligibility["eligible"] is False
    for cycle in cycles:
        services.record_cycle_doses(
            cycle,
            organ_doses_Gy={"kidneys": 4.0, "salivary glands": 5.0},
            method="SPECT/CT dosimetry",
            user=dept["physicist"],
        )
    (kidneys,) = [s for s in services.course_summary(course) if s.organ == "kidneys"]
    assert kidneys.cumulative_Gy[-1] == 24.0 and kidneys.exceeded_at_cycle == 6  # 6 × 4 Gy > 23 Gy
    client.force_login(dept["physicist"])
    page = client.get(f"/therapy/courses/{course.pk}/").content.decode()
    assert "exceeded at cycle 6" in page and "<svg" in page


def test_bad_input(dept, protocol, client):
    with pytest.raises(InputError, match="role"):
        services.start_course(
            patient=dept["man"], protocol=protocol, started_on=dt.date(2026, 1, 5), user=dept["technologist"]
        )
    course = services.start_course(
        patient=dept["man"], protocol=protocol, started_on=dt.date(2026, 1, 5), user=dept["physician"]
    )
    cycle = course.cycle_records.first()
    with pytest.raises(InputError):
        services.record_cycle_doses(cycle, organ_doses_Gy={"kidneys": -1}, method="x", user=dept["physicist"])
    client.force_login(dept["physicist"])
    r = client.post(f"/therapy/courses/{course.pk}/cycles/{cycle.pk}/doses/", {"doses": "kidneys 3", "method": "x"})
    assert r.status_code == 200 and b"write organ = dose in Gy" in r.content
    assert TherapyCycle.objects.get(pk=cycle.pk).organ_doses_Gy == {}
