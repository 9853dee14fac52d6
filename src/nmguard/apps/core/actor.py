"""Who is acting, and why: set once per request or CLI command, read by the audit trail.

Every change to a clinical or QC record must be attributed; code that changes records outside a
web request (the CLI, the demo loader, a background job) wraps its work in :func:`acting_as`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_actor: ContextVar[Any] = ContextVar("nmguard_actor", default=None)
_reason: ContextVar[str] = ContextVar("nmguard_reason", default="")


class MissingActorError(RuntimeError):
    """A record was changed with nobody named as responsible."""


def current_actor() -> Any:
    return _actor.get()


def current_reason() -> str:
    return _reason.get()


@contextmanager
def acting_as(user: Any, reason: str = "") -> Iterator[None]:
    """Attribute every change made inside the block to ``user``, with ``reason``."""
    actor_token = _actor.set(user)
    reason_token = _reason.set(reason)
    try:
        yield
    finally:
        _actor.reset(actor_token)
        _reason.reset(reason_token)


@contextmanager
def because(reason: str) -> Iterator[None]:
    """Give the reason for the changes made inside the block (the actor stays)."""
    token = _reason.set(reason)
    try:
        yield
    finally:
        _reason.reset(token)
