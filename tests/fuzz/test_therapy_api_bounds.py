"""The therapy API's bodies and path ids are bounded like the other areas': a NUL or lone surrogate in text, a
non-finite number and an id beyond 2^63 answer 422/404, never 500 (issue 12 item 3)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def physicist_client(client, dept):
    client.force_login(dept["physicist"])
    return client


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "nul\x00in text"), ("study_dir", "\ud800"), ("activity_GBq", float("inf")), ("lsf", float("nan"))],
)
def test_sirt_plan_bodies_refuse_bad_values_naming_the_field(physicist_client, field, value):
    body = {"cycle": 1, "study_dir": "x", "activity_GBq": 2.0, "title": "t", field: value}
    text = json.dumps(body, allow_nan=True)  # Infinity and NaN as JavaScript writes them
    r = physicist_client.post("/api/v1/dosimetry/sirt-plans", data=text, content_type="application/json")
    assert r.status_code == 422, r.content
    assert field in r.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/dosimetry/jobs/{}", "/api/v1/dosimetry/jobs/{}/recording-check"])
def test_ids_beyond_the_database_range_are_404(physicist_client, path):
    for pk in (2**63, 2**64):
        assert physicist_client.get(path.format(pk)).status_code == 404
