"""Demo audits: the sample checklist audited last year (self-assessment) and this year (external), both
finalised by e-signature, with findings raised as corrective actions (last year's one overdue), evidence from
a QC result and a batch, and a DRL clinical audit with its re-audit. Dates count back from today: safe at any
hour."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.roles import Role
from nmguard.apps.quality import audit_services as s
from nmguard.apps.quality.clinical_audit import run_clinical_audit

# Levels per item: last year's self-assessment, then this year's external audit (None: not applicable).
LAST_YEAR = {
    "1.1": 3, "1.2": 2, "1.3": 1, "1.4": 3, "2.1": 4, "2.2": 3, "2.3": 2, "2.4": 4, "3.1": 3, "3.2": 4,
    "3.3": 2, "4.1": 3, "4.2": 4, "4.3": None, "5.1": 3, "5.2": 1, "5.3": 2,
}  # fmt: skip
THIS_YEAR = {
    "1.1": 4, "1.2": 3, "1.3": 2, "1.4": 3, "2.1": 4, "2.2": 4, "2.3": 3, "2.4": 4, "3.1": 3, "3.2": 4,
    "3.3": 3, "4.1": 4, "4.2": 4, "4.3": None, "5.1": 4, "5.2": 3, "5.3": 2,
}  # fmt: skip
NOTES = {
    "1.2": "The quality manual is a draft; staff have not been told where it is.",
    "1.3": "No written agreement with the oncology and cardiology departments.",
    "5.2": "No DRL audit in the last two years.",
    "5.3": "Report turnaround not measured; no peer review of reports.",
}


def _evidence(audit, user) -> None:
    """A QC result for the QC schedule item and a batch for the batch-record item, when the demo has them."""
    from nmguard.apps.equipment.models import QCResult
    from nmguard.apps.radiopharmacy.models import Batch

    for item_id, model, label in (("3.2", QCResult, "equipment.QCResult"), ("4.1", Batch, "radiopharmacy.Batch")):
        record = model.objects.order_by("-pk").first()
        if record is not None:
            s.attach_evidence(audit.answers.get(item_id=item_id), label, str(record.pk), user)


def _audit(checklist, levels, *, mode, day, auditors, user, password, owner, overdue=False):
    audit = s.start_audit(checklist, mode=mode, audited_on=day, auditors=auditors, user=user)
    for item_id, level in levels.items():
        s.answer_item(audit, item_id, level, NOTES.get(item_id, ""), user)
    _evidence(audit, user)
    for item_id, level in s.pending_findings(audit):
        note = NOTES.get(item_id, f"Item {item_id} at level {level}.")
        finding = s.raise_finding(audit, item_id=item_id, note=note, owner=owner,
                                  due_on=timezone.localdate() + dt.timedelta(days=60), user=user)  # fmt: skip
        if overdue:  # raised a year ago: its due date has passed (demo history, said in the reason)
            action = finding.action
            with acting_as(user, reason="demo history: action raised at last year's audit, due date passed"):
                action.due_on = timezone.localdate() - dt.timedelta(days=30)
                action.save()
            overdue = False  # one overdue action is enough to show
    s.finalise(audit, user, password)
    return audit


def load_audit_demo(users: dict, passwords: dict) -> None:
    qm, password = users[Role.QUALITY_MANAGER], passwords[Role.QUALITY_MANAGER]
    today = timezone.localdate()
    checklist = s.shipped_checklist(user=qm)
    _audit(checklist, LAST_YEAR, mode="self", day=today - dt.timedelta(days=365), auditors="Quentin Quality",
           user=qm, password=password, owner=qm, overdue=True)  # fmt: skip
    _audit(checklist, THIS_YEAR, mode="external", day=today - dt.timedelta(days=7),
           auditors="External team: J. Peer (physician), M. Phys (physicist)", user=qm, password=password,
           owner=users[Role.PHYSICIST])  # fmt: skip
    first = run_clinical_audit("drl-compliance", period_start=today - dt.timedelta(days=365),
                               period_end=today - dt.timedelta(days=183), standard_percent=90, user=qm,
                               notes="Baseline before the protocols' activities were reviewed.")  # fmt: skip
    run_clinical_audit("drl-compliance", period_start=today - dt.timedelta(days=182), period_end=today,
                       standard_percent=90, user=qm, re_audit_of=first,
                       notes="Re-audit after the activity review.")  # fmt: skip
