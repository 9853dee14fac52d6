"""The demo department: every role can sign in; the trail of the demo history verifies."""

import pytest
from django.urls import reverse

from nmguard.apps.core import audit
from nmguard.apps.core.demo import DEMO_USERS, load_demo
from nmguard.apps.core.models import Signature
from nmguard.apps.equipment.models import Equipment

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_every_role_signs_in(client):
    assert load_demo() is True
    assert load_demo() is False
    for username, password, role in DEMO_USERS:
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code == 302, username
        page = client.get(reverse("dashboard"))
        assert role.label.encode() in page.content
        client.post(reverse("logout"))
    assert Equipment.objects.count() >= 5
    camera = Equipment.objects.get(name="Gamma camera A")
    assert camera.history.count() == 3  # created, out of service, back in service
    assert Signature.objects.filter(meaning="approved", model_label="equipment.Equipment").count() == 1
    from nmguard.apps.therapy.models import DosimetryJob

    job = DosimetryJob.objects.get()
    assert job.status == "succeeded", job.message
    assert {"Liver", "Left kidney", "Lesion 1"} <= {v["name"] for v in job.result["vois"]}
    assert audit.verify().ok
