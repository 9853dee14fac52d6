"""Roles (Django groups) and what each may do, per area of the department.

A role may view every area; it may add and change records only in the areas of its daily work
(DESIGN.md "Who uses it, for what"). Administrators manage users and read the audit trail.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

AREAS = ("equipment", "radiopharmacy", "patients", "therapy", "protection", "quality")


class Role(StrEnum):
    TECHNOLOGIST = "technologist"
    RADIOPHARMACIST = "radiopharmacist"
    PHYSICIST = "physicist"
    PHYSICIAN = "physician"
    RPO = "rpo"
    QUALITY_MANAGER = "quality_manager"
    ADMINISTRATOR = "administrator"
    READ_ONLY = "read_only"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.TECHNOLOGIST: "Technologist",
    Role.RADIOPHARMACIST: "Radiopharmacist / qualified person",
    Role.PHYSICIST: "Medical physicist",
    Role.PHYSICIAN: "Physician (authorised user)",
    Role.RPO: "Radiation protection officer",
    Role.QUALITY_MANAGER: "Quality manager / auditor",
    Role.ADMINISTRATOR: "Administrator",
    Role.READ_ONLY: "Read-only",
}

# Areas in which each role adds and changes records (all roles view all areas).
WRITE_AREAS: dict[Role, tuple[str, ...]] = {
    Role.TECHNOLOGIST: ("equipment", "patients"),
    Role.RADIOPHARMACIST: ("radiopharmacy",),
    Role.PHYSICIST: ("equipment", "therapy", "protection"),
    Role.PHYSICIAN: ("patients", "therapy"),
    Role.RPO: ("protection",),
    Role.QUALITY_MANAGER: ("quality",),
    Role.ADMINISTRATOR: AREAS,
    Role.READ_ONLY: (),
}

# Core permissions beyond the areas.
CORE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.ADMINISTRATOR: (
        "view_user",
        "add_user",
        "change_user",
        "view_department",
        "change_department",
        "view_auditevent",
        "verify_audit",
        "view_signature",
    ),
    Role.QUALITY_MANAGER: ("view_auditevent", "verify_audit", "view_signature", "view_department"),
    # The RPO investigates incidents and answers the regulator: reads and verifies the trail.
    Role.RPO: ("view_auditevent", "verify_audit", "view_department", "view_signature"),
}


# What every member of staff may add whatever the role (not the read-only accounts of inspectors): report an
# incident or near miss, and acknowledge having read a controlled document that applies to them.
STAFF_WIDE_PERMISSIONS = ("add_incident", "add_documentacknowledgement")


def permissions_for(role: Role) -> Q:
    """The permissions of ``role`` as a query on :class:`Permission`."""
    query = Q(content_type__app_label__in=AREAS, codename__startswith="view_")
    if role is not Role.READ_ONLY:
        query |= Q(content_type__app_label="quality", codename__in=STAFF_WIDE_PERMISSIONS)
    writable = WRITE_AREAS[role]
    if writable:
        query |= Q(content_type__app_label__in=writable, codename__regex=r"^(add|change)_")
    core = CORE_PERMISSIONS.get(role, ())
    if core:
        query |= Q(content_type__app_label="core", codename__in=core)
    return query


def sync_roles() -> None:
    """Create the role groups and set their permissions to exactly the matrix above."""
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set(Permission.objects.filter(permissions_for(role)))


def sync_roles_after_migrate(sender, **kwargs) -> None:
    """Run once per migrate, after the last app's permissions exist."""
    from django.apps import apps

    if sender is list(apps.get_app_configs())[-1]:
        sync_roles()
