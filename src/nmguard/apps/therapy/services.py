"""Therapy courses as business actions (the decisions are in :mod:`nmguard.rules.therapy_course`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.competence import check_competence
from nmguard.apps.core.guards import require_role
from nmguard.apps.core.roles import Role
from nmguard.apps.patients.services import require_reason_of_substance
from nmguard.apps.therapy.models import CycleDoseRecord, TherapyCourse, TherapyCycle, TherapyProtocol
from nmguard.errors import InputError
from nmguard.rules.therapy_course import Constraint, Criterion, cumulative_organ_doses, evaluate_eligibility

# Who may do what in the therapy area: the services refuse anyone else, and the pages show a form only to
# these roles (one table, so a page never offers what the service would refuse).
ROLES: dict[str, tuple[Role, ...]] = {
    "start_course": (Role.PHYSICIAN,),
    "check_eligibility": (Role.PHYSICIAN, Role.PHYSICIST),
    "record_doses": (Role.PHYSICIST, Role.PHYSICIAN),
    "run_dosimetry": (Role.PHYSICIST,),
}


def may(user, action: str) -> bool:
    """Whether ``user`` holds a role that may do ``action`` (a key of :data:`ROLES`)."""
    if not getattr(user, "is_authenticated", False):
        return False
    names = set(user.groups.values_list("name", flat=True))
    return bool(names & {r.value for r in ROLES[action]})


_DOING = {
    "start_course": "Starting a therapy course",
    "check_eligibility": "Checking eligibility",
    "record_doses": "Recording cycle doses",
    "run_dosimetry": "Starting or re-running a dosimetry run",
}


def refusal_text(action: str) -> str:
    """Why a request was refused: the roles that may do ``action``."""
    return f"{_DOING[action]} needs the role {' or '.join(r.label for r in ROLES[action])}."


def abilities(user) -> dict[str, bool]:
    """Every action of :data:`ROLES` → whether ``user`` may do it (for the templates)."""
    return {action: may(user, action) for action in ROLES}


def start_course(*, patient, protocol: TherapyProtocol, started_on: dt.date, user) -> TherapyCourse:
    """A course with its cycles planned at the protocol's interval."""
    require_role(user, *ROLES["start_course"], what="starting a therapy course")
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
    require_role(user, *ROLES["check_eligibility"], what="checking eligibility")
    criteria = [Criterion.from_dict(c) for c in cycle.course.protocol.criteria]
    result = evaluate_eligibility(criteria, values)
    with transaction.atomic(), acting_as(user, reason=f"cycle {cycle.number} eligibility"):
        cycle.eligibility = result.as_dict()
        cycle.save()
    return cycle


def check_dosimetry_signoff(user) -> None:
    """Recording a cycle's doses signs them off into the patient's cumulative record: the competence block
    ("dosimetry_signoff") refuses a person whose competence or required training lapsed, today (local day)."""
    check_competence(user, "dosimetry_signoff", timezone.localdate(), field="user")


def record_cycle_doses(
    cycle: TherapyCycle,
    *,
    organ_doses_Gy: dict[str, float],
    method: str,
    user,
    reason: str = "",
    administration=None,
    job=None,
    voi_mapping: list | None = None,
    study_check: dict | None = None,
    mismatch_reason: str = "",
    password: str | None = None,
) -> CycleDoseRecord:
    """Organ doses of one cycle (label dosimetry of the administration, a dosimetry run, or typed in).

    A cycle that already has doses keeps them as history: the new record supersedes the current one and
    needs a ``reason``. A study mismatch (``mismatch_reason``) is accepted only with the recording user's
    e-signature (``password``), which is checked before anything is written.
    """
    require_role(user, *ROLES["record_doses"], what="recording cycle doses")
    check_dosimetry_signoff(user)
    if not method.strip():
        raise InputError("say how the doses were obtained", "method")
    for organ, dose in organ_doses_Gy.items():
        if dose is None or not isinstance(dose, int | float) or not dose >= 0 or dose == float("inf"):
            raise InputError(f"{organ}: dose must be a non-negative number of Gy", organ)
    check_organ_names(organ_doses_Gy, "doses" if job is None else "mapping")
    current = current_dose_record(cycle)
    if current is not None or cycle.organ_doses_Gy:
        if not reason.strip():
            raise InputError(
                f"cycle {cycle.number} already has doses ({cycle.dose_method}); say why these replace them", "reason"
            )
        reason = require_reason_of_substance(reason, "reason")
    if mismatch_reason:
        mismatch_reason = require_reason_of_substance(mismatch_reason, "mismatch_reason")
        if not password:
            raise InputError("accepting a mismatch needs your e-signature: enter your password", "password")
        from nmguard.apps.core.signatures import reauthenticate

        reauthenticate(user, password, cycle, "approved")  # a failed attempt stays in the audit trail
    why = f"cycle {cycle.number} doses ({method.strip()})" + (f": {reason.strip()}" if reason.strip() else "")
    with transaction.atomic(), acting_as(user, reason=why):
        record = CycleDoseRecord.objects.create(
            cycle=cycle,
            organ_doses_Gy={k: float(v) for k, v in organ_doses_Gy.items()},
            method=method.strip(),
            job=job,
            voi_mapping=voi_mapping or [],
            study_check=study_check or {},
            reason=reason.strip(),
            mismatch_reason=mismatch_reason.strip(),
            recorded_by=user,
        )
        if mismatch_reason:
            from nmguard.apps.core.signatures import sign

            record.override_signature = sign(
                record, user, password or "", "approved", f"study mismatch accepted: {mismatch_reason.strip()}"
            )
            record.save()
        if current is not None:
            current.superseded_by = record
            current.save()
        cycle.organ_doses_Gy = dict(record.organ_doses_Gy)
        cycle.dose_method = record.method
        if administration is not None:
            cycle.administration = administration
        cycle.save()
    return record


def eligibility_checks(cycle: TherapyCycle) -> list[dict]:
    """Every eligibility check of the cycle, oldest first, from the audit trail: a re-check replaces the
    cycle's current result, and the earlier ones stay readable (when, by whom, with which values)."""
    from nmguard.apps.core.models import AuditEvent

    checks: list[dict] = []
    events = AuditEvent.objects.filter(model_label=cycle._meta.label, object_id=str(cycle.pk)).order_by("seq")
    for event in events.select_related("actor"):
        after = (event.after or {}).get("eligibility")
        if after and after != (event.before or {}).get("eligibility"):
            checks.append({"at": event.at, "by": event.actor or event.actor_username, "result": after})
    return checks


def check_organ_names(organs, field: str) -> None:
    """Refuse an organ name that the synonyms know as part of another organ (e.g. "left kidney" for
    kidneys): the course compares constraints by organ, so a part recorded on its own is not counted."""
    from nmguard.reference.therapy_dosimetry import normalize_voi_name, organ_for_voi

    for organ in organs:
        whole = organ_for_voi(organ)
        if whole and normalize_voi_name(whole) != normalize_voi_name(organ):
            raise InputError(
                f"{organ!s} is recorded as {whole}: give the dose of {whole} "
                "(for several parts, their mass-weighted mean)",
                field,
            )


def current_dose_record(cycle: TherapyCycle) -> CycleDoseRecord | None:
    """The record whose doses the cycle holds now (None: no doses recorded)."""
    return cycle.dose_records.filter(superseded_by__isnull=True).order_by("-created_at", "-pk").first()


def doses_from_administration(administration) -> dict[str, float]:
    """Label organ doses stored with a therapy administration (Gy per organ)."""
    return {o["organ"]: o["dose_Gy"] for o in administration.organ_doses}


def course_summary(course: TherapyCourse):
    """Cumulative organ doses against the protocol's constraints, cycle by cycle (cycles with doses).

    The doses are each cycle's current record, i.e. the organs as mapped when the doses were recorded.
    """
    constraints = [Constraint.from_dict(c) for c in course.protocol.constraints]
    cycles = [c.organ_doses_Gy for c in course.cycle_records.order_by("number") if c.organ_doses_Gy]
    return cumulative_organ_doses(cycles, constraints)


def summary_rows(course: TherapyCourse) -> list[dict]:
    """The course table: per organ the cumulative dose, its constraint and the percentage of it."""
    return [
        {
            "organ": s.organ,
            "cumulative_Gy": s.cumulative_Gy[-1] if s.cumulative_Gy else None,
            "limit_Gy": s.limit_Gy,
            "source": s.source,
            "percent_of_limit": None if s.fraction_of_limit is None else 100.0 * s.fraction_of_limit,
            "exceeded_at_cycle": s.exceeded_at_cycle,
        }
        for s in course_summary(course)
    ]
