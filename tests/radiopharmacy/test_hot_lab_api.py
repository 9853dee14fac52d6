"""The radiopharmacist's day through the REST API, and bad input answered with 422 and the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.apps.radiopharmacy.models import Batch, Generator
from tests.conftest import PASSWORD
from tests.department import now_minute

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def rph_client(client, dept, make_user):
    rph = make_user("radiopharmacist", "rph-api")
    client.force_login(rph)
    return client


def test_day_through_the_api(rph_client, dept):
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.patients import services as administration
    from nmguard.apps.radiopharmacy.models import Recipe

    now = now_minute()
    with acting_as(dept["administrator"], reason="fixture"):
        recipe = Recipe.objects.create(name="MDP", radiopharmaceutical=dept["mdp"], shelf_life_h=8)
    r = post(
        rph_client,
        "/api/v1/hotlab/generators",
        {
            "name": "G1",
            "parent": "Mo-99",
            "calibrated_activity": "20 GBq",
            "calibrated_at": (now - dt.timedelta(days=1)).isoformat(),
            "received_at": (now - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert r.status_code == 201, r.content
    r = post(
        rph_client,
        f"/api/v1/hotlab/generators/{r.json()['id']}/elutions",
        {
            "eluted_at": (now - dt.timedelta(hours=1)).isoformat(),
            "eluted_activity": "8 GBq",
            "volume_mL": 5,
            "breakthrough_parent_activity": "0.5 MBq",
            "aluminium_ok": True,
        },
    )
    assert r.status_code == 201 and r.json()["usable"], r.content
    elution_id = r.json()["id"]
    expiry = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    r = post(
        rph_client,
        "/api/v1/hotlab/batches",
        {
            "recipe_id": recipe.pk,
            "number": "API-1",
            "prepared_at": (now - dt.timedelta(minutes=50)).isoformat(),
            "activity": "7.5 GBq",
            "volume_mL": 5,
            "components": [{"name": "kit", "lot": "L1", "expiry": expiry}],
            "elution_id": elution_id,
        },
    )
    assert r.status_code == 201, r.content
    batch_id = r.json()["id"]
    r = post(rph_client, f"/api/v1/hotlab/batches/{batch_id}/release", {"password": PASSWORD})
    assert r.status_code == 422 and "rcp missing" in r.json()["detail"][0]["msg"]
    assert post(rph_client, f"/api/v1/hotlab/batches/{batch_id}/tests", {"test": "rcp", "value": 96}).status_code == 201
    post(rph_client, f"/api/v1/hotlab/batches/{batch_id}/tests", {"test": "endotoxins", "value": 1})
    r = post(rph_client, f"/api/v1/hotlab/batches/{batch_id}/release", {"password": PASSWORD})
    assert r.status_code == 200 and r.json()["status"] == "released"
    p = administration.prescribe(
        patient=dept["man"],
        protocol=dept["mdp_protocol"],
        scheduled_for=now,
        weight_kg=80,
        prescriber=dept["physician"],
    )
    r = post(
        rph_client,
        f"/api/v1/hotlab/batches/{batch_id}/dispensings",
        {
            "prescription_id": p.pk,
            "wanted_activity": "600 MBq",
            "wanted_at": (now + dt.timedelta(minutes=20)).isoformat(),
            "activity_meter_id": dept["meter"].pk,
            "measured_activity": "620 MBq",
            "measured_at": now.isoformat(),
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["volume_mL"] > 0
    label = rph_client.get(r.json()["label"])
    assert label.status_code == 200 and label.content.startswith(b"%PDF")
    r = post(
        rph_client,
        "/api/v1/hotlab/waste",
        {"label": "W", "nuclide": "Tc-99m", "activity": "1 GBq", "limit": "1 MBq", "sealed_at": now.isoformat()},
    )
    assert r.status_code == 201 and r.json()["release_at"]


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (
            "/api/v1/hotlab/generators",
            {
                "name": "G",
                "parent": "Xx-99",
                "calibrated_activity": "1 GBq",
                "calibrated_at": "2026-01-01T08:00:00Z",
                "received_at": "2026-01-01T08:00:00Z",
            },
            "nuclide",
        ),
        (
            "/api/v1/hotlab/generators",
            {
                "name": "G",
                "parent": "Mo-99",
                "calibrated_activity": "1 GBq",
                "calibrated_at": "2026-01-01T08:00:00Z",
                "received_at": "2099-01-01T08:00:00Z",
            },
            "received_at",
        ),
        (
            "/api/v1/hotlab/waste",
            {
                "label": "W",
                "nuclide": "I-131",
                "activity": "-1 GBq",
                "limit": "1 MBq",
                "sealed_at": "2026-01-01T08:00:00Z",
            },
            "activity",
        ),
    ],
)
def test_bad_input(rph_client, url, body, field):
    r = post(rph_client, url, body)
    assert r.status_code == 422, r.content
    assert field in [d["loc"][-1] for d in r.json()["detail"]]
    assert not Generator.objects.exists() and not Batch.objects.exists()


def test_negative_volume_refused(rph_client, dept):
    now = now_minute()
    g = post(
        rph_client,
        "/api/v1/hotlab/generators",
        {
            "name": "G2",
            "parent": "Mo-99",
            "calibrated_activity": "20 GBq",
            "calibrated_at": now.isoformat(),
            "received_at": now.isoformat(),
        },
    ).json()
    r = post(
        rph_client,
        f"/api/v1/hotlab/generators/{g['id']}/elutions",
        {"eluted_at": now.isoformat(), "eluted_activity": "1 GBq", "volume_mL": -5, "aluminium_ok": None},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "volume_mL"
