"""Who may do what on the administration path: one table for the services, the views and the pages.

Why: a page must show a form only to the roles whose submission the service accepts (before, a
technologist saw "New prescription" and "Override (physician)" and was refused on submit, and the
RPO, who may report a medical event, saw no form at all).
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from nmguard.apps.core.guards import require_role
from nmguard.apps.core.roles import Role

ACTION_ROLES: dict[str, tuple[Role, ...]] = {
    "register_patient": (Role.TECHNOLOGIST, Role.PHYSICIAN),
    "correct_patient": (Role.TECHNOLOGIST, Role.PHYSICIAN),  # who registers corrects (the admin no longer can)
    "prescribe": (Role.PHYSICIAN,),
    "measure": (Role.TECHNOLOGIST, Role.PHYSICIAN, Role.RADIOPHARMACIST),  # dispensing measures too
    "check": (Role.TECHNOLOGIST, Role.PHYSICIAN),
    "override": (Role.PHYSICIAN,),
    "administer": (Role.TECHNOLOGIST, Role.PHYSICIAN),
    "report_medical_event": (Role.PHYSICIAN, Role.RPO),
}

ACTION_WORDS = {
    "register_patient": "registering a patient",
    "correct_patient": "correcting a patient's details",
    "prescribe": "prescribing",
    "measure": "measuring a dose",
    "check": "recording the pre-administration checks",
    "override": "overriding a failed check",
    "administer": "administering",
    "report_medical_event": "reporting a medical event",
}


def _role_names(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(user.groups.values_list("name", flat=True))


def may(user, action: str) -> bool:
    """Whether ``user`` holds a role that may perform ``action``."""
    return bool(_role_names(user) & {r.value for r in ACTION_ROLES[action]})


def allowed(user) -> dict[str, bool]:
    """Every action → whether the user may perform it (for the templates: ``{% if can.prescribe %}``)."""
    names = _role_names(user)
    return {action: bool(names & {r.value for r in roles}) for action, roles in ACTION_ROLES.items()}


def require(user, action: str) -> None:
    """Refuse (InputError on the field ``user``) unless the user may perform ``action``."""
    require_role(user, *ACTION_ROLES[action], what=ACTION_WORDS[action])


def responsible_roles(action: str) -> str:
    """The roles that may perform ``action``, in words (for the pages)."""
    return " or ".join(r.label for r in ACTION_ROLES[action])


def action_required(action: str):
    """View decorator: 403 (PermissionDenied) for users whose roles may not perform ``action``."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not may(request.user, action):
                raise PermissionDenied(f"{ACTION_WORDS[action]} needs the role {responsible_roles(action)}")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


# The role responsible for each reporting step of a medical event (step ids of jurisdictions.toml):
# informing the referrer and the patient is the physician's; the records and the reports to the
# regulator are the radiation protection officer's (the licensee's RSO / the RPE of the undertaking).
STEP_RESPONSIBLE: dict[str, Role] = {
    "notify-referring-physician-and-individual": Role.PHYSICIAN,
    "notify-referrer-practitioner-patient": Role.PHYSICIAN,
    "inform-referrer-and-patient": Role.PHYSICIAN,
}
STEP_RESPONSIBLE_DEFAULT = Role.RPO


def step_responsible(step_id: str) -> Role:
    """Who answers for a reporting step (the page names the role next to the deadline)."""
    return STEP_RESPONSIBLE.get(step_id, STEP_RESPONSIBLE_DEFAULT)
