"""Audit runs: started on a checklist, answered item by item with evidence, scored, compared with the previous
audit of the same checklist, findings raised as corrective actions, finalised by e-signature (then read-only).

The pages and the API call these functions only, so both check the same things. Writes need the permission
``quality.change_audit`` (quality manager, administrator); findings are raised through
:func:`nmguard.apps.quality.capa_services.raise_action`, which checks its own roles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.db import transaction
from django.template.defaultfilters import floatformat
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.signatures import reauthenticate, sign
from nmguard.apps.quality import capa_services
from nmguard.apps.quality.audit_models import Audit, AuditAnswer, AuditChecklist, AuditEvidence, AuditFinding
from nmguard.errors import InputError
from nmguard.input_bounds import check_date, check_text
from nmguard.reference import audit_checklists as ac

WRITE_PERMISSION = "quality.change_audit"
FINDING_SOURCE = "audit finding"
# Records that may be shown as evidence: QC results and batches now; the training and document parts' records
# once their models exist (a label that is not installed is simply not offered).
EVIDENCE_MODELS = (
    "equipment.QCResult",
    "radiopharmacy.Batch",
    "quality.TrainingRecord",
    "quality.ControlledDocument",
    "quality.CorrectiveAction",
)


def check_may_write(user) -> None:
    """Refuse (InputError on ``user``) a person who may not write audits."""
    if user is None or not user.is_active or not user.has_perm(WRITE_PERMISSION):
        name = getattr(user, "username", "nobody")
        raise InputError(f"{name} may not write audits (roles: quality manager, administrator)", "user")


def checklist_of(audit: Audit) -> ac.Checklist:
    return ac.checklist_from_dict(audit.checklist.definition, f"audit {audit.pk}")


def store_checklist(checklist: ac.Checklist, origin: str, user=None) -> AuditChecklist:
    """Store a checklist version (the same key and version stored already: that one, if identical)."""
    definition = checklist.to_dict()
    stored = AuditChecklist.objects.filter(key=checklist.id, version=checklist.version).first()
    if stored is not None:
        if stored.definition != definition:
            raise InputError(
                f"file: checklist {checklist.id} version {checklist.version} exists with other items; "
                "give the file a new version",
                "file",
            )
        return stored
    with acting_as(user, reason=f"audit checklist stored: {checklist.id} v{checklist.version}"):
        return AuditChecklist.objects.create(
            key=checklist.id,
            version=checklist.version,
            title=checklist.title,
            definition=definition,
            origin=origin[:200],
            imported_by=user,
        )


def import_checklist(text: str, filename: str, user, *, checklist_id: str = "", title: str = "") -> AuditChecklist:
    """A department's checklist from a TOML or CSV file (CSV needs an id and a title); errors by row."""
    check_may_write(user)
    if filename.lower().endswith(".csv"):
        checklist_id = check_text(checklist_id or "", "checklist_id", max_length=60, required=True).strip()
        title = check_text(title or "", "title", max_length=200, required=True).strip()
        checklist = ac.parse_csv(text, checklist_id=checklist_id, title=title)
    elif filename.lower().endswith(".toml"):
        checklist = ac.parse_toml(text)
    else:
        raise InputError("file: a .toml or .csv file expected", "file")
    return store_checklist(checklist, filename, user)


def shipped_checklist(key: str = "nmguard-sample", user=None) -> AuditChecklist:
    """The packaged checklist ``key``, stored on first use."""
    found = ac.shipped_checklists().get(key)
    if found is None:
        raise InputError(f"checklist: no shipped checklist {key!r}", "checklist")
    return store_checklist(found, "shipped with NMGuard", user)


def start_audit(
    checklist: AuditChecklist,
    *,
    mode: str,
    audited_on: dt.date,
    auditors: str,
    user,
    scope: str = "",
    confirm_date: bool | None = None,
) -> Audit:
    """A draft audit. ``confirm_date``: the form and the API pass whether the user ticked "I checked the date"; a
    date more than a year back (1926 for 2026 would become every later audit's "previous") then needs it. Callers
    that ask no such question (``None``: the demo, an import of past audits) are not checked."""
    check_may_write(user)
    if mode not in Audit.Mode.values:
        raise InputError(f"mode: one of {', '.join(Audit.Mode.values)}", "mode")
    if not isinstance(audited_on, dt.date) or isinstance(audited_on, dt.datetime):
        raise InputError("audited_on: a date expected", "audited_on")
    check_date(audited_on, "audited_on", latest=timezone.localdate() + dt.timedelta(days=366))
    if confirm_date is False and audited_on < timezone.localdate() - capa_services.YEAR_CHECK:
        raise InputError(
            f"audited_on: {audited_on.isoformat()} is more than a year back: check the year, "
            "or tick that you checked the date",
            "audited_on",
        )
    auditors = check_text(auditors or "", "auditors", max_length=300, required=True).strip()
    scope = check_text(scope or "", "scope").strip()
    same = Audit.objects.filter(
        checklist=checklist, mode=mode, audited_on=audited_on, auditors=auditors, status=Audit.Status.DRAFT
    ).first()
    if same is not None:  # the form sent twice (double click, back button): one audit, not two drafts
        raise InputError(
            f"audited_on: {same.reference} of {audited_on:%Y-%m-%d} by these auditors is open already; answer it there",
            "audited_on",
        )
    with acting_as(user, reason=f"audit started: {checklist.key} ({mode})"):
        return Audit.objects.create(
            checklist=checklist, mode=mode, audited_on=audited_on, auditors=auditors, scope=scope, created_by=user
        )


def _check_open(audit: Audit) -> None:
    if audit.status != Audit.Status.DRAFT:
        raise InputError(f"{audit.reference} is finalised and read-only", "audit")


def answer_item(audit: Audit, item_id: str, level, comment: str, user) -> AuditAnswer:
    """Set (or change) the level of one item; None or "na" is not applicable."""
    check_may_write(user)
    _check_open(audit)
    known = {i.id for _, i in checklist_of(audit).items()}
    if item_id not in known:
        raise InputError(f"item_id: {item_id!r} is not an item of this checklist", "item_id")
    value = ac.check_level(level)
    comment = check_text(comment or "", "comment").strip()
    with transaction.atomic(), acting_as(user, reason=f"{audit.reference} item {item_id} answered"):
        answer, created = AuditAnswer.objects.get_or_create(
            audit=audit, item_id=item_id, defaults={"level": value, "comment": comment, "answered_by": user}
        )
        if not created and (answer.level, answer.comment) != (value, comment):
            answer.level, answer.comment, answer.answered_by = value, comment, user
            answer.save()
    return answer


def evidence_models() -> list[str]:
    """The evidence labels whose model is installed now."""
    out = []
    for label in EVIDENCE_MODELS:
        try:
            django_apps.get_model(label)
        except LookupError:
            continue
        out.append(label)
    return out


def attach_evidence(answer: AuditAnswer, model_label: str, object_pk: str, user) -> AuditEvidence:
    """Link an existing record to an answer by (model label, key), its label read from the record."""
    check_may_write(user)
    _check_open(answer.audit)
    if model_label not in evidence_models():
        raise InputError(f"model_label: one of {', '.join(evidence_models())}", "model_label")
    model = django_apps.get_model(model_label)
    try:
        record = model.objects.get(pk=str(object_pk).strip())
    except (model.DoesNotExist, ValueError, TypeError):
        raise InputError(f"object_pk: no {model._meta.verbose_name} {object_pk!r}", "object_pk") from None
    with acting_as(user, reason=f"{answer.audit.reference} item {answer.item_id}: evidence {model_label} {record.pk}"):
        return AuditEvidence.objects.create(
            answer=answer, model_label=model_label, object_pk=str(record.pk), label=str(record)[:300], added_by=user
        )


def levels_of(audit: Audit) -> dict[str, int | None]:
    return dict(audit.answers.values_list("item_id", "level"))


def audit_score(audit: Audit) -> ac.Score:
    return ac.score(checklist_of(audit), levels_of(audit))


def previous_audit(audit: Audit) -> Audit | None:
    """The latest earlier audit of the same checklist (same key, any version)."""
    return (
        Audit.objects.filter(checklist__key=audit.checklist.key)
        .filter(audited_on__lt=audit.audited_on)
        .exclude(pk=audit.pk)
        .order_by("-audited_on", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Comparison:
    previous: Audit | None
    previous_score: ac.Score | None
    per_item: dict[str, str]


def comparison(audit: Audit) -> Comparison:
    before = previous_audit(audit)
    if before is None:
        return Comparison(None, None, {})
    return Comparison(before, audit_score(before), ac.compare(levels_of(audit), levels_of(before)))


def pending_findings(audit: Audit) -> list[tuple[str, int]]:
    """Items answered below the checklist's finding level and not yet raised, as (item id, level)."""
    below = checklist_of(audit).finding_below
    raised = set(audit.findings.values_list("item_id", flat=True))
    return [
        (a.item_id, a.level)
        for a in audit.answers.all()
        if a.level is not None and a.level < below and a.item_id not in raised
    ]


def raise_finding(
    audit: Audit, *, item_id: str, note: str, owner, due_on: dt.date, user, confirm_due: bool | None = None
) -> AuditFinding:
    """A finding (an item below the level, or an auditor's note with no item) and its corrective action,
    raised through the CAPA service with source "audit finding" and the audit's reference. ``confirm_due`` as
    :func:`capa_services.raise_action` (the page and the API ask it: a mistyped 2062 would never fall overdue)."""
    check_may_write(user)
    note = check_text(note or "", "note", required=True).strip()
    texts = {i.id: i.text for _, i in checklist_of(audit).items()}
    if item_id and item_id not in texts:
        raise InputError(f"item_id: {item_id!r} is not an item of this checklist", "item_id")
    if item_id and audit.findings.filter(item_id=item_id).exists():
        raise InputError(f"item_id: a finding on item {item_id} is raised already", "item_id")
    title = f"{audit.reference} item {item_id}: {texts[item_id]}" if item_id else f"{audit.reference}: {note}"
    with transaction.atomic(), acting_as(user, reason=f"{audit.reference} finding {item_id or 'note'} raised"):
        action = capa_services.raise_action(
            title=title[:200],
            source=FINDING_SOURCE,
            source_ref=audit.reference,
            owner=owner,
            due_on=due_on,
            user=user,
            description=note,
            confirm_due=confirm_due,
        )
        return AuditFinding.objects.create(audit=audit, item_id=item_id or "", note=note, action=action, raised_by=user)


def percent_text(value: float | None) -> str:
    """A conformance as the page prints it (Django's ``floatformat:1``, half up: 81.25 → 81.3), "no applicable
    item" for None: one rounding for the page, the PDF and the signed statement."""
    return "no applicable item" if value is None else f"{floatformat(value, 1)} %"


def finalise(audit: Audit, user, password: str) -> Audit:
    """Finalise by e-signature ("approved"): every item answered (a level or N/A); read-only afterwards."""
    check_may_write(user)
    _check_open(audit)
    missing = [i.id for _, i in checklist_of(audit).items() if i.id not in levels_of(audit)]
    if missing:
        raise InputError(f"audit: items not answered: {', '.join(missing)}", "audit")
    reauthenticate(user, password, audit, "approved")  # outside the transaction: a failure is kept
    with transaction.atomic(), acting_as(user, reason=f"{audit.reference} finalised"):
        stored = Audit.objects.select_for_update().get(pk=audit.pk)
        _check_open(stored)
        stored.status = Audit.Status.FINAL
        stored.save()
        summary = audit_score(stored).overall_percent
        stored.signature = sign(
            stored,
            user,
            password,
            "approved",
            f"{stored.reference} finalised, overall conformance {percent_text(summary)}"
            if summary is not None
            else f"{stored.reference} finalised",
        )
        stored.save(update_fields=["signature", "updated_at"])
    return stored
