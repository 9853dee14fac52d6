"""The demo has an I-131 thyroid-cancer patient released with signed instructions (Lu-177 has no cited release
row), at whatever hour it is built."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings as django_settings

pytestmark = pytest.mark.django_db


def test_the_demo_releases_its_iodine_patient(settings, tmp_path):
    from nmguard.apps.core.demo import load_demo
    from nmguard.apps.core.signatures import signature_still_valid
    from nmguard.apps.therapy import release_services as svc
    from nmguard.apps.therapy.release_models import ReleaseDecision

    settings.DATA_DIR = tmp_path / "data"
    settings.NMGUARD_DICOM_INBOX = str(tmp_path / "inbox")
    zone = zoneinfo.ZoneInfo(django_settings.TIME_ZONE)
    # 23:50 local: the UTC date may differ from the local one (tests/web/test_demo_any_hour.py covers 00:30 too)
    moment = dt.datetime.combine(dt.date.today(), dt.time(23, 50), tzinfo=zone)
    with time_machine.travel(moment, tick=True):
        assert load_demo() is True
    decision = ReleaseDecision.objects.get()
    assert decision.cycle.course.patient.mrn == "NM-100007"
    assert decision.is_released and signature_still_valid(decision.signature, decision)
    assert decision.condition == "thyroid-cancer" and decision.activity_from_administration
    # Eq. B-5 is linear in the activity: 3.401 mSv for 5.55 GBq (docs/patient-release.md), scaled to the activity
    # the demo's walk-through administered (the syringe reading deviates a little, as in real work)
    assert decision.activity_Bq == pytest.approx(5.55e9, rel=0.1)
    assert decision.dose_to_others_mSv == pytest.approx(3.401 * decision.activity_Bq / 5.55e9, rel=1e-3)
    assert decision.profile == "iaea" and decision.releasable  # the demo department is on the IAEA profile
    assert decision.released_at > decision.administered_at
    assert all(line.until is not None for line in svc.instructions(decision) if line.days)
    assert decision.cycle not in svc.awaiting_release()
