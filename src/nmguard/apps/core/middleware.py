"""Set the acting user for the audit trail from the authenticated request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from nmguard.apps.core.actor import acting_as


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            with acting_as(user, request.headers.get("X-Change-Reason", "")):
                return self.get_response(request)
        return self.get_response(request)
