"""A small department shared by the patients, equipment and browser tests: products, protocols,
a meter, people (registered for every test module by the root conftest)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.apps.core.actor import acting_as


@pytest.fixture
def dept(db, make_user):
    """Department on the NRC profile, users, an in-date activity meter, FDG and I-131 protocols."""
    from nmguard.apps.core.models import Department
    from nmguard.apps.equipment.models import Equipment
    from nmguard.apps.patients.models import Patient, Protocol
    from nmguard.apps.radiopharmacy.models import Radiopharmaceutical

    people = {
        role: make_user(role, f"{role}-x") for role in ("technologist", "physician", "administrator", "physicist")
    }
    with acting_as(people["administrator"], reason="fixture"):
        Department.objects.create(name="Test NM", jurisdiction="us-nrc")
        meter = Equipment.objects.create(
            name="Meter 1", kind="activity_meter", qc_valid_until=timezone.localdate() + dt.timedelta(days=5)
        )
        fdg = Radiopharmaceutical.objects.create(name="18F-FDG", catalogue_id="f18-fdg", nuclide="F-18")
        mdp = Radiopharmaceutical.objects.create(name="99mTc-MDP", catalogue_id="tc99m-mdp", nuclide="Tc-99m")
        iodine = Radiopharmaceutical.objects.create(
            name="131I therapy", catalogue_id="i131-iodide", nuclide="I-131", route="oral", is_therapy=True
        )
        fdg_protocol = Protocol.objects.create(
            name="FDG PET",
            radiopharmaceutical=fdg,
            activity_mode="per_kg",
            adult_activity_MBq=400,
            activity_per_kg_MBq=3.0,
            min_activity_MBq=150,
            max_activity_MBq=400,
            drl_MBq=400,
            drl_source="test value",
            paediatric_method="eanm-2016",
            paediatric_indication="whole-body",
        )
        mdp_protocol = Protocol.objects.create(
            name="Bone scan",
            radiopharmaceutical=mdp,
            adult_activity_MBq=600,
            paediatric_method="eanm-2016",
        )
        iodine_protocol = Protocol.objects.create(
            name="Thyroid ablation", radiopharmaceutical=iodine, adult_activity_MBq=5550
        )
        adult = Patient.objects.create(
            mrn="P-1", family_name="Adult", given_name="Ann", birth_date=dt.date(1990, 5, 1), sex="F"
        )
        man = Patient.objects.create(
            mrn="P-2", family_name="Man", given_name="Max", birth_date=dt.date(1960, 2, 2), sex="M"
        )
        child = Patient.objects.create(
            mrn="P-3",
            family_name="Child",
            given_name="Kim",
            birth_date=timezone.localdate() - dt.timedelta(days=int(6 * 365.25)),
            sex="M",
        )
    return {
        **people,
        "meter": meter,
        "fdg": fdg,
        "mdp": mdp,
        "iodine": iodine,
        "fdg_protocol": fdg_protocol,
        "mdp_protocol": mdp_protocol,
        "iodine_protocol": iodine_protocol,
        "adult": adult,
        "man": man,
        "child": child,
    }


def now_minute() -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0)
