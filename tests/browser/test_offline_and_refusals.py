"""In Chromium: no page loads anything from outside the server, the API docs render offline, a refused
page says why and keeps the navigation, and the RPO reads the audit trail."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from tests.browser.signin import sign_in as _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _block_outside(page, server_url: str) -> list[str]:
    """Abort every request that leaves the server (as on a hospital network), and list them."""
    host = urlparse(server_url).netloc
    outside: list[str] = []

    def route(r):
        if urlparse(r.request.url).netloc == host or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return outside


def test_api_docs_render_without_internet_and_no_page_reaches_out(live_server, page, make_user):
    outside = _block_outside(page, live_server.url)
    _login(page, live_server.url, make_user("administrator", "admin9"))
    for path in ("/", "/hotlab/", "/equipment/", "/equipment/qc/", "/administrations/", "/therapy/", "/audit/"):
        page.goto(f"{live_server.url}{path}")
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)  # the operations are drawn
    assert page.locator(".swagger-ui .opblock").count() > 10
    assert outside == []


def test_refused_page_says_why_and_rpo_reads_the_trail(live_server, page, make_user):
    _login(page, live_server.url, make_user("technologist", "tech9"))
    response = page.goto(f"{live_server.url}/audit/")
    assert response.status == 403
    assert "Reading the audit trail needs the role" in page.locator("[data-testid=refusal]").inner_text()
    page.click("text=Back to the dashboard")
    page.wait_for_selector("h1:has-text('Dashboard')")
    page.click("text=Sign out")
    _login(page, live_server.url, make_user("rpo", "rpo9"))
    page.click("nav >> text=Audit trail")
    page.wait_for_selector("h1:has-text('Audit trail')")
    page.click("text=Verify the hash chain")
    assert "Chain intact" in page.locator("[data-testid=chain-status]").inner_text()
