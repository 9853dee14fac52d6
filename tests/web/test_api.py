"""REST API shell: health, OpenAPI, session auth, 422 naming the field."""

import pytest

pytestmark = pytest.mark.django_db


def test_health_is_public(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] in {"sqlite", "postgresql"} and body["version"]


def test_openapi_lists_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "NMGuard API"
    assert {"/api/v1/health", "/api/v1/me", "/api/v1/calculators/decay"} <= set(spec["paths"])


def test_auth_required(client):
    assert client.get("/api/v1/me").status_code == 401


def test_me_with_session(client, make_user):
    client.force_login(make_user("rpo", "rpo1"))
    assert client.get("/api/v1/me").json() == {"username": "rpo1", "display_name": "Test rpo", "roles": ["rpo"]}


@pytest.fixture
def api_client(client, make_user):
    user = make_user("physicist", "phys-api")
    client.force_login(user)
    return client


def test_decay_endpoint(api_client):
    response = api_client.post(
        "/api/v1/calculators/decay",
        {
            "nuclide": "Tc-99m",
            "activity": "20 mCi",
            "from": "2026-03-02T08:00:00+01:00",
            "to": "2026-03-02T08:00:00+01:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["activity_MBq"] == pytest.approx(740.0, rel=1e-12)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"nuclide": "Xx-999", "activity": "1 MBq", "from": "2026-03-02T08:00:00Z", "to": "2026-03-02T09:00:00Z"},
            "nuclide",
        ),
        (
            {"nuclide": "Tc-99m", "activity": "-1 MBq", "from": "2026-03-02T08:00:00Z", "to": "2026-03-02T09:00:00Z"},
            "activity",
        ),
        ({"nuclide": "Tc-99m", "activity": "1 MBq", "from": "soon", "to": "2026-03-02T09:00:00Z"}, "from"),
        ({"nuclide": "Tc-99m", "activity": "1 MBq", "from": "2026-03-02T08:00:00Z"}, "to"),
    ],
)
def test_bad_input_is_422_with_field(api_client, body, field):
    response = api_client.post("/api/v1/calculators/decay", body, content_type="application/json")
    assert response.status_code == 422
    locs = [d["loc"][-1] for d in response.json()["detail"]]
    assert field in locs


def test_nuclide_endpoint(api_client):
    body = api_client.get("/api/v1/calculators/nuclides/99mTc").json()
    assert body["name"] == "Tc-99m" and body["sources"]
    assert api_client.get("/api/v1/calculators/nuclides/Xx-1").status_code == 422
