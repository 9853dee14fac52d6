"""For each role, in Chromium: the dashboard's counts of the role's own work come first, and each count's link
opens a list whose rows match the count (the administrator, who has no own list, follows every link)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone
from tests.browser.signin import sign_in
from tests.web import dashboard_department
from tests.web.dashboard_department import EXPECTED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
busy_dept = dashboard_department.busy_dept  # the fixture, used here

OWN_FIRST = {
    "technologist": "qc-due-today",
    "radiopharmacist": "batches-awaiting-release",
    "physicist": "qc-overdue",
    "physician": "prescriptions-override",
    "rpo": "devices-out-of-service",
    "quality_manager": "medical-events-open",
}


@pytest.fixture(autouse=True)
def _department_noon():
    noon = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12, 0)))
    with time_machine.travel(noon, tick=True):
        yield


def _rows_shown(page) -> int:
    """The rows the opened list shows for the count: its own "N found", or the rows of the two other pages."""
    if "/equipment/qc/" in page.url and "/results/" not in page.url:  # the day's QC list, filtered by due
        return page.locator("[data-testid=qc-device] tbody tr.fail, [data-testid=qc-device] tbody tr.due").count()
    if "/reference/unverified/" in page.url:
        return page.locator("[data-testid=unverified-row]").count()
    found = page.locator("[data-testid=list-count]").inner_text()
    count = int(re.match(r"(\d+) found", found).group(1))
    shown = page.locator("main table.grid > tbody > tr:not(:has(td[colspan]))").count()
    assert shown == min(count, 50), f"{page.url}: {shown} rows on the page, {found}"
    return count


def _follow(page, server_url: str, keys: list[str] | None) -> dict[str, int]:
    """Open each count's link (``keys``: these only), check the list's rows against it; key -> count."""
    page.goto(f"{server_url}/")
    items = page.locator("[data-testid=work-counts] li[data-count]")
    links = {}
    for i in range(items.count()):
        item = items.nth(i)
        key = item.get_attribute("data-count")
        if keys is None or key in keys:
            link = item.locator("a")
            assert link.count() == 1, f"{key}: the count is not a link"
            links[key] = (int(item.locator(".n").inner_text()), link.get_attribute("href"))
    seen = {}
    for key, (count, href) in links.items():
        page.goto(f"{server_url}{href}")
        assert page.locator("h1").count() == 1
        assert _rows_shown(page) == count, f"{key}: {href}"
        seen[key] = count
    return seen


@pytest.mark.parametrize("role", sorted(OWN_FIRST))
def test_each_role_sees_its_own_work_first_and_its_links_open_matching_lists(live_server, page, busy_dept, role):
    sign_in(page, live_server, busy_dept[role])
    mine = page.locator("[data-testid=work-mine] li[data-count]")
    assert mine.first.get_attribute("data-count") == OWN_FIRST[role]
    own = [mine.nth(i).get_attribute("data-count") for i in range(mine.count())]
    seen = _follow(page, live_server.url, own)
    assert set(seen) == set(own)
    for key, count in seen.items():
        assert count == EXPECTED.get(key, count)


def test_administrator_follows_every_count_to_its_list(live_server, page, busy_dept):
    sign_in(page, live_server, busy_dept["administrator"])
    assert page.locator("[data-testid=work-mine]").count() == 0  # no own list: everything under one heading
    seen = _follow(page, live_server.url, None)
    assert set(EXPECTED) < set(seen) and "reference-unverified" in seen
    assert {k: seen[k] for k in EXPECTED} == EXPECTED


@pytest.mark.parametrize("path", ["device", "reference"])
def test_device_and_reference_pages_pass_axe(live_server, page, busy_dept, path):
    """The two new pages behind the dashboard and the register: no serious or critical axe-core violation."""
    from axe_playwright_python.sync_playwright import Axe
    from django.urls import reverse

    url = reverse("equipment-device", args=[busy_dept["cam_a"].pk]) if path == "device" else "/reference/unverified/"
    sign_in(page, live_server, busy_dept["physicist"])
    response = page.goto(f"{live_server.url}{url}")
    assert response is not None and response.status == 200
    ids = re.findall(r'\sid="([^"]+)"', page.content())
    assert len(ids) == len(set(ids)), "repeated element ids"
    results = Axe().run(page).response
    serious = [
        f"{rule['id']} {node['target']}"
        for rule in results["violations"]
        if rule.get("impact") in ("serious", "critical")
        for node in rule["nodes"]
    ]
    assert serious == []
