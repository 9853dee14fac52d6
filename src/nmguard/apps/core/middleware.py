"""Set the acting user for the audit trail from the authenticated request, and hold back a user whose
password was set by someone else until they have changed it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from nmguard.apps.core.actor import acting_as

PASSWORD_MUST_CHANGE = "your password was set by an administrator: change it at /password/ first"


def _open_while_password_must_change(path: str) -> bool:
    """The pages a user whose password an administrator set may still reach: the change page, sign-out,
    static files."""
    static = "/" + str(getattr(settings, "STATIC_URL", "static/")).lstrip("/")
    return path in {reverse("password-change"), reverse("logout")} or path.startswith(static)


class ActorMiddleware:
    """Runs after authentication (settings.MIDDLEWARE). Also sends a user with ``must_change_password``
    to the password change page: a password that another person knows is changed before any work."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if getattr(user, "must_change_password", False) and not _open_while_password_must_change(request.path):
                if request.path.startswith("/api/"):  # a client of the API gets the reason, not a page
                    return JsonResponse({"detail": PASSWORD_MUST_CHANGE}, status=403)
                return redirect("password-change")
            with acting_as(user, request.headers.get("X-Change-Reason", "")):
                return self.get_response(request)
        return self.get_response(request)
