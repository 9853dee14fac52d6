"""The competence block: a task needs a valid competence of the person doing it on the day of the task.

Why a registry: radiopharmacy, patients, equipment and therapy must not import the quality app (which keeps the
competences); quality's AppConfig appends its check to ``COMPETENCE_GUARDS`` and the services of those apps call
:func:`check_competence` before they store a task's result. Without a registered guard nothing is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from nmguard.errors import InputError

# each takes (user, task key, local day) and returns why the user may not do the task that day, or None
COMPETENCE_GUARDS: list[Callable[[object, str, dt.date], str | None]] = []


class CompetenceRefused(InputError):
    """The person has no valid competence (or its trainings lapsed) for the task on its day."""


def competence_refusal(user, task: str, day: dt.date) -> str | None:
    """The first reason a registered guard gives for refusing ``task`` by ``user`` on ``day``, or None."""
    for refuse in COMPETENCE_GUARDS:
        if reason := refuse(user, task, day):
            return reason
    return None


def check_competence(user, task: str, day: dt.date, field: str = "user") -> None:
    """Raise :class:`CompetenceRefused` (naming ``field``) when a guard refuses the task."""
    if reason := competence_refusal(user, task, day):
        raise CompetenceRefused(reason, field)
