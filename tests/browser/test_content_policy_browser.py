"""In Chromium, under the Content-Security-Policy: the pages work, and what the policy refuses is seen.

Every browser test fails on a console error that reports a refusal (tests/browser/conftest.py); this
file checks that such a refusal really reaches the console (so that check can fail), that the
navigation, htmx and the API docs work under the policy, and that the browser reads the
Permissions-Policy (the camera is not available to the page).
"""

from __future__ import annotations

import pytest
from tests.browser.signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_injected_inline_script_is_refused_and_reported(live_server, page, make_user, policy_refusals):
    sign_in(page, live_server.url, make_user("physicist", "phys-csp"))
    page.goto(f"{live_server.url}/")
    assert policy_refusals == []
    page.evaluate(
        """() => {
            const s = document.createElement('script');
            s.textContent = 'window.injected = 1';
            document.head.appendChild(s);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.injected") is None  # it did not run
    assert any("Content Security Policy" in text and "script-src" in text for text in policy_refusals)
    policy_refusals.clear()  # provoked on purpose


def test_pages_htmx_and_api_docs_work_under_the_policy(live_server, page, make_user):
    admin = make_user("administrator", "admin-csp")
    sign_in(page, live_server.url, admin)
    for path, heading in (("/", "Dashboard"), ("/equipment/", None), ("/hotlab/", None), ("/therapy/", None)):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        if heading:
            page.wait_for_selector(f"h1:has-text('{heading}')")
    # htmx loaded from the static file, told not to evaluate code (the policy would refuse it)
    assert page.evaluate("() => typeof htmx === 'object' && htmx.config.allowEval === false")
    # the stylesheet applied (a style refused would leave the page unstyled)
    assert page.evaluate("() => document.styleSheets.length") >= 1
    # the Django admin's own pages (scripts from its static files, data in attributes)
    for path in ("/admin/", "/admin/core/user/", f"/admin/core/user/{admin.pk}/change/"):
        assert page.goto(f"{live_server.url}{path}").status == 200, path
        page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    # Permissions-Policy: camera=() — the browser says the feature is not allowed here
    assert (
        page.evaluate("() => document.featurePolicy ? document.featurePolicy.allowsFeature('camera') : false") is False
    )
