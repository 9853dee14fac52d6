# ruff: noqa: F811  (pytest fixtures imported from monitoring_fixtures and named as arguments)
"""Workplace-monitoring API: list and create surveys and wipe tests, list instruments and locations; 422 with
the field on bad input, 403 for a role that may not write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.protection.monitoring_fixtures import WIPE, kit, rpo, set_profile  # noqa: F401

pytestmark = pytest.mark.django_db
BASE = "/api/v1/protection/monitoring"


def _post(client, url, body):
    return client.post(BASE + url, body, content_type="application/json")


def _iso(minutes_ago: int = 5) -> str:
    return (timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat()


def test_create_and_list_wipe_tests(client, rpo, kit):
    """Same hand calculation as the pure test: 1140 net cpm, eff 0.5, 100 cm2, f 0.1 (IAEA) -> 3.8 Bq/cm2."""
    set_profile("iaea-gsr3", rpo)
    client.force_login(rpo)
    body = {"location_id": kit["bench"].pk, "counter_id": kit["counter"].pk, "performed_at": _iso(), **WIPE}
    r = _post(client, "/wipe-tests", body)
    assert r.status_code == 201, r.content
    assert r.json()["activity_Bq_cm2"] == pytest.approx(3.8) and r.json()["removal_fraction"] == 0.1
    listed = client.get(BASE + "/wipe-tests", {"location_id": kit["bench"].pk}).json()
    assert [w["id"] for w in listed] == [r.json()["id"]]
    locations = {loc["name"]: loc for loc in client.get(BASE + "/locations").json()}
    assert locations["Hot lab bench"]["state"] == "ok" and locations["Waiting room"]["state"] == "overdue"
    assert {i["serial"] for i in client.get(BASE + "/instruments").json()} == {"WC-1", "SM-1"}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"area_cm2": 0}, "area_cm2"),
        ({"gross_counts": -3}, "gross_counts"),
        ({"background_time_s": 0}, "background_time_s"),
        ({"nuclide": "F-18"}, "nuclide"),
        ({"performed_at": "2026-01-01T10:00"}, "performed_at"),
    ],
)
def test_bad_wipe_input_is_422_with_the_field(client, rpo, kit, change, field):
    client.force_login(rpo)
    body = {"location_id": kit["bench"].pk, "counter_id": kit["counter"].pk, "performed_at": _iso(), **WIPE, **change}
    r = _post(client, "/wipe-tests", body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == field, r.content


def test_surveys_create_list_and_refusals(client, rpo, kit, make_user):
    set_profile("us-nrc", rpo)
    client.force_login(rpo)
    body = {
        "location_id": kit["waiting"].pk,
        "instrument_id": kit["meter"].pk,
        "performed_at": _iso(),
        "readings": [0.4, 1.6],
    }
    r = _post(client, "/surveys", body)
    assert r.status_code == 201 and r.json()["above_action_level"] and r.json()["action_level"] == pytest.approx(1.0)
    assert len(client.get(BASE + "/surveys").json()) == 1
    wrong = _post(client, "/surveys", {**body, "instrument_id": kit["counter"].pk})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"][-1] == "instrument"
    future = _post(client, "/surveys", {**body, "performed_at": (timezone.now() + dt.timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and future.json()["detail"][0]["loc"][-1] == "performed_at"
    assert _post(client, "/surveys", {**body, "location_id": 99999}).status_code == 404
    client.force_login(make_user("technologist", "tech1"))
    assert client.get(BASE + "/surveys").status_code == 200
    assert _post(client, "/surveys", body).status_code == 403
