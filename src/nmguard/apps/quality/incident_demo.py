"""Demo incidents and actions: a year of incidents and near misses across every stage and severity (reported by
every role but read-only, at local noon of past days so any hour of loading is safe), the older ones investigated
and closed by the quality manager's e-signature, actions open, overdue and closed; one incident linked to the
demo's open protection event, one to a medical event and one to the failed QC result where the demo has them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.roles import Role
from nmguard.apps.equipment.models import QCResult
from nmguard.apps.patients.models import MedicalEvent
from nmguard.apps.protection.event_models import ProtectionEvent
from nmguard.apps.quality import capa_services as capa
from nmguard.apps.quality import incident_services as incidents
from nmguard.apps.quality.capa_escalation import run_escalation

# (stage, severity, what happened, immediate action, factors, shareable); no names in any text
CASES = [
    (
        "preparation",
        "near_miss",
        "Syringe drawn with 20 % more activity than prescribed; caught at the calibrator.",
        "Activity adjusted and re-measured before release.",
        ["workload"],
        True,
    ),
    (
        "administration",
        "minor",
        "Partial extravasation of a bone-scan injection noticed on the images.",
        "Arm elevated, the nuclear-medicine doctor informed, note added to the report.",
        ["procedure"],
        True,
    ),
    (
        "scheduling",
        "no_harm",
        "Patient booked for a thyroid scan while still on thyroid hormone.",
        "Scan postponed and rebooked after the withdrawal period.",
        ["communication"],
        True,
    ),
    (
        "ordering",
        "near_miss",
        "Request for a bone scan on the wrong side of a duplicated record.",
        "Request returned to the referrer; record merge requested.",
        ["identification"],
        False,
    ),
    (
        "imaging",
        "minor",
        "Wrong collimator on a Tc-99m study; images of poor resolution.",
        "Study repeated the same day with the LEHR collimator.",
        ["procedure", "training"],
        True,
    ),
    (
        "reporting",
        "no_harm",
        "Report sent to the previous referrer.",
        "Report resent to the right referrer; the wrong copy withdrawn.",
        ["communication"],
        True,
    ),
    (
        "therapy",
        "moderate",
        "Lu-177 therapy given two days after a missed pregnancy-test result was filed.",
        "Result checked (negative); patient informed; check moved before the therapy day.",
        ["procedure"],
        False,
    ),
    (
        "waste",
        "near_miss",
        "Waste bag labelled as decayed one week before its release date.",
        "Bag returned to the decay store with a new label.",
        ["labelling"],
        True,
    ),
    (
        "preparation",
        "minor",
        "Radiochemical purity test skipped under time pressure; the kit was used.",
        "Purity tested on the residue afterwards: within limits.",
        ["workload", "procedure"],
        True,
    ),
    (
        "administration",
        "near_miss",
        "Second patient called with the same family name at the injection room.",
        "Identity checked with date of birth before injection; nothing given.",
        ["identification"],
        False,
    ),
    (
        "therapy",
        "severe",
        "I-131 therapy activity given instead of the diagnostic activity that was prescribed.",
        "Referrer and RPO informed, dose estimate made, regulator notified, follow-up arranged.",
        ["communication", "procedure"],
        False,
    ),
]
DAYS_BACK = 12  # one incident every 12 days: 30 over the last year


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _backdate_due(action, due: dt.date, user) -> None:
    """The demo's actions were raised months ago: their due dates lie in the past (audited as such)."""
    with acting_as(user, reason="demo: action raised earlier, due date in the past"):
        action.due_on = due
        action.save(update_fields=["due_on", "updated_at"])


def load_incident_demo(users: dict, passwords: dict) -> None:
    """About 30 incidents over the last 12 months with investigations, closures and actions."""
    qm, qm_password = users[Role.QUALITY_MANAGER], passwords[Role.QUALITY_MANAGER]
    rpo = users[Role.RPO]
    reporters = [users[r] for r in Role if r is not Role.READ_ONLY]
    owners = [users[Role.TECHNOLOGIST], users[Role.RADIOPHARMACIST], users[Role.PHYSICIST]]
    today = timezone.localdate()
    links = {
        "protection_event": ProtectionEvent.objects.filter(status="open").order_by("-occurred_at").first(),
        "medical_event": MedicalEvent.objects.order_by("-detected_at").first(),
        "qc_result": QCResult.objects.exclude(outcome=QCResult.Outcome.OK).order_by("-performed_at").first(),
    }
    made = []
    for n in range(30):
        stage, severity, what, immediate, factors, shareable = CASES[n % len(CASES)]
        day = today - dt.timedelta(days=1 + DAYS_BACK * (29 - n))
        values = {
            "occurred_at": _noon(day),
            "location": ["Hot lab", "Injection room 2", "Camera room 1", "Reception", "Therapy ward"][n % 5],
            "stage": stage,
            "severity": severity,
            "near_miss": severity == "near_miss",
            "description": what,
            "immediate_action": immediate,
            "shareable": shareable,
        }
        made.append((incidents.report_incident(values, reporters[n % len(reporters)]), factors, day))

    for field, record in links.items():  # the three links, on recent incidents still open
        if record is not None:
            target = made[-2 - list(links).index(field)][0]
            investigator = rpo if field == "protection_event" else qm
            incidents.link_records(target, investigator, {field: record})

    for n, (incident, factors, day) in enumerate(made):
        age = (today - day).days
        if age < 45:
            continue  # recent: still reported, waiting for investigation
        incident = incidents.investigate(
            incident,
            qm,
            root_cause="Check missing or skipped at this step; see the contributing factors.",
            factors=factors,
            lessons="Discussed at the monthly safety huddle; the checklist step was reinforced.",
        )
        if n % 3 == 0:
            action = incidents.raise_incident_action(
                incident, qm, title=f"Add an independent check at the {incident.stage} step", owner=owners[n % 3],
                due_on=today,
            )  # fmt: skip
            if age > 200:  # done, checked and signed
                _backdate_due(action, day + dt.timedelta(days=30), qm)
                action = capa.mark_done(action, action.owner, "Checklist updated and briefed")
                action = capa.record_effectiveness(action, qm, "Three months of reports: no recurrence", True)
                capa.close_action(action, qm, qm_password)
            elif age > 90:  # overdue: the escalation below writes its notifications
                _backdate_due(action, today - dt.timedelta(days=age - 60), qm)
            else:  # open, due within the coming weeks
                _backdate_due(action, today + dt.timedelta(days=21), qm)
        if age > 120:
            incidents.close_incident(incident, qm, qm_password)
    run_escalation(qm, today)
