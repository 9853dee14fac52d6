"""Page permissions that say why: a refused request names the roles that may do it.

Django's ``permission_required(raise_exception=True)`` refuses with a bare 403. Pages use
:func:`requires` instead, so that the styled refusal page (``403.html``) can tell the user which
roles may open the page and which roles they hold.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from nmguard.apps.core.roles import ROLE_LABELS, Role


def roles_with(perm: str) -> list[str]:
    """Labels of the roles whose group holds ``perm`` (``app_label.codename``)."""
    app_label, codename = perm.split(".", 1)
    names = Group.objects.filter(
        permissions__codename=codename, permissions__content_type__app_label=app_label
    ).values_list("name", flat=True)
    return [ROLE_LABELS[Role(n)] for n in sorted(set(names)) if n in Role._value2member_map_]


def refusal(perm: str, doing: str) -> PermissionDenied:
    """The refusal for ``doing`` without ``perm``: which roles may."""
    roles = roles_with(perm)
    who = " or ".join(roles) if roles else "a role that no user holds yet"
    return PermissionDenied(f"{doing[:1].upper()}{doing[1:]} needs the role {who}.")


def requires(perm: str, doing: str = "this page") -> Callable:
    """View decorator: signed in, and holding ``perm``; otherwise a 403 that names the roles that may."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise refusal(perm, doing)
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorate
