"""Content-Security-Policy and Permissions-Policy on every response.

Django 5.2 has no CSP support of its own (it arrives in 6.0), and a dependency for two headers is not
worth it. The policies are settings (``NMGUARD_CONTENT_SECURITY_POLICY``, ``NMGUARD_PERMISSIONS_POLICY``);
the headers are built once, when the middleware is made.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# X-Frame-Options -> the CSP directive that says the same to browsers that prefer CSP.
_FRAME_ANCESTORS = {"DENY": "'none'", "SAMEORIGIN": "'self'"}


def content_security_policy(directives: dict[str, list[str]]) -> str:
    """The policy text without ``frame-ancestors`` (added per response)."""
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def permissions_policy(features: list[str]) -> str:
    """Every feature denied to every origin: ``camera=(), microphone=(), ...``."""
    return ", ".join(f"{feature}=()" for feature in features)


class SecurityHeadersMiddleware:
    """Adds both headers to every response. A response that already carries a Content-Security-Policy
    (a view that needs a different one) keeps its own; Permissions-Policy is always the department's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = content_security_policy(settings.NMGUARD_CONTENT_SECURITY_POLICY)
        self.permissions = permissions_policy(settings.NMGUARD_PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = self.csp
            ancestors = _FRAME_ANCESTORS.get(response.get("X-Frame-Options", "").upper())
            if ancestors:
                policy += f"; frame-ancestors {ancestors}"
            response["Content-Security-Policy"] = policy
        response["Permissions-Policy"] = self.permissions
        return response
