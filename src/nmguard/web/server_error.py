"""The answer to an unhandled error: 503 when the database or the data disk is away, else Django's 500.

A drill (docs/reliability.md) restarted PostgreSQL under 50 users: the requests that arrived while it was down
got "500 Internal Server Error", which tells a user that NMGuard is broken, and a script that retrying is
pointless. The database being away (restart, network cut, an SQLite file locked past its timeout) or the data
disk being full is a temporary condition: "503 Service Unavailable" with ``Retry-After`` says so, and the page
says that nothing of the request was stored (a request that writes is one transaction, rolled back on the error).

Django calls this view while the exception is being handled (``handler500``), so ``sys.exc_info()`` holds it.
It touches neither the database nor the session (both may be what failed) and renders no template that does.
"""

from __future__ import annotations

import errno
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.views import defaults

RETRY_AFTER_S = 5

DATABASE = (
    "The database cannot be reached at the moment (it may be restarting). Nothing from this request was "
    "stored. Try again in a few seconds; if it lasts, tell the administrator."
)
DISK_FULL = (
    "The server's data disk is full. Nothing from this request was stored. Tell the administrator; "
    "entries that need no file can go on once space is freed."
)


def unavailable_reason(exc: BaseException | None) -> str | None:
    """Why the request could not be served for now, or None when the error is a fault to be fixed."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return DATABASE
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return DISK_FULL
    return None


def server_error(request: HttpRequest) -> HttpResponse:
    reason = unavailable_reason(sys.exc_info()[1])
    if reason is None:
        return defaults.server_error(request)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": reason}, status=503)
    else:
        response = HttpResponse(_page(reason), status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


def _page(reason: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>NMGuard: unavailable for a moment</title>'
        '<link rel="stylesheet" href="/static/nmguard/nmguard.css"></head><body><main>'
        '<h1>Unavailable for a moment</h1><p role="alert" data-testid="unavailable">'
        f"{escape(reason)}</p><p>A form you sent: go back in the browser and send it again. A page: "
        '<a href="">load it again</a>.</p></main></body></html>'
    )
