"""Issue 12 item 3: one generator calibrated ten years ahead (accepted with 201 before) made /hotlab/, the
holdings API and the dashboard answer 500 for everybody, for good. Now it is refused at entry (API 422,
form error by the field), and a stored one is shown flagged on those pages instead of failing them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.apps.core.actor import acting_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def far_future_generator(dept, make_user):
    """A generator stored with a calibration ten years ahead, as the old API accepted it."""
    from nmguard.apps.radiopharmacy.models import Generator

    rp = make_user("radiopharmacist", "rp-far")
    now = timezone.now()
    with acting_as(rp, reason="test: a record stored before the bound existed"):
        return Generator.objects.create(
            name="Far future",
            parent="Mo-99",
            daughter="Tc-99m",
            calibrated_activity_Bq=20e9,
            calibrated_at=now + dt.timedelta(days=3652),
            received_at=now - dt.timedelta(hours=1),
        ), rp


def test_pages_show_the_record_flagged_instead_of_failing(client, far_future_generator):
    _, rp = far_future_generator
    client.force_login(rp)
    page = client.get("/hotlab/")
    assert page.status_code == 200
    assert b"calibration date implausible" in page.content
    holdings = client.get("/api/v1/hotlab/holdings")
    assert holdings.status_code == 200
    mo = next(h for h in holdings.json() if h["nuclide"] == "Mo-99")
    assert mo["on_hand_Bq"] == 0.0 and "calibration date implausible" in mo["flagged"][0]
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert b"calibration date implausible" in dashboard.content
    assert client.get(f"/hotlab/generators/{far_future_generator[0].pk}/").status_code == 200


def _generator_body(calibrated_at: dt.datetime, name: str = "G2") -> dict:
    now = timezone.now()
    return {
        "name": name,
        "parent": "Mo-99",
        "calibrated_activity": "20 GBq",
        "calibrated_at": calibrated_at.isoformat(),
        "received_at": (now - dt.timedelta(hours=1)).isoformat(),
    }


def test_api_refuses_a_calibration_far_ahead_and_accepts_one_within_the_horizon(client, dept, make_user):
    from nmguard.reference.hotlab_plausibility import hotlab_plausibility

    client.force_login(make_user("radiopharmacist", "rp-api"))
    days = hotlab_plausibility().generator_calibration_ahead_days.value
    now = timezone.now()
    far = client.post(
        "/api/v1/hotlab/generators", _generator_body(now + dt.timedelta(days=3652)), content_type="application/json"
    )
    assert far.status_code == 422
    assert far.json()["detail"][0]["loc"][-1] == "calibrated_at" and "far ahead" in far.json()["detail"][0]["msg"]
    near = client.post(
        "/api/v1/hotlab/generators",
        _generator_body(now + dt.timedelta(days=days - 1), "G3"),
        content_type="application/json",
    )
    assert near.status_code == 201, near.content


def test_api_refuses_a_delivery_calibrated_far_ahead(client, dept, make_user):
    client.force_login(make_user("radiopharmacist", "rp-del"))
    now = timezone.now()
    body = {
        "nuclide": "I-131",
        "product": "capsule",
        "activity": "5.55 GBq",
        "calibrated_at": (now + dt.timedelta(days=400)).isoformat(),
        "received_at": (now - dt.timedelta(hours=1)).isoformat(),
        "receipt_ok": True,
    }
    response = client.post("/api/v1/hotlab/deliveries", body, content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "calibrated_at"


def _delivery_form(calibrated_at: str, **extra) -> dict:
    now = timezone.localtime()
    return {
        "nuclide": "I-131",
        "product": "capsule",
        "activity": "5.55 GBq",
        "calibrated_at": calibrated_at,
        "received_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "receipt_ok": "yes",
        **extra,
    }


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        (
            "calibrated_at",
            _delivery_form((timezone.localtime() + dt.timedelta(days=3652)).strftime("%Y-%m-%dT%H:%M")),
            "far ahead",
        ),
        ("calibrated_at", _delivery_form("9999-12-31T23:59"), "too far in the future"),
        ("calibrated_at", _delivery_form("0001-01-01T00:00"), ""),
        ("product", _delivery_form(timezone.localtime().strftime("%Y-%m-%dT%H:%M"), product="a\x00b"), "nul"),
        (
            "activity",
            _delivery_form(timezone.localtime().strftime("%Y-%m-%dT%H:%M"), activity="5e-324 MBq"),
            "implausibly small",
        ),
    ],
)
def test_delivery_form_shows_the_bound_next_to_the_field(client, dept, make_user, field, data, message):
    client.force_login(make_user("radiopharmacist", "rp-form"))
    response = client.post("/hotlab/deliveries/new/", data)
    assert response.status_code == 200  # the page again, with the error; nothing stored
    errors = response.context["delivery_form"].errors
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()


def test_a_prescription_years_ahead_is_refused(client, dept):
    from nmguard.reference.administration_plausibility import administration_plausibility

    client.force_login(dept["physician"])
    days = administration_plausibility().scheduled_ahead_days.value
    body = {
        "patient_id": dept["adult"].pk,
        "protocol_id": dept["mdp_protocol"].pk,
        "scheduled_for": (timezone.now() + dt.timedelta(days=days + 1)).isoformat(),
        "weight_kg": 70,
    }
    response = client.post("/api/v1/prescriptions", body, content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "scheduled_for"
    body["scheduled_for"] = (timezone.now() + dt.timedelta(days=days - 1)).isoformat()
    assert client.post("/api/v1/prescriptions", body, content_type="application/json").status_code == 201
