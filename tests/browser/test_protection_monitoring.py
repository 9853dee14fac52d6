"""The RPO enters a wipe test in Chromium: an impossible wiped area is refused next to its field, the good
entry shows in the location's history with its plot, and the schedule turns the overdue bench to in date."""

from __future__ import annotations

import pytest
from tests.browser.signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_entering_a_wipe_test_clears_the_overdue_bench(live_server, page, make_user):
    from django.utils import timezone
    from tests.protection.monitoring_fixtures import set_profile

    rpo = make_user("rpo", "rpo-monitoring")
    set_profile("iaea-gsr3", rpo)
    kit = _kit(rpo)
    sign_in(page, live_server, rpo)
    page.goto(f"{live_server.url}/protection/monitoring/")
    bench = page.locator("[data-testid=schedule] tr[data-location='Hot lab bench']")
    assert bench.get_attribute("data-state") == "overdue"
    bench.locator("a").click()
    form = page.locator("[data-testid=entry-form]")
    form.locator("#id_counter").select_option(str(kit["counter"].pk))
    for field, value in (("gross_counts", "1200"), ("gross_time_s", "60"), ("background_counts", "600"),
                         ("background_time_s", "600"), ("area_cm2", "0")):  # fmt: skip
        form.locator(f"#id_{field}").fill(value)
    form.locator("button[type=submit]").click()
    assert "positive" in page.locator("[data-field=area_cm2]").inner_text()
    page.locator("#id_area_cm2").fill("100")
    page.locator("[data-testid=entry-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=location-plot] svg")
    # 1140 net cpm / (60 * 0.5 * 100 cm2 * 0.1) = 3.8 Bq/cm2, below the 4 Bq/cm2 of the IAEA profile
    assert page.locator("[data-testid=history] [data-testid=result]").first.inner_text() == "3.8"
    page.goto(f"{live_server.url}/protection/monitoring/")
    bench = page.locator("[data-testid=schedule] tr[data-location='Hot lab bench']")
    assert bench.get_attribute("data-state") == "ok"
    assert bench.locator("[data-testid=last-done]").inner_text() == timezone.localdate().isoformat()


def _kit(rpo) -> dict:
    import datetime as dt

    from django.utils import timezone

    from nmguard.apps.protection import survey_services as s

    today = timezone.localdate()
    counter = s.create_instrument(
        rpo, name="Well counter", kind="wipe_counter", serial="WC-B1", calibrated_on=today - dt.timedelta(days=10),
        calibration_due=today + dt.timedelta(days=355), efficiencies={"Tc-99m": 0.5},
    )  # fmt: skip
    s.create_location(
        rpo, name="Hot lab bench", area_kind="controlled", survey_kind="wipe", frequency="weekly", nuclide="Tc-99m",
        first_due=today - dt.timedelta(days=30),
    )  # fmt: skip
    return {"counter": counter}


def test_monitoring_pages_pass_axe(live_server, page, make_user):
    """The four monitoring pages, with a record each, have no serious or critical axe-core violation and no
    duplicate id (the checks of tests/browser/test_accessibility.py)."""
    from django.utils import timezone
    from tests.browser.test_accessibility import duplicate_ids, run_axe, serious_violations

    from nmguard.apps.protection import survey_services as s

    rpo = make_user("rpo", "rpo-axe")
    kit = _kit(rpo)
    bench = s.schedule()[0].location
    wipe = {"gross_counts": 900_000, "gross_time_s": 60, "background_counts": 600, "background_time_s": 600}
    s.record_wipe(rpo, bench, kit["counter"], timezone.now(), **wipe, area_cm2=100)  # opens a follow-up
    sign_in(page, live_server, rpo)
    for path in ("", f"locations/{bench.pk}/", "instruments/", "follow-ups/"):
        response = page.goto(f"{live_server.url}/protection/monitoring/{path}")
        assert response is not None and response.status == 200, path
        problems = [f"id {name!r} {n} times" for name, n in duplicate_ids(page.content()).items()]
        problems += serious_violations(run_axe(page))
        assert problems == [], f"{path}: " + "\n".join(problems)
