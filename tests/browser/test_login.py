"""A real Chromium (Debian's) signs in through the login page and sees the dashboard."""

from __future__ import annotations

import os

import pytest
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_shows_dashboard(live_server, page, make_user):
    make_user("radiopharmacist", "rph1")
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.fill("#id_username", "rph1")
    page.fill("#id_password", "wrong password")
    page.click("button[type=submit]")
    assert page.locator("p.error").first.is_visible()
    page.fill("#id_username", "rph1")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Dashboard')")
    assert page.locator("[data-testid=roles]").inner_text() == "Radiopharmacist / qualified person"
    areas = page.locator("section.area h2").all_inner_texts()
    assert areas == ["Hot lab", "Equipment QC", "Administrations", "Therapy", "Protection", "Quality"]
    # static files come from the server itself (no CDN): the stylesheet applied
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"
    if shot := os.environ.get("NMGUARD_SCREENSHOT"):
        page.screenshot(path=shot, full_page=True)
