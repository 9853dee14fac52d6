"""The physicist adds a point of interest to a PET uptake room in Chromium and reads its lead thickness; a
distance of zero is refused next to its field."""

from __future__ import annotations

import pytest
from tests.browser.signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_add_a_point_and_see_its_thickness(live_server, page, dept):
    from nmguard.apps.protection.room_services import save_room
    from nmguard.physics.display import format_sig
    from nmguard.protection.shielding import pet_barrier

    room = save_room(
        None,
        {
            "name": "Uptake 1",
            "kind": "pet_uptake",
            "nuclide": "F-18",
            "activity_MBq": 555.0,
            "per_week": 40,
            "uptake_min": 60.0,
        },  # fmt: skip
        dept["physicist"],
    )
    sign_in(page, live_server, dept["physicist"])
    page.goto(f"{live_server.url}/protection/shielding/")
    page.click("[data-room='Uptake 1'] >> text=Uptake 1")
    page.click("[data-testid=point-add]")
    form = page.locator("[data-testid=point-form]")
    form.locator("#id_barrier").fill("wall N")
    form.locator("#id_location").fill("office")
    form.locator("#id_distance_m").fill("0")
    form.locator("#id_occupancy_choice").select_option("corridors")
    form.locator("#id_area").select_option("uncontrolled")
    form.locator("button[type=submit]").click()
    assert "more than 0" in page.locator("[data-field=distance_m]").inner_text()
    page.locator("#id_distance_m").fill("3")
    page.locator("[data-testid=point-form] button[type=submit]").click()
    row = page.locator("[data-point='wall N · office']")
    lead = row.locator("[data-material=lead]").inner_text()
    # the department is on the NRC profile: uncontrolled 20 uSv/week, T = 1/5 (corridors)
    expected = pet_barrier(
        room="uptake", activity_Bq=555e6, patients_per_week=40, uptake_s=3600, distance_m=3, occupancy=0.2,
        design_goal_uSv_week=20.0,
    ).thickness_mm["lead"]  # fmt: skip
    assert lead == f"{format_sig(expected, 3)} mm", (lead, expected)
    assert page.url.endswith(f"/protection/shielding/rooms/{room.pk}/")
