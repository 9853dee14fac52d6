"""The demo's QC history is valid under the QC safety rules at any hour, and its drifting flood is flagged."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.demo import DEMO_EQUIPMENT, DEMO_USERS
from nmguard.apps.core.models import Signature
from nmguard.apps.core.users import create_user
from nmguard.apps.equipment import qc_services
from nmguard.apps.equipment.demo import load_qc_demo
from nmguard.apps.equipment.models import Equipment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("clock", ["00:30", "23:50"])
def test_demo_qc_history_loads_at_any_hour_and_the_flood_drift_is_flagged(clock):
    hour, minute = map(int, clock.split(":"))
    local = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(hour, minute)))
    with time_machine.travel(local, tick=True):
        users = {
            role: create_user(name, password, [role.value], actor="pytest", check_password=False)
            for name, password, role in DEMO_USERS
        }
        with acting_as(users[next(iter(users))], reason="fixture"):
            devices = [Equipment.objects.create(name=n, kind=k) for n, k, *_ in DEMO_EQUIPMENT]
        load_qc_demo(devices, users)
        meter = Equipment.objects.get(kind="activity_meter")
        # the failed constancy locked the meter; the pass made it eligible; the physicist returned it by signature
        assert meter.status == Equipment.Status.CLINICAL and not meter.locked_by_qc
        (returned,) = Signature.objects.filter(model_label="equipment.Equipment", object_id=str(meter.pk))
        assert returned.meaning == "released" and returned.signer.username == "physicist"
        (item,) = qc_services.drifting_items(timezone.localdate())
        assert item.schedule.equipment.name == "Gamma camera A"
        assert {w.rule for w in item.drift.warnings} == {"run", "slope"}
        assert item.last_outcome == "ok"  # every flood passed: only the drift rules say it
