"""Content-Security-Policy and Permissions-Policy on every response (issue 12 item 5).

Every URL pattern is requested (GET, signed in as a user who is administrator and physicist), with
the objects of the department fixture behind the ``pk`` 1 of each parameter where there is one; the
answer may be a page, a 404, a 405 or a refusal, and each must carry both headers. The templates are
searched for what the policy blocks (inline script, event-handler attributes, style attributes not
allowed by hash), so that a new one fails here and not only in a browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

SRC = Path(__file__).resolve().parents[2] / "src" / "nmguard"


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, URLPattern, str]]:
    """(namespaced name, pattern, regex of the whole path) for every named pattern, recursively."""
    found = []
    for p in resolver.url_patterns:
        regex = prefix + p.pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found += _patterns(p, regex, ns)
        elif p.name:
            found.append((namespace + p.name, p, regex))
    return found


def _example_path(regex: str) -> str:
    """A path the regex matches: each named group becomes ``1`` (an int pk) or, for admin's
    ``app_label``/``model_name`` alternations, their first alternative."""

    def group(m: re.Match) -> str:
        body = m.group(2)
        if "|" in body and re.fullmatch(r"[\w|]+", body):
            return body.split("|")[0]
        return "1"

    path = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", group, regex)
    return "/" + path.replace("\\", "")


def test_example_paths_of_the_patterns():
    assert _example_path(r"equipment/(?P<pk>[0-9]+)/") == "/equipment/1/"
    assert _example_path(r"admin/(?P<app_label>core|patients)/") == "/admin/core/"
    assert _example_path(r"therapy/jobs/(?P<pk>[0-9]+)/files/(?P<name>[^/]+)") == "/therapy/jobs/1/files/1"


def _assert_policies(path: str, response) -> None:
    csp = response.get("Content-Security-Policy", "")
    assert csp, f"{path} ({response.status_code}) has no Content-Security-Policy"
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives.get("script-src", directives["default-src"]) in ("'self'", "'none'"), f"{path}: {csp}"
    assert "'unsafe-eval'" not in csp, f"{path}: {csp}"
    assert "camera=()" in response.get("Permissions-Policy", ""), f"{path} ({response.status_code})"


@pytest.fixture
def signed_in(dept):
    from nmguard.apps.core.users import create_user

    user = create_user(
        "headers-admin",
        "Headers-Check-pw-9",
        ["administrator", "physicist"],
        display_name="Headers",
        actor="pytest",
        check_password=False,
    )
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_every_url_pattern_carries_both_policies(signed_in):
    patterns = _patterns(get_resolver())
    assert len(patterns) > 50  # the walk reached the apps, the API and the admin
    statuses: dict[int, int] = {}
    for name, _pattern, regex in patterns:
        path = _example_path(regex)
        response = signed_in.get(path)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        _assert_policies(f"{name} {path}", response)
    assert statuses.get(200, 0) > 30, statuses  # most answers are real pages, not only errors


def test_page_policy_text(signed_in):
    """The dashboard's headers, directive by directive: nothing inline, nothing from elsewhere, not
    framed (as X-Frame-Options DENY says)."""
    response = signed_in.get("/")
    assert response.status_code == 200
    directives = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"  # matplotlib's inline SVG charts
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    policy = dict(f.split("=") for f in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "usb", "payment"):
        assert policy[feature] == "()"


@pytest.mark.django_db
def test_static_files_and_anonymous_pages_carry_them_too(client):
    for path in ("/login/", "/static/nmguard/nmguard.css", "/api/v1/docs", "/no-such-page/"):
        _assert_policies(path, client.get(path))


def test_a_view_with_its_own_policy_keeps_it(rf, settings):
    """The sandboxed dosimetry report sets its own policy (inline styles, data: images): kept; the
    Permissions-Policy is added; frame-ancestors follows X-Frame-Options SAMEORIGIN."""
    from django.http import HttpResponse

    from nmguard.web.security_headers import SecurityHeadersMiddleware

    def own(request):
        r = HttpResponse("report")
        r["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        return r

    def framed(request):
        r = HttpResponse("page")
        r["X-Frame-Options"] = "SAMEORIGIN"
        return r

    kept = SecurityHeadersMiddleware(own)(rf.get("/"))
    assert kept["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert "microphone=()" in kept["Permissions-Policy"]
    same_origin = SecurityHeadersMiddleware(framed)(rf.get("/"))
    assert same_origin["Content-Security-Policy"].endswith("; frame-ancestors 'self'")


def _templates() -> list[Path]:
    return sorted(SRC.rglob("templates/**/*.html"))


def test_templates_have_no_inline_script_or_handlers():
    """No <script> without src (JSON data blocks excepted), no on*= attributes, no javascript: URLs."""
    offenders = []
    for path in _templates():
        text = path.read_text()
        for m in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in m.group(1) and "application/json" not in m.group(1):
                offenders.append(f"{path.relative_to(SRC)}: inline script")
        for m in re.finditer(r"""\son[a-z]+\s*=\s*["']|javascript:""", text, re.IGNORECASE):
            offenders.append(f"{path.relative_to(SRC)}: {m.group(0).strip()}")
    assert offenders == []
