"""API of document control and peer review: the lifecycle through /api/v1/quality, 422 naming the field for
bad input, refusals by role, readers as codes for all but the quality manager."""

from __future__ import annotations

import json

import pytest

from tests.conftest import PASSWORD


def _post(client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _field(response) -> str:
    return response.json()["detail"][0]["loc"][-1]


@pytest.fixture
def people(make_user):
    return {r: make_user(r, f"{r}-api") for r in ("quality_manager", "technologist", "read_only", "physician")}


def test_document_lifecycle_and_422(client, people):
    client.force_login(people["quality_manager"])
    base = "/api/v1/quality"
    bad_kind = _post(client, f"{base}/documents", {"number": "SOP-9", "title": "t", "kind": "poem"})
    assert bad_kind.status_code == 422 and _field(bad_kind) == "kind"
    bad_role = _post(client, f"{base}/documents", {"number": "SOP-9", "title": "t", "applies_to": ["wizard"]})
    assert bad_role.status_code == 422 and _field(bad_role) == "applies_to"
    missing = _post(client, f"{base}/documents", {"number": "SOP-9"})
    assert missing.status_code == 422 and _field(missing) == "title"
    made = _post(client, f"{base}/documents", {"number": "SOP-9", "title": "t", "applies_to": ["technologist"]})
    assert made.status_code == 201
    doc = made.json()["id"]
    empty = _post(client, f"{base}/documents/{doc}/versions", {"text": ""})
    assert empty.status_code == 422 and _field(empty) == "text"
    version = _post(client, f"{base}/documents/{doc}/versions", {"text": "do this"}).json()
    assert version["status"] == "draft"
    wrong = _post(client, f"{base}/document-versions/{version['id']}/approve", {"password": "x"})
    assert wrong.status_code == 422 and _field(wrong) == "password"
    assert _post(client, f"{base}/document-versions/999999/approve", {"password": "x"}).status_code == 404
    client.force_login(people["technologist"])
    refused = _post(client, f"{base}/document-versions/{version['id']}/approve", {"password": PASSWORD})
    assert refused.status_code == 422 and _field(refused) == "user"
    assert _post(client, f"{base}/documents", {"number": "X", "title": "t"}).status_code == 403
    client.force_login(people["quality_manager"])
    approved = _post(client, f"{base}/document-versions/{version['id']}/approve", {"password": PASSWORD}).json()
    assert approved["status"] == "current" and approved["review_due_on"]
    client.force_login(people["technologist"])
    assert [v["id"] for v in client.get(f"{base}/documents/to-acknowledge").json()] == [version["id"]]
    assert _post(client, f"{base}/document-versions/{version['id']}/acknowledge").status_code == 201
    again = _post(client, f"{base}/document-versions/{version['id']}/acknowledge")
    assert again.status_code == 422 and _field(again) == "version"
    client.force_login(people["read_only"])
    assert _post(client, f"{base}/document-versions/{version['id']}/acknowledge").status_code == 403
    assert client.get(f"{base}/documents").json()[0]["versions"][0]["status"] == "current"


def test_peer_review_422(client, people):
    base = "/api/v1/quality/peer-review"
    client.force_login(people["quality_manager"])
    bad_date = _post(client, f"{base}/samples", {"period_start": "yesterday", "period_end": "2026-01-01"})
    assert bad_date.status_code == 422 and _field(bad_date) == "period_start"
    bad_rate = _post(
        client, f"{base}/samples", {"period_start": "2026-01-01", "period_end": "2026-01-31", "default_rate": 2}
    )
    assert bad_rate.status_code == 422 and _field(bad_rate) == "default_rate"
    nobody = _post(
        client, f"{base}/samples", {"period_start": "2026-01-01", "period_end": "2026-01-31", "rates": {"ghost": 0.5}}
    )
    assert nobody.status_code == 422 and _field(nobody) == "rates"
    bad_reader_rate = _post(
        client,
        f"{base}/samples",
        {"period_start": "2026-01-01", "period_end": "2026-01-31", "rates": {people["physician"].username: 7}},
    )
    assert bad_reader_rate.status_code == 422 and _field(bad_reader_rate) == "rates"
    rates = {people["physician"].username: 0.5}
    made = _post(
        client,
        f"{base}/samples",
        {"period_start": "2026-01-01", "period_end": "2026-01-31", "seed": "s", "rates": rates},
    )
    assert made.status_code == 201 and made.json()["seed"] == "s" and made.json()["population"] == 0
    from nmguard.apps.quality.document_models import PeerReviewSample

    assert PeerReviewSample.objects.get().rates == {str(people["physician"].pk): 0.5}
    client.force_login(people["physician"])
    refused = _post(client, f"{base}/samples", {"period_start": "2026-02-01", "period_end": "2026-02-02"})
    assert refused.status_code == 422 and _field(refused) == "user"
    assert _post(client, f"{base}/reviews/999999/score", {"score": "1"}).status_code == 404
    assert client.get(f"{base}/statistics").json() == [] and client.get(f"{base}/mine").json() == []
