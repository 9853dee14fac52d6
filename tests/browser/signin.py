"""Signing in through the real login page, as every browser test starts."""

from __future__ import annotations

from tests.conftest import PASSWORD


def sign_in(page, server, who, password: str = PASSWORD) -> None:
    """Sign ``who`` (a user or a user name) in at ``server`` (a URL or pytest-django's live_server)."""
    url = getattr(server, "url", server)
    page.goto(f"{url}/login/")
    page.fill("#id_username", getattr(who, "username", who))
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Dashboard')")
