"""Creating users with roles (CLI, demo, admin all go through here)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.roles import Role
from nmguard.errors import InputError


def parse_roles(names: Iterable[str]) -> list[Role]:
    roles = []
    for name in names:
        try:
            roles.append(Role(name.strip().lower().replace("-", "_")))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise InputError(f"unknown role {name!r}; use one of {known}", "role") from None
    if not roles:
        raise InputError("give at least one role", "role")
    return roles


def check_new_user(username: str, roles: Iterable[str]) -> tuple[str, list[Role]]:
    """The user name (stripped) and roles, refused before anyone is asked for a password."""
    role_list = parse_roles(roles)
    username = username.strip()
    if not username:
        raise InputError("user name is empty", "username")
    if get_user_model().objects.filter(username=username).exists():
        raise InputError(f"user {username!r} exists already", "username")
    return username, role_list


def create_user(
    username: str,
    password: str,
    roles: Iterable[str],
    *,
    display_name: str = "",
    actor: object,
    check_password: bool = True,
    must_change_password: bool = False,
):
    """Create an active user holding ``roles``; administrators also get the admin site.

    ``must_change_password``: the password was chosen by someone other than the user (an administrator at
    the CLI), so the user must change it at the first sign-in and cannot sign with it before.
    """
    User = get_user_model()
    username, role_list = check_new_user(username, roles)
    candidate = User(username=username, display_name=display_name)
    if check_password:
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise InputError("password: " + " ".join(exc.messages), "password") from None
    with transaction.atomic(), acting_as(actor, reason="user created"):
        candidate.is_staff = Role.ADMINISTRATOR in role_list
        candidate.must_change_password = must_change_password
        candidate.set_password(password)
        candidate.save()
        candidate.groups.set(Group.objects.filter(name__in=[r.value for r in role_list]))
    return candidate
