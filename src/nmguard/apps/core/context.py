"""Template context shared by every page: version, department, the user's roles."""

from __future__ import annotations

from django.http import HttpRequest

import nmguard as _nmguard_pkg
from nmguard.apps.core.roles import ROLE_LABELS, Role


def nmguard(request: HttpRequest) -> dict:
    from nmguard.apps.core.models import Department

    user = getattr(request, "user", None)
    roles: list[str] = []
    if user is not None and user.is_authenticated:
        names = user.groups.values_list("name", flat=True)
        roles = [ROLE_LABELS[Role(n)] for n in names if n in Role._value2member_map_]
    return {
        "nmguard_version": _nmguard_pkg.__version__,
        "department": Department.objects.first(),
        "user_roles": roles,
    }
