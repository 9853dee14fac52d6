"""Clinical audit: a criterion measured over a period from NMGuard's own records against a standard (target %),
and the re-audit loop. Each criterion is computed, never typed; its query's definition is stored and shown.

Shipped criteria:
* ``drl-compliance``: adult administrations at or below their protocol's DRL (the adults and the period as the
  DRL page selects them: :mod:`nmguard.apps.patients.drl`).
* ``paediatric-card``: children's administrations at or below the activity their protocol's paediatric card
  gives for their weight (the prescription rule itself: ``rules.protocol_activity``).
* ``medical-event-report``: medical events detected in the period reported (signed "reported") by their first
  reporting deadline.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.models import Signature
from nmguard.apps.patients.drl import adults_and_children, period_rows
from nmguard.apps.patients.models import Administration, MedicalEvent, Protocol
from nmguard.apps.patients.services import protocol_rule
from nmguard.apps.quality.audit_models import ClinicalAudit
from nmguard.apps.quality.audit_services import check_may_write
from nmguard.errors import InputError
from nmguard.input_bounds import check_date, check_number, check_text
from nmguard.rules.protocol_activity import ADULT_AGE_YEARS, protocol_activity


@dataclass(frozen=True)
class Measurement:
    numerator: int
    denominator: int
    details: list[dict] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        return 100.0 * self.numerator / self.denominator if self.denominator else None


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period's local days as instants [start 00:00, day after end 00:00)."""
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return since, until


def drl_compliance(start: dt.date, end: dt.date) -> Measurement:
    protocols = list(Protocol.objects.filter(drl_MBq__gt=0))
    since, until = _bounds(start, end)
    rows = period_rows([p.pk for p in protocols], since).filter(administered_at__lt=until)
    adults, _children = adults_and_children(rows, since)
    details, met, total = [], 0, 0
    for protocol in protocols:
        values = adults.get(protocol.pk)
        if values is None or not len(values):
            continue
        within = int((values <= protocol.drl_MBq * 1e6).sum())
        met, total = met + within, total + len(values)
        details.append(
            {"group": protocol.name, "met": within, "n": int(len(values)), "limit": f"DRL {protocol.drl_MBq:g} MBq"}
        )
    return Measurement(met, total, details)


def paediatric_card(start: dt.date, end: dt.date) -> Measurement:
    since, until = _bounds(start, end)
    rows = (
        Administration.objects.filter(
            administered_at__gte=since, administered_at__lt=until, administered_activity_Bq__gt=0
        )
        .exclude(prescription__protocol__paediatric_method=Protocol.PaediatricMethod.NONE)
        .select_related("prescription__patient", "prescription__protocol")
    )
    groups: dict[str, dict] = {}
    met = total = 0
    for adm in rows.iterator():
        presc = adm.prescription
        age = presc.patient.age_years(timezone.localdate(adm.administered_at))
        if age >= ADULT_AGE_YEARS or not presc.weight_kg:
            continue
        card = protocol_activity(protocol_rule(presc.protocol), age, presc.weight_kg).activity_MBq
        tolerance = presc.protocol.tolerance_percent or 0.0
        ok = adm.administered_activity_Bq / 1e6 <= card * (1 + tolerance / 100.0)
        group = groups.setdefault(
            presc.protocol.name,
            {
                "group": presc.protocol.name,
                "met": 0,
                "n": 0,
                "limit": f"card activity + {tolerance:g} %",
                "not_met": [],
            },
        )
        group["n"] += 1
        total += 1
        if ok:
            group["met"] += 1
            met += 1
        else:
            group["not_met"].append(
                f"administration {adm.pk}: {adm.administered_activity_Bq / 1e6:.4g} MBq, "
                f"card {card:.4g} MBq at {presc.weight_kg:g} kg"
            )
    return Measurement(met, total, list(groups.values()))


def medical_event_report(start: dt.date, end: dt.date) -> Measurement:
    since, until = _bounds(start, end)
    events = list(MedicalEvent.objects.filter(detected_at__gte=since, detected_at__lt=until).order_by("detected_at"))
    reported = dict(
        Signature.objects.filter(
            model_label=MedicalEvent._meta.label, meaning="reported", object_id__in=[str(e.pk) for e in events]
        )
        .order_by("-signed_at")
        .values_list("object_id", "signed_at")
    )
    now, met, total, hours, not_met = timezone.now(), 0, 0, [], []
    for event in events:
        dues = [dt.datetime.fromisoformat(s["due"]) for s in event.reporting_steps if s.get("due")]
        due = min(dues) if dues else None
        at = reported.get(str(event.pk))
        if at is None and (due is None or due > now):
            continue  # not reported and not yet due: neither met nor missed
        total += 1
        if at is not None:
            hours.append((at - event.detected_at).total_seconds() / 3600)
        if at is not None and (due is None or at <= due):
            met += 1
        else:
            not_met.append(
                f"medical event {event.pk}: "
                + (f"reported {at:%Y-%m-%d %H:%M}" if at else "not reported")
                + (f", due {due:%Y-%m-%d %H:%M}" if due else "")
            )
    median = statistics.median(hours) if hours else None
    group = {
        "group": "medical events",
        "met": met,
        "n": total,
        "limit": "first reporting deadline",
        "median_hours_to_report": median,
        "not_met": not_met,
    }
    return Measurement(met, total, [group] if total else [])


@dataclass(frozen=True)
class Criterion:
    key: str
    title: str
    definition: str
    measure: Callable[[dt.date, dt.date], Measurement]


CRITERIA = {
    c.key: c
    for c in (
        Criterion(
            "drl-compliance",
            "Adult administrations within the protocol's DRL",
            "Denominator: administrations in the period (administered activity above 0) under a protocol that "
            "has a DRL, to patients 18 years or older on the day (as the DRL page selects them). Numerator: "
            "those with administered activity at or below the protocol's DRL (MBq).",
            drl_compliance,
        ),
        Criterion(
            "paediatric-card",
            "Children's administrations within the paediatric card",
            "Denominator: administrations in the period to patients under 18 on the day, with a weight, under a "
            "protocol with a paediatric card (EANM 2016 or North American 2016). Numerator: those at or below "
            "the activity the protocol's card gives for the weight (the prescription rule), plus the protocol's "
            "tolerance where it sets one.",
            paediatric_card,
        ),
        Criterion(
            "medical-event-report",
            "Medical events reported by their first deadline",
            "Denominator: medical events detected in the period that were reported or whose first reporting "
            "deadline has passed. Numerator: those signed 'reported' at or before their first reporting "
            "deadline. The median hours from detection to the report are shown.",
            medical_event_report,
        ),
    )
}


def run_clinical_audit(
    criterion: str,
    *,
    period_start: dt.date,
    period_end: dt.date,
    standard_percent,
    user,
    re_audit_of: ClinicalAudit | None = None,
    notes: str = "",
) -> ClinicalAudit:
    """Measure ``criterion`` over the period and store it (a re-audit names the audit it repeats)."""
    check_may_write(user)
    found = CRITERIA.get(criterion)
    if found is None:
        raise InputError(f"criterion: one of {', '.join(CRITERIA)}", "criterion")
    for value, name in ((period_start, "period_start"), (period_end, "period_end")):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise InputError(f"{name}: a date expected", name)
        check_date(value, name, latest=timezone.localdate())
    if period_end < period_start:
        raise InputError("period_end: before the period's start", "period_end")
    standard = check_number(standard_percent, "standard_percent", low=0.0, high=100.0, unit="%")
    notes = check_text(notes or "", "notes").strip()
    same = ClinicalAudit.objects.filter(
        criterion=criterion, period_start=period_start, period_end=period_end, standard_percent=standard
    ).first()
    if same is not None:  # the form sent twice, or the back button: the same measurement stored once
        raise InputError(
            f"period_start: CA-{same.pk} measured this criterion over this period already; open it, or re-audit a "
            "later period from it",
            "period_start",
        )
    if re_audit_of is not None:
        if re_audit_of.criterion != criterion:
            raise InputError("re_audit_of: a re-audit repeats an audit of the same criterion", "re_audit_of")
        if period_start <= re_audit_of.period_end:
            raise InputError("period_start: a re-audit's period starts after the audit it repeats", "period_start")
    result = found.measure(period_start, period_end)
    with transaction.atomic(), acting_as(user, reason=f"clinical audit {criterion} {period_start}–{period_end}"):
        return ClinicalAudit.objects.create(
            criterion=criterion,
            title=found.title,
            standard_percent=standard,
            period_start=period_start,
            period_end=period_end,
            numerator=result.numerator,
            denominator=result.denominator,
            measured_percent=result.percent,
            definition=found.definition,
            details=result.details,
            re_audit_of=re_audit_of,
            notes=notes,
            computed_by=user,
        )


def audit_loop(audit: ClinicalAudit) -> list[ClinicalAudit]:
    """The audit and its re-audits, first to last (from any member of the loop)."""
    first = audit
    while first.re_audit_of_id is not None:
        first = first.re_audit_of
    chain, current = [first], first
    while True:
        nxt = current.re_audits.order_by("period_start", "pk").first()
        if nxt is None:
            return chain
        chain.append(nxt)
        current = nxt
