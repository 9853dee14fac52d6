"""Incidents and near misses: reported by any member of staff (few fields), investigated and closed by the quality
manager or the RPO (closure by e-signature), actions raised as CAPAs; never deleted, every change audited.

The pages and the API call these functions only, so both check the same things. Who investigates is checked here
with :func:`nmguard.apps.core.guards.require_role` (the quality manager and the RPO), not by a model permission:
the RPO has no write permission on the quality app.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.guards import check_not_future, require_role
from nmguard.apps.core.roles import Role
from nmguard.apps.core.signatures import reauthenticate, sign
from nmguard.apps.equipment.models import QCResult
from nmguard.apps.patients.models import MedicalEvent
from nmguard.apps.protection.event_models import ProtectionEvent
from nmguard.apps.quality.capa_models import CorrectiveAction
from nmguard.apps.quality.capa_services import YEAR_CHECK, raise_action
from nmguard.apps.quality.incident_models import Incident
from nmguard.errors import InputError
from nmguard.input_bounds import check_instant, check_text
from nmguard.reference.incident_taxonomy import incident_taxonomy

REPORT_PERMISSION = "quality.add_incident"
INVESTIGATORS = (Role.QUALITY_MANAGER, Role.RPO)
SOURCE = "incident"
_LINKS = {"medical_event": MedicalEvent, "protection_event": ProtectionEvent, "qc_result": QCResult}


def _code(value, kind: str, field: str) -> str:
    terms = getattr(incident_taxonomy(), kind)
    if value not in {t.code for t in terms}:
        raise InputError(f"{field}: one of {', '.join(t.code for t in terms)}", field)
    return value


def _link(values: dict, field: str):
    """An optional link given as the record or its id; a QC result only when it was out of tolerance."""
    value = values.get(field)
    if value in (None, ""):
        return None
    model = _LINKS[field]
    if isinstance(value, model):
        record = value
    else:
        try:
            record = model.objects.filter(pk=int(value)).first() if 0 < int(value) < 2**63 else None
        except (TypeError, ValueError):
            record = None
        if record is None:
            raise InputError(f"{field}: no such record", field)
    if field == "qc_result" and record.outcome == QCResult.Outcome.OK:
        raise InputError("qc_result: this QC result was within tolerance; link a failed one", field)
    return record


def _check_report(values: dict) -> dict:
    """The report's fields checked (the field named in the error)."""
    occurred = values.get("occurred_at")
    if not isinstance(occurred, dt.datetime):
        raise InputError("occurred_at: a date and time expected", "occurred_at")
    check_instant(occurred, "occurred_at")
    check_not_future(occurred, "occurred_at")
    if timezone.now() - occurred > YEAR_CHECK and not values.get("confirm_date"):
        raise InputError(
            f"occurred_at: {timezone.localtime(occurred):%Y-%m-%d} is more than a year ago: check the year, "
            "or tick that you checked the date",
            "occurred_at",
        )
    near_miss = values.get("near_miss")
    if not isinstance(near_miss, bool):
        raise InputError("near_miss: yes or no", "near_miss")
    severity = _code(values.get("severity"), "severities", "severity")
    if near_miss != (severity == "near_miss"):
        raise InputError("severity: 'Near miss' is the severity of a near miss, and of a near miss only", "severity")
    return {
        "occurred_at": occurred,
        "location": check_text(values.get("location") or "", "location", max_length=200, required=True).strip(),
        "stage": _code(values.get("stage"), "stages", "stage"),
        "severity": severity,
        "near_miss": near_miss,
        "description": check_text(values.get("description") or "", "description", required=True).strip(),
        "immediate_action": check_text(values.get("immediate_action") or "", "immediate_action", required=True).strip(),
        "radiopharmaceutical": check_text(
            values.get("radiopharmaceutical") or "", "radiopharmaceutical", max_length=120
        ).strip(),
        "shareable": bool(values.get("shareable")),
        **{field: _link(values, field) for field in _LINKS},
    }


def _next_reference(year: int) -> str:
    prefix = f"IR-{year}-"
    last = (
        Incident.objects.select_for_update()
        .filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    return f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:03d}"


def _mark_protection_event(incident: Incident) -> None:
    """Fill the protection event's reserved ``incident_ref`` with this incident's reference (audited)."""
    event = incident.protection_event
    if event is not None and event.incident_ref != incident.reference:
        event.incident_ref = incident.reference
        event.save(update_fields=["incident_ref", "updated_at"])


def _refuse_duplicate(fields: dict, user) -> None:
    """The same person reporting the same event twice (a form sent twice, the back button): refused, naming the
    first report, so one event is counted once."""
    same = Incident.objects.filter(
        reported_by=user, occurred_at=fields["occurred_at"], description=fields["description"]
    ).first()
    if same is not None:
        raise InputError(f"description: you reported this already as {same.reference}; open it there", "description")


@transaction.atomic
def report_incident(values: dict, user) -> Incident:
    """Record a new incident or near miss (every role but read-only)."""
    if not user.has_perm(REPORT_PERMISSION):
        raise InputError("reporting an incident needs a staff account (read-only accounts cannot report)", "user")
    fields = _check_report(values)
    _refuse_duplicate(fields, user)
    reference = _next_reference(timezone.localtime(fields["occurred_at"]).year)
    with acting_as(user, reason=f"incident reported: {reference}"):
        incident = Incident.objects.create(**fields, reference=reference, reported_by=user)
        _mark_protection_event(incident)
    return incident


@transaction.atomic
def link_records(incident: Incident, user, values: dict) -> Incident:
    """Set or change the links to a medical event, a protection event and a failed QC result (investigators)."""
    require_role(user, *INVESTIGATORS, what="linking an incident to other records")
    stored = Incident.objects.select_for_update().get(pk=incident.pk)
    if stored.status == Incident.Status.CLOSED:
        raise InputError("status: the incident is closed", "status")
    with acting_as(user, reason=f"incident {stored.reference} linked"):
        for field in _LINKS:
            if field in values:
                setattr(stored, field, _link(values, field))
        stored.save()
        _mark_protection_event(stored)
    return stored


@transaction.atomic
def investigate(incident: Incident, user, *, root_cause: str, factors: list[str], lessons: str) -> Incident:
    """Write (or revise) the investigation: root cause, contributing factors (taxonomy codes), lessons shared."""
    require_role(user, *INVESTIGATORS, what="investigating an incident")
    root_cause = check_text(root_cause or "", "root_cause", required=True).strip()
    lessons = check_text(lessons or "", "lessons").strip()
    if not isinstance(factors, list | tuple):
        raise InputError("factors: a list of factor codes expected", "factors")
    factors = sorted({_code(f, "factors", "factors") for f in factors})
    stored = Incident.objects.select_for_update().get(pk=incident.pk)
    if stored.status == Incident.Status.CLOSED:
        raise InputError("root_cause: the incident is closed; its investigation cannot change", "root_cause")
    with acting_as(user, reason=f"incident {stored.reference} investigated"):
        stored.root_cause, stored.factors, stored.lessons = root_cause, factors, lessons
        stored.investigated_by, stored.status = user, Incident.Status.INVESTIGATING
        stored.save()
    return stored


def raise_incident_action(
    incident: Incident,
    user,
    *,
    title: str,
    owner,
    due_on: dt.date,
    kind: str = "corrective",
    confirm_due: bool | None = None,
):
    """A CAPA raised from the incident's investigation (investigators only), its source the incident's reference."""
    require_role(user, *INVESTIGATORS, what="raising an action from an incident")
    if incident.status == Incident.Status.CLOSED:
        raise InputError("title: the incident is closed; raise a new action from its CAPA page", "title")
    return raise_action(
        title=title,
        source=SOURCE,
        source_ref=incident.reference,
        owner=owner,
        due_on=due_on,
        user=user,
        kind=kind,
        confirm_due=confirm_due,
    )


def actions_for(incident: Incident) -> QuerySet[CorrectiveAction]:
    return CorrectiveAction.objects.filter(source=SOURCE, source_ref=incident.reference).select_related("owner")


def close_incident(incident: Incident, user, password: str) -> Incident:
    """Close by e-signature ("closed") once investigated: root cause written, and lessons or at least one action.
    Open actions stay open and are followed on their own pages (their closure is signed there)."""
    require_role(user, *INVESTIGATORS, what="closing an incident")
    if incident.status == Incident.Status.CLOSED:
        raise InputError(f"password: {incident.reference} is closed already", "password")
    if incident.status != Incident.Status.INVESTIGATING or not incident.root_cause:
        raise InputError("password: write the investigation (root cause) before closing", "password")
    if not incident.lessons and not actions_for(incident).exists():
        raise InputError("password: record the lessons shared or raise an action before closing", "password")
    reauthenticate(user, password, incident, "closed")  # outside the transaction: a failure is kept
    with transaction.atomic(), acting_as(user, reason=f"incident {incident.reference} closed"):
        stored = Incident.objects.select_for_update().get(pk=incident.pk)
        if stored.status != Incident.Status.INVESTIGATING:
            raise InputError("password: the incident changed meanwhile; reload it", "password")
        stored.status, stored.closed_at, stored.closed_by = Incident.Status.CLOSED, timezone.now(), user
        stored.save()
        stored.closure = sign(stored, user, password, "closed", f"Incident {stored.reference} closed")
        stored.save(update_fields=["closure", "updated_at"])
    return stored
