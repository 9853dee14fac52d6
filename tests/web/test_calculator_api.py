"""Administration calculator endpoints: the same computations as the CLI, 422 naming the field.

Expected numbers are hand calculations from ICRP 128, the EANM dosage card 2016 and 10 CFR 35.3045.
"""

import pytest

pytestmark = pytest.mark.django_db

BASE = "/api/v1/calculators"


@pytest.fixture
def api(client, make_user):
    client.force_login(make_user("technologist", "tech-calc"))
    return client


def post(api, path, body):
    return api.post(f"{BASE}/{path}", body, content_type="application/json")


def test_login_required(client):
    assert client.get(f"{BASE}/radiopharmaceuticals").status_code == 401
    assert (
        client.post(
            f"{BASE}/effective-dose",
            {"radiopharmaceutical": "FDG", "activity": "370 MBq"},
            content_type="application/json",
        ).status_code
        == 401
    )


def test_catalogue(api):
    body = api.get(f"{BASE}/radiopharmaceuticals").json()
    ids = {rp["id"]: rp for rp in body["radiopharmaceuticals"]}
    assert body["count"] == len(ids) and {"f18-fdg", "tc99m-mdp", "i131-iodide"} <= set(ids)
    assert all(rp["name"] for rp in ids.values())


def test_openapi_lists_the_endpoints(api):
    paths = set(api.get("/api/v1/openapi.json").json()["paths"])
    assert {
        f"{BASE}/radiopharmaceuticals",
        f"{BASE}/effective-dose",
        f"{BASE}/paediatric-activity",
        f"{BASE}/medical-event",
    } <= paths


@pytest.mark.parametrize("name", ["18F-FDG", "FDG", "f18-fdg"])
def test_effective_dose_fdg_adult(api, name):
    r = post(api, "effective-dose", {"radiopharmaceutical": name, "activity": "370 MBq"})
    assert r.status_code == 200, r.content
    out = r.json()
    # ICRP 128 adult FDG: 370 MBq x 0.019 mSv/MBq = 7.03 mSv
    assert out["coefficient_mSv_per_MBq"] == 0.019 and out["effective_dose_mSv"] == pytest.approx(7.03)
    assert out["source"] and out["status"] == "verified"


def test_effective_dose_fdg_5_year_old(api):
    out = post(api, "effective-dose", {"radiopharmaceutical": "FDG", "activity": "100 MBq", "age": "5"}).json()
    # ICRP 128 5-year FDG: 100 MBq x 0.056 mSv/MBq = 5.6 mSv
    assert out["age_group"] == "5" and out["effective_dose_mSv"] == pytest.approx(5.6)


def test_paediatric_dmsa_10kg_minimum_and_mdp_20kg(api):
    out = post(api, "paediatric-activity", {"radiopharmaceutical": "99mTc-DMSA", "weight": 10}).json()
    # EANM 2016 class B: 6.8 MBq x 2.71 = 18.4 MBq < minimum 18.5 MBq
    assert out["activity_MBq"] == pytest.approx(18.5) and out["minimum_applied"] is True and out["source"]
    out = post(
        api, "paediatric-activity", {"radiopharmaceutical": "99mTc-MDP", "weight": "20 kg", "card": "eanm-2016"}
    ).json()
    # EANM 2016 class B: 35.0 MBq x 4.86 = 170.1 MBq
    assert out["activity_MBq"] == pytest.approx(170.1) and out["minimum_applied"] is False


def test_medical_event_diagnostic_and_therapy(api):
    out = post(
        api,
        "medical-event",
        {"radiopharmaceutical": "FDG", "prescribed_activity": "370 MBq", "administered_activity": "481 MBq"},
    ).json()
    # +30 % breaks 35.63 (> 20 %) but 111 MBq x 0.019 = 2.1 mSv < 50 mSv: not a 35.3045 medical event
    assert out["deviation_percent"] == pytest.approx(30.0) and out["outside_tolerance"] is True
    assert out["medical_event"] is False and out["criteria"] == []
    out = post(
        api,
        "medical-event",
        {
            "radiopharmaceutical": "i131-iodide",
            "prescribed_activity": "5.55 GBq",
            "administered_activity": "7.4 GBq",
            "profile": "nrc",
        },
    ).json()
    # +33 % and thyroid 1850 MBq x 430 mGy/MBq = 795 500 mGy > 500 mSv: a medical event
    assert out["medical_event"] is True
    assert {"organ-dose:thyroid", "dosage-difference"} <= {c["id"] for c in out["criteria"]}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("effective-dose", {"radiopharmaceutical": "Unobtainium-X", "activity": "370 MBq"}, "radiopharmaceutical"),
        ("effective-dose", {"radiopharmaceutical": "FDG", "activity": "370"}, "activity"),
        ("effective-dose", {"radiopharmaceutical": "FDG", "activity": "370 MBq", "age": "7"}, "age"),
        ("effective-dose", {"radiopharmaceutical": "FDG"}, "activity"),
        ("paediatric-activity", {"radiopharmaceutical": "Unobtainium-X", "weight": 10}, "radiopharmaceutical"),
        ("paediatric-activity", {"radiopharmaceutical": "MDP", "weight": 0}, "weight"),
        ("paediatric-activity", {"radiopharmaceutical": "MDP", "weight": -3}, "weight"),
        ("paediatric-activity", {"radiopharmaceutical": "MDP", "weight": 400}, "weight"),
        ("paediatric-activity", {"radiopharmaceutical": "MDP", "weight": "ten"}, "weight"),
        ("paediatric-activity", {"radiopharmaceutical": "MDP", "weight": 20, "card": "who-1999"}, "card"),
        (
            "medical-event",
            {"radiopharmaceutical": "FDG", "prescribed_activity": "370", "administered_activity": "400 MBq"},
            "prescribed_activity",
        ),
        (
            "medical-event",
            {"radiopharmaceutical": "FDG", "prescribed_activity": "370 MBq", "administered_activity": "400"},
            "administered_activity",
        ),
        (
            "medical-event",
            {
                "radiopharmaceutical": "FDG",
                "prescribed_activity": "370 MBq",
                "administered_activity": "400 MBq",
                "profile": "mars",
            },
            "profile",
        ),
        (
            "medical-event",
            {
                "radiopharmaceutical": "FDG",
                "prescribed_activity": "370 MBq",
                "administered_activity": "400 MBq",
                "administered_radiopharmaceutical": "zzz",
            },
            "administered_radiopharmaceutical",
        ),
    ],
)
def test_bad_input_is_422_naming_the_field(api, path, body, field):
    r = post(api, path, body)
    assert r.status_code == 422, r.content
    assert field in [d["loc"][-1] for d in r.json()["detail"]]
