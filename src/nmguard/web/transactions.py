"""One database transaction per unsafe request; safe requests (GET, HEAD, OPTIONS) run without one.

Why: Django's ``ATOMIC_REQUESTS`` wraps every view, reads included, in a transaction, and on SQLite our
transactions begin ``IMMEDIATE`` (settings ``_database``) so that a transaction that reads and then writes
waits for the write lock (busy timeout) instead of failing at once with "database is locked". Together they
made every page view take SQLite's single write lock: under waitress' threads, page views queued behind each
other and behind every writer. Reads need no lock in WAL mode, so safe methods now run in autocommit (each
query its own snapshot, as PostgreSQL's READ COMMITTED gives each statement), and unsafe methods keep
exactly the old guarantee: the whole view in one ``transaction.atomic()`` (``BEGIN IMMEDIATE`` on SQLite,
row locks on PostgreSQL), rolled back when the view raises.

Design chosen over "ATOMIC_REQUESTS with a deferred transaction for reads": a GET view that writes (an audit
event on viewing, a session) inside a DEFERRED read transaction would upgrade a stale read snapshot to a
write and get SQLITE_BUSY at once when another writer committed in between; in autocommit each such write
opens its own IMMEDIATE transaction (``record_event`` does) and waits its turn.

Why a middleware placed last in ``MIDDLEWARE``: it then wraps what ``ATOMIC_REQUESTS`` wrapped (the view)
plus the later hooks (``process_view`` of the middleware before it, ``process_exception``, template
rendering). Django turns a view's exception into a 500 response inside the middleware chain
(``convert_exception_to_response`` around every middleware's ``get_response``), so this middleware never
sees the exception: it rolls back on any 5xx response instead, which also covers a view that returns a 500
itself (``ATOMIC_REQUESTS`` committed those). ``transaction.non_atomic_requests`` is not consulted: no view
uses it (the decorator only speaks to ``ATOMIC_REQUESTS``, now off).

Writes outside a request transaction stay whole: no GET view writes (1,904 pages crawled by following links
as the eight demo roles ran no INSERT, UPDATE or DELETE); the session store saves in its own ``atomic``;
``record_event`` appends to the audit chain in its own ``atomic`` holding the chain head (``select_for_update``
on PostgreSQL, the IMMEDIATE write lock on SQLite), so the chain stays serialised with or without a request
transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpRequest, HttpResponse

# RFC 9110 section 9.2.1; TRACE is refused by the views anyway
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class UnsafeRequestTransactionMiddleware:
    """POST, PUT, PATCH, DELETE (any method not in :data:`SAFE_METHODS`): the rest of the chain in one
    transaction on the default database, rolled back on a 5xx response; safe methods: no transaction."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        with transaction.atomic(using=DEFAULT_DB_ALIAS):
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
        return response
