"""Demo hot lab: a Mo-99/Tc-99m generator with this morning's elution, an MDP recipe and a released
batch, and waste containers in decay-in-storage — all through the same services as real work."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.roles import Role
from nmguard.apps.radiopharmacy import services
from nmguard.apps.radiopharmacy.inventory import receive_delivery
from nmguard.apps.radiopharmacy.models import PossessionLimit, Radiopharmaceutical, Recipe


def load_hotlab_demo(users: dict, passwords: dict) -> None:
    rph = users[Role.RADIOPHARMACIST]
    now = timezone.now().replace(second=0, microsecond=0)
    morning = now - dt.timedelta(hours=2)
    generator = services.receive_generator(
        name="Tc generator 48",
        parent="Mo-99",
        calibrated_activity_Bq=25e9,
        calibrated_at=now - dt.timedelta(days=3),
        received_at=now - dt.timedelta(days=3),
        user=rph,
        manufacturer="Demo Isotopes",
        lot="MO-2648",
    )
    services.elute(
        generator,
        eluted_at=now - dt.timedelta(days=1, hours=2),
        eluted_Bq=14e9,
        volume_mL=5,
        breakthrough_parent_Bq=0.9e6,
        aluminium_ok=True,
        user=rph,
    )
    elution = services.elute(
        generator,
        eluted_at=morning - dt.timedelta(minutes=20),
        eluted_Bq=10.5e9,  # about 99 % of the Bateman-available Tc-99m after 22 h of ingrowth
        volume_mL=5,
        breakthrough_parent_Bq=0.7e6,
        aluminium_ok=True,
        user=rph,
    )
    with acting_as(rph, reason="recipes"):
        mdp = Recipe.objects.create(
            name="99mTc-MDP (kit, 5 mg)",
            radiopharmaceutical=Radiopharmaceutical.objects.get(catalogue_id="tc99m-mdp"),
            kit="MDP 5 mg kit",
            reagents=[{"name": "Na99mTcO4 eluate", "amount": "up to 10 mL"}],
            min_activity_MBq=1000,
            max_activity_MBq=15000,
            max_volume_mL=10,
            incubation_min=5,
            shelf_life_h=8,
            max_dose_volume_mL=10,
        )
    batch = services.prepare_batch(
        mdp,
        number=f"MDP-{timezone.localdate():%y%m%d}-1",
        prepared_at=morning,
        activity_Bq=9e9,
        volume_mL=6.0,
        components=[
            services.Component("MDP 5 mg kit", "KIT-2291", timezone.localdate() + dt.timedelta(days=120)),
            services.Component("NaCl 0.9 %", "SAL-88", timezone.localdate() + dt.timedelta(days=400)),
        ],
        user=rph,
        elution=elution,
        equipment={"hot_cell": "Hot cell 1"},
    )
    services.record_test(
        batch,
        test="rcp",
        value=97.4,
        user=rph,
        detail={"method": "ITLC two-strip"},
        performed_at=morning + dt.timedelta(minutes=20),
    )
    services.record_test(batch, test="endotoxins", value=0.5, user=rph, performed_at=morning + dt.timedelta(minutes=25))
    services.release(
        batch,
        qualified_person=rph,
        password=passwords[Role.RADIOPHARMACIST],
        statement="Released for today's bone scans",
    )
    with acting_as(users[Role.RPO], reason="licence conditions"):
        for nuclide, limit in (("Mo-99", 100e9), ("I-131", 20e9), ("F-18", 50e9), ("Lu-177", 40e9)):
            PossessionLimit.objects.create(nuclide=nuclide, limit_Bq=limit, licence="Demo licence NM-001, schedule A")
    receive_delivery(
        nuclide="Lu-177",
        product="177Lu-PSMA-617 (2 patient doses)",
        activity_Bq=2 * 7.4e9,
        calibrated_at=now + dt.timedelta(hours=20),
        received_at=now - dt.timedelta(hours=3),
        receipt_ok=True,
        user=rph,
        supplier="Demo Pharma",
        package_surface_uSv_h=18.0,
        package_1m_uSv_h=0.9,
        wipe_Bq_per_cm2=0.01,
    )
    services.seal_waste(
        label="W-I131-07",
        nuclide="I-131",
        activity_Bq=150e6,
        limit_Bq=0.5e6,
        sealed_at=now - dt.timedelta(days=80),
        user=rph,
    )
    services.seal_waste(
        label="W-Tc-112",
        nuclide="Tc-99m",
        activity_Bq=2e9,
        limit_Bq=1e6,
        sealed_at=now - dt.timedelta(days=1),
        user=rph,
    )
