"""Browser fixtures: Debian's Chromium driven by Playwright; the department of the patients tests."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def policy_refusals() -> list[str]:
    """What the browser refused under the pages' policies during the test; must be empty at the end
    (a test that provokes a refusal on purpose empties it)."""
    return []


@pytest.fixture
def page(policy_refusals):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (before and after the browser acts) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        policy_errors(page, policy_refusals)
        yield page
        browser.close()
    # after the test's own assertions: a page that still "worked" may have lost a script or a style
    assert policy_refusals == [], f"the browser refused content under the page's policies: {policy_refusals}"


def policy_errors(page, found: list[str]) -> list[str]:
    """Console errors in which Chromium reports what the Content-Security-Policy refused (a script, a
    style, a frame) or a Permissions-Policy it could not read, appended to ``found`` while the page lives."""

    def on_console(message) -> None:
        text = message.text
        if message.type != "error" or not ("Content Security Policy" in text or "Permissions-Policy" in text):
            return
        # frame-ancestors repeats X-Frame-Options (DENY unless the view says SAMEORIGIN): an error page
        # shown in a frame, e.g. the 404 of a test's job without files, was refused the same before
        if "frame-ancestors" in text:
            return
        found.append(f"{page.url}: {text}")

    page.on("console", on_console)
    return found
    return found
