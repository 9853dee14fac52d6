"""The paediatric-activity endpoint at and above the EANM card's top weight (issue 11 item 4).

Hand calculations from REFERENCE_DATA 3.1: Ga-68 DOTA peptides class B 12.8 MBq x 14.00 (68-kg row)
= 179.2 MBq; 18F-FDG body class B, 68-kg row: 2D 25.9 x 14.00 = 362.6 MBq, 3D 14.0 x 14.00 = 196.0 MBq.
"""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/calculators/paediatric-activity"


@pytest.fixture
def api(client, make_user):
    client.force_login(make_user("technologist", "tech-paed"))
    return client


def post(api, body):
    return api.post(URL, body, content_type="application/json")


def test_ga68_at_70_kg_is_answered_with_the_top_row(api):
    r = post(api, {"radiopharmaceutical": "ga68-dotatate", "weight": "70 kg"})
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["above_card"] is True and out["activity_MBq"] == pytest.approx(179.2)
    assert out["weight_band"] == "68 kg" and out["multiple"] == 14.0


@pytest.mark.parametrize("indication,expected", [("whole-body", 362.6), ("whole-body-3d", 196.0)])
def test_fdg_2d_3d_continuous_from_68_kg(api, indication, expected):
    values = [
        post(api, {"radiopharmaceutical": "FDG", "weight": w, "indication": indication}).json()["activity_MBq"]
        for w in (68, 68.1, 70, 95)
    ]
    assert values == pytest.approx([expected] * 4, rel=1e-9)


def test_unknown_indication_lists_the_3d_row(api):
    r = post(api, {"radiopharmaceutical": "FDG", "weight": 30, "indication": "whole-body-4d"})
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["body", "indication"] and "whole-body-3d" in detail["msg"]
