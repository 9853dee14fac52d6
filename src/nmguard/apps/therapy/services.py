"""Therapy courses as business actions (the decisions are in :mod:`nmguard.rules.therapy_course`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.guards import require_role
from nmguard.apps.core.roles import Role
from nmguard.apps.therapy.models import TherapyCourse, TherapyCycle, TherapyProtocol
from nmguard.errors import InputError
from nmguard.rules.therapy_course import Constraint, Criterion, cumulative_organ_doses, evaluate_eligibility


def start_course(*, patient, protocol: TherapyProtocol, started_on: dt.date, user) -> TherapyCourse:
    """A course with its cycles planned at the protocol's interval."""
    require_role(user, Role.PHYSICIAN, what="starting a therapy course")
    [Criterion.from_dict(c) for c in protocol.criteria]  # refuse a protocol with malformed criteria
    with transaction.atomic(), acting_as(user, reason="therapy course started"):
        course = TherapyCourse.objects.create(patient=patient, protocol=protocol, started_on=started_on)
        for n in range(protocol.cycles):
            TherapyCycle.objects.create(
                course=course, number=n + 1, planned_on=started_on + dt.timedelta(days=n * protocol.interval_days)
            )
    return course


def check_eligibility(cycle: TherapyCycle, values: dict[str, float | None], user) -> TherapyCycle:
    """Evaluate the protocol's criteria with today's values (e.g. eGFR, blood counts) and keep the result."""
    require_role(user, Role.PHYSICIAN, Role.PHYSICIST, what="checking eligibility")
    criteria = [Criterion.from_dict(c) for c in cycle.course.protocol.criteria]
    result = evaluate_eligibility(criteria, values)
    with transaction.atomic(), acting_as(user, reason=f"cycle {cycle.number} eligibility"):
        cycle.eligibility = result.as_dict()
        cycle.save()
    return cycle


def record_cycle_doses(
    cycle: TherapyCycle, *, organ_doses_Gy: dict[str, float], method: str, user, administration=None
) -> TherapyCycle:
    """Organ doses of one cycle (from label dosimetry of the administration, or a dosimetry run)."""
    require_role(user, Role.PHYSICIST, Role.PHYSICIAN, what="recording cycle doses")
    if not method.strip():
        raise InputError("say how the doses were obtained", "method")
    for organ, dose in organ_doses_Gy.items():
        if dose is None or dose < 0:
            raise InputError(f"{organ}: dose must be a non-negative number of Gy", organ)
    with transaction.atomic(), acting_as(user, reason=f"cycle {cycle.number} doses ({method.strip()})"):
        cycle.organ_doses_Gy = dict(organ_doses_Gy)
        cycle.dose_method = method.strip()
        if administration is not None:
            cycle.administration = administration
        cycle.save()
    return cycle


def doses_from_administration(administration) -> dict[str, float]:
    """Label organ doses stored with a therapy administration (Gy per organ)."""
    return {o["organ"]: o["dose_Gy"] for o in administration.organ_doses}


def course_summary(course: TherapyCourse):
    """Cumulative organ doses against the protocol's constraints, cycle by cycle (cycles with doses)."""
    constraints = [Constraint.from_dict(c) for c in course.protocol.constraints]
    cycles = [c.organ_doses_Gy for c in course.cycle_records.order_by("number") if c.organ_doses_Gy]
    return cumulative_organ_doses(cycles, constraints)
