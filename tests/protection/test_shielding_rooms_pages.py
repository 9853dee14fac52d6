"""The shielding pages, API, report and demo (issue 15 item 5): who may see and write, form errors by their
field, the profile switch on the page, the PDF's text, the API's 201/422, the demo's rooms."""

from __future__ import annotations

import json

import pytest

from tests.protection.test_shielding_rooms import IMAGING, UPTAKE, department, point, room
from tests.reporting.test_qc_report_layout import pdf_pages


@pytest.fixture
def rpo(make_user):
    return make_user("rpo", "rpo1")


def _form(change: dict | None = None) -> dict:
    base = {"barrier": "wall N", "location": "office", "distance_m": "3", "occupancy_choice": "full",
            "area": "uncontrolled", "material": "", "thickness_mm": "", "other_room": "",
            "other_distance_m": ""}  # fmt: skip
    return {**base, **(change or {})}


@pytest.mark.parametrize("role", ["technologist", "physician", "read_only", "quality_manager"])
def test_every_role_sees_only_rpo_and_physicist_write(client, make_user, rpo, role):
    department("us-nrc", rpo)
    r = room(rpo, UPTAKE)
    point(r, rpo)
    client.force_login(make_user(role, f"{role}1"))
    listing = client.get("/protection/shielding/")
    assert listing.status_code == 200 and 'data-room="Uptake 1"' in listing.content.decode()
    page = client.get(f"/protection/shielding/rooms/{r.pk}/").content.decode()
    assert 'data-testid="shielding-results"' in page and 'data-testid="point-add"' not in page
    for url in ("rooms/add/", f"rooms/{r.pk}/edit/", f"rooms/{r.pk}/points/add/"):
        assert client.get(f"/protection/shielding/{url}").status_code == 403, url
    assert client.post(f"/protection/shielding/rooms/{r.pk}/points/add/", _form()).status_code == 403


def test_the_physicist_adds_a_room_and_a_point_and_sees_the_result(client, physicist, rpo):
    department("us-nrc", rpo)
    client.force_login(physicist)
    room_form = {"name": "Uptake 2", "kind": "pet_uptake", "nuclide": "F-18", "activity": "555 MBq",
                 "per_week": "40", "uptake_min": "60", "delay_min": ""}  # fmt: skip
    made = client.post("/protection/shielding/rooms/add/", room_form)
    assert made.status_code == 302, made.content.decode()[:2000]
    url = made["Location"]
    assert client.post(url + "points/add/", _form()).status_code == 302
    html = client.get(url).content.decode()
    # 555 MBq, 40/week, 60 min, 3 m, T = 1, P = 20: D = 188.9 uSv/week, B = 0.106 (tests/cli/test_shielding_cli)
    assert 'data-point="wall N · office" data-needed="yes"' in html
    assert "188.9 µSv/week" in html and "0.106" in html and 'data-material="lead"' in html
    assert "aapm-tg108-2006 (secondary)" in html and "ncrp-147-2004 (secondary)" in html
    assert "computed when this page is shown" in html


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"distance_m": "0"}, "distance_m"),
        ({"distance_m": "-1"}, "distance_m"),
        ({"occupancy_choice": "other", "occupancy": "1.2"}, "occupancy"),
        ({"occupancy_choice": "other", "occupancy": ""}, "occupancy"),
        ({"material": "lead"}, "thickness_mm"),
        ({"other_distance_m": "2"}, "other_room"),
    ],
)
def test_point_form_errors_are_shown_by_their_field(client, rpo, change, field):
    r = room(rpo, UPTAKE)
    client.force_login(rpo)
    bad = client.post(f"/protection/shielding/rooms/{r.pk}/points/add/", _form(change))
    assert bad.status_code == 400 and f'data-field="{field}"' in bad.content.decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nuclide": "Xx-1"}, "nuclide"),
        ({"per_week": "12.5"}, "per_week"),
        ({"activity": "lots"}, "activity"),
        ({"uptake_min": ""}, "uptake_min"),
    ],
)
def test_room_form_errors_are_shown_by_their_field(client, rpo, change, field):
    client.force_login(rpo)
    form = {"name": "U", "kind": "pet_uptake", "nuclide": "F-18", "activity": "555 MBq", "per_week": "40",
            "uptake_min": "60", **change}  # fmt: skip
    bad = client.post("/protection/shielding/rooms/add/", form)
    assert bad.status_code == 400 and f'data-field="{field}"' in bad.content.decode()


def test_the_page_follows_the_department_profile(client, rpo):
    r = room(rpo, UPTAKE)
    point(r, rpo)
    client.force_login(rpo)
    department("us-nrc", rpo)
    nrc = client.get(f"/protection/shielding/rooms/{r.pk}/").content.decode()
    department("iaea-gsr3", rpo)
    iaea = client.get(f"/protection/shielding/rooms/{r.pk}/").content.decode()
    assert "Uncontrolled · 20 µSv/week" in nrc and "Uncontrolled · 6 µSv/week" in iaea
    assert "Profile NRC" in nrc and "Profile IAEA" in iaea
    assert (
        "Uncontrolled · 20 µSv/week" in client.get(f"/protection/shielding/rooms/{r.pk}/?profile=nrc").content.decode()
    )


def test_the_report_pdf_holds_the_results_and_the_sources(client, rpo):
    department("us-nrc", rpo)
    uptake, imaging = room(rpo, UPTAKE), room(rpo, IMAGING)
    point(uptake, rpo, material="lead", thickness_mm=20.0)  # 15.6 mm needed (B = 0.106)
    point(uptake, rpo, location="corridor", occupancy_choice="corridors", other_room=imaging, other_distance_m=4.0)
    client.force_login(rpo)
    response = client.get(f"/protection/shielding/rooms/{uptake.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    text = " ".join(t for page in pages for _, _, t in page)
    assert f"page 1 of {len(pages)}" in text and f"page {len(pages)} of {len(pages)}" in text
    assert "Shielding design · Uptake 1" in text and "NRC · reference data" in text  # "fi" is a ligature glyph
    assert "188.9 µSv/week" in text or "188.9 \xb5Sv/week" in text
    assert "aapm-tg108-2006 (secondary)" in text and "ncrp-147-2004 (secondary)" in text
    assert "D_week[PET/CT]" in text and "meets the goal" in text


def test_the_api_lists_results_and_refuses_by_field(client, physicist, rpo):
    department("us-nrc", rpo)
    client.force_login(physicist)

    def post(url: str, body: dict):
        return client.post(url, json.dumps(body), content_type="application/json")

    made = post("/api/v1/protection/shielding/rooms", {"name": "U", "kind": "pet_uptake", "nuclide": "F-18",
                                            "activity": "555 MBq", "per_week": 40, "uptake_min": 60})  # fmt: skip
    assert made.status_code == 201, made.content
    room_id = made.json()["id"]
    body = {"barrier": "wall N", "location": "office", "distance_m": 3, "occupancy_choice": "full",
            "area": "uncontrolled"}  # fmt: skip
    p = post(f"/api/v1/protection/shielding/rooms/{room_id}/points", body)
    assert p.status_code == 201 and p.json()["result"]["weekly_dose_uSv"] == pytest.approx(188.9, abs=0.1)
    for change, field in [({"distance_m": 0}, "distance_m"), ({"occupancy_choice": "other", "occupancy": 2},
                          "occupancy"), ({"other_room_id": 999999}, "other_room_id")]:  # fmt: skip
        bad = post(f"/api/v1/protection/shielding/rooms/{room_id}/points", {**body, "location": "x", **change})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == field, bad.json()
    bad = post("/api/v1/protection/shielding/rooms", {"name": "V", "kind": "pet_uptake", "nuclide": "F-18",
                                           "activity": "555 MBq", "per_week": 12.5, "uptake_min": 60})  # fmt: skip
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "per_week"
    listed = client.get("/api/v1/protection/shielding/rooms", {"profile": "iaea"}).json()
    assert listed["profile"] == "iaea"
    assert listed["rooms"][0]["points"][0]["result"]["design_goal_uSv_week"] == pytest.approx(6.0)
    client.force_login(rpo.__class__.objects.get(username="rpo1"))
    assert client.get(f"/api/v1/protection/shielding/rooms/{room_id}").json()["points"][0]["result"]["lead_mm"] > 0


def test_a_technologist_may_not_write_by_the_api(client, make_user):
    client.force_login(make_user("technologist", "tech1"))
    body = {"name": "U", "kind": "pet_uptake", "nuclide": "F-18", "activity": "555 MBq", "per_week": 40}
    r = client.post("/api/v1/protection/shielding/rooms", json.dumps(body), content_type="application/json")
    assert r.status_code == 403


def test_the_demo_loads_two_pet_rooms_and_a_hot_lab(make_user):
    from nmguard.apps.core.roles import Role
    from nmguard.apps.protection.room_models import PointOfInterest, ShieldingRoom
    from nmguard.apps.protection.shielding_demo import load_shielding_demo
    from nmguard.apps.protection.shielding_results import point_result

    users = {role: make_user(role.value, f"demo-{role.value}") for role in Role}
    department("us-nrc", users[Role.RPO])
    load_shielding_demo(users)
    kinds = sorted(ShieldingRoom.objects.values_list("kind", flat=True))
    assert kinds == ["hot_lab", "pet_imaging", "pet_uptake"]
    for r in ShieldingRoom.objects.filter(kind__startswith="pet"):
        assert 4 <= r.points.count() <= 6
    results = [point_result(p) for p in PointOfInterest.objects.all()]
    assert all(r.result.thickness_mm for r in results)  # F-18 everywhere: thicknesses for every point
    assert {r.passes for r in results if r.point.material} == {True, False}  # the demo shows both verdicts


def test_changing_a_room_and_a_point_needs_a_reason(client, rpo):
    from nmguard.apps.protection.room_models import PointOfInterest, ShieldingRoom

    department("us-nrc", rpo)
    r = room(rpo, UPTAKE)
    p = point(r, rpo)
    client.force_login(rpo)
    edit = client.get(f"/protection/shielding/rooms/{r.pk}/edit/").content.decode()
    assert 'value="555 MBq"' in edit and 'value="Uptake 1"' in edit
    form = {"name": "Uptake 1", "kind": "pet_uptake", "nuclide": "F-18", "activity": "555 MBq", "per_week": "50",
            "uptake_min": "60"}  # fmt: skip
    bad = client.post(f"/protection/shielding/rooms/{r.pk}/edit/", form)
    assert bad.status_code == 400 and 'data-field="reason"' in bad.content.decode()
    ok = client.post(f"/protection/shielding/rooms/{r.pk}/edit/", {**form, "reason": "a second shift"})
    assert ok.status_code == 302 and ShieldingRoom.objects.get(pk=r.pk).per_week == 50
    assert 'value="3.0"' in client.get(f"/protection/shielding/points/{p.pk}/edit/").content.decode()
    moved = client.post(
        f"/protection/shielding/points/{p.pk}/edit/", _form({"distance_m": "4", "reason": "remeasured"})
    )
    assert moved.status_code == 302
    assert PointOfInterest.objects.get(pk=p.pk).distance_m == 4.0 and p.history.count() == 2


NASTY = ["nan", "inf", "5e-324", "-0.0", "9223372036854775808", "1e308", "x" * 10_000, "\x00"]


@pytest.mark.parametrize("value", NASTY)
def test_extreme_values_in_any_field_are_refused_not_failed(client, rpo, value):
    """Every field of both forms, one extreme value at a time: a 400 with the error by a field, never a 5xx
    (a 9e18 mm barrier would overflow exp() in the Archer equation without the service's bound)."""
    department("us-nrc", rpo)
    r = room(rpo, UPTAKE)
    client.force_login(rpo)
    good_room = {"name": "U2", "kind": "pet_imaging", "nuclide": "F-18", "activity": "555 MBq", "per_week": "40",
                 "uptake_min": "60", "imaging_min": "20", "stay_min": "", "delay_min": ""}  # fmt: skip
    for name in good_room:
        response = client.post("/protection/shielding/rooms/add/", {**good_room, name: value})
        assert response.status_code in (302, 400), (name, response.status_code)
    good_point = _form({"material": "lead", "thickness_mm": "10", "occupancy": ""})
    for name in good_point:
        body = {**good_point, "location": f"l-{name}", name: value}
        response = client.post(f"/protection/shielding/rooms/{r.pk}/points/add/", body)
        assert response.status_code in (302, 400), (name, response.status_code)
