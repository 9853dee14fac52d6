"""Helpers shared by the pages and the API of every area."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import HttpError

from nmguard.errors import InputError


def apply_error(form, exc: InputError) -> None:
    """Show a service's refusal next to the field it names, or above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def require_perm(request: HttpRequest, perm: str) -> None:
    """API: 403 unless the signed-in user has ``perm``."""
    if not request.user.has_perm(perm):
        raise HttpError(403, f"permission {perm} needed")
