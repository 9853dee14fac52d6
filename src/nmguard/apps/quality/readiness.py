"""Accreditation readiness (issue 16 item 7): what EARL accreditation and an external QUANUM audit ask to see,
gathered from NMGuard's records on one day, each section with its gaps and each gap linking to the page where
it is fixed.

Training gaps are lapsed records and competences (the latest per person and training or task); which trainings
a role lacks altogether is the training part's own list, not repeated here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

EARL_TEST = "pet-image-quality"  # the catalogue's EARL / NEMA NU 2 image-quality phantom test


def link(name: str, *args) -> str | None:
    """The URL of a named page, or None when that page does not exist (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class Gap:
    text: str
    url: str | None


@dataclass
class Section:
    key: str
    title: str
    rows: list[dict] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


@dataclass(frozen=True)
class DeviceQC:
    device: object
    overdue: list  # DueItems overdue on the day
    valid_until: dt.date | None
    earl: object | None  # the latest EARL / NEMA image-quality QCResult


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def qc_section(day: dt.date) -> tuple[Section, list[DeviceQC]]:
    from nmguard.apps.equipment.models import Equipment, QCResult
    from nmguard.apps.equipment.qc_services import overdue_items

    overdue: dict[int, list] = {}
    for item in overdue_items(day):
        overdue.setdefault(item.schedule.equipment_id, []).append(item)
    earl: dict[int, QCResult] = {}
    for r in QCResult.objects.filter(schedule__test__catalogue_id=EARL_TEST).select_related("schedule"):
        current = earl.get(r.schedule.equipment_id)
        if current is None or r.performed_at > current.performed_at:
            earl[r.schedule.equipment_id] = r
    devices = [
        DeviceQC(d, overdue.get(d.pk, []), d.qc_valid_until, earl.get(d.pk)) for d in Equipment.objects.order_by("name")
    ]
    section = Section("qc", "QC status per device and EARL / NEMA image quality")
    late = [d for d in devices if d.overdue]
    if late:
        section.gaps.append(Gap(f"{_plural(len(late), 'device')} with overdue QC", link("qc-today")))
        for d in late:
            tests = ", ".join(i.schedule.test.name for i in d.overdue)
            section.gaps.append(Gap(f"{d.device.name}: {tests} overdue", link("equipment-device", d.device.pk)))
    for d in (d for d in devices if d.device.kind == Equipment.Kind.PET_CT):
        if d.earl is None:
            url = link("equipment-device", d.device.pk)
            section.gaps.append(Gap(f"{d.device.name}: no EARL / NEMA image-quality result", url))
        elif d.earl.outcome == QCResult.Outcome.ACTION:
            section.gaps.append(
                Gap(f"{d.device.name}: latest EARL result at action level", link("qc-result", d.earl.pk))
            )
    return section, devices


def monitoring_section(day: dt.date) -> Section:
    from nmguard.apps.protection.source_services import leak_tests_due
    from nmguard.apps.protection.survey_services import due_surveys

    section = Section("monitoring", "Workplace monitoring and sealed sources")
    for row in due_surveys(day):
        if row.state.state == "overdue":
            url = link("protection-monitoring-location", row.location.pk)
            section.gaps.append(Gap(f"Survey of {row.location.name} overdue (due {row.state.due})", url))
    for row in leak_tests_due(day):
        if row.leak.state == "overdue":
            section.gaps.append(Gap(f"Leak test of {row.source} overdue", link("protection-source", row.source.pk)))
    return section


def capa_section(day: dt.date) -> Section:
    from nmguard.apps.quality.capa_models import CorrectiveAction

    section = Section("capa", "Open corrective and preventive actions")
    open_ = CorrectiveAction.objects.filter(status__in=("open", "done")).select_related("owner")
    for a in open_:
        section.rows.append({"action": a, "overdue": a.due_on < day})
        if a.due_on < day:
            section.gaps.append(Gap(f"Action '{a.title}' overdue since {a.due_on}", link("quality-action", a.pk)))
    return section


def incidents_section(day: dt.date) -> Section:
    from nmguard.apps.quality.incident_models import Incident

    section = Section("incidents", "Incidents and near misses of the last year")
    since = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=365), dt.time()))
    year = list(Incident.objects.filter(occurred_at__gte=since).order_by("occurred_at"))
    counts: dict[tuple[str, str], int] = {}
    for i in year:
        counts[(i.stage, i.severity)] = counts.get((i.stage, i.severity), 0) + 1
    section.rows = [{"stage": k[0], "severity": k[1], "count": n} for k, n in sorted(counts.items())]
    for i in year:
        if i.status != Incident.Status.CLOSED:
            url = link("quality-incident", i.pk) or link("quality-incidents")
            section.gaps.append(Gap(f"Incident {i.reference} not closed ({i.get_status_display().lower()})", url))
    return section


def training_section(day: dt.date) -> Section:
    """Lapsed trainings and competences: the latest record per person and training (task) expired by ``day``."""
    from nmguard.apps.quality.training_models import Competence, TrainingRecord

    section = Section("training", "Training and competence")
    url = link("quality-training")
    latest: dict[tuple, object] = {}
    for r in TrainingRecord.objects.select_related("person", "training").order_by("completed_on", "pk"):
        latest[("t", r.person_id, r.training_id)] = r
    for c in Competence.objects.select_related("person").order_by("valid_from", "pk"):
        latest[("c", c.person_id, c.task)] = c
    for key, r in latest.items():
        if r.expires_on <= day:
            what = r.training.name if key[0] == "t" else f"competence {r.get_task_display()}"
            page = link("quality-training-person", r.person_id) or url
            section.gaps.append(Gap(f"{r.person}: {what} lapsed on {r.expires_on}", page))
    section.rows = [
        {"records": sum(1 for k in latest if k[0] == "t"), "competences": sum(1 for k in latest if k[0] == "c")}
    ]
    return section


def documents_section(day: dt.date) -> Section:
    """Controlled documents without an approved version, or whose current version's review is overdue."""
    from nmguard.apps.quality.document_models import ControlledDocument, DocumentVersion

    section = Section("documents", "Controlled documents")
    current = {v.document_id: v for v in DocumentVersion.objects.filter(status=DocumentVersion.Status.CURRENT)}
    for doc in ControlledDocument.objects.order_by("number"):
        url = link("quality-document", doc.pk)
        v = current.get(doc.pk)
        if v is None:
            section.gaps.append(Gap(f"{doc.number} {doc.title}: no approved version", url))
        elif v.review_due_on is not None and v.review_due_on < day:
            section.gaps.append(Gap(f"{doc.number} {doc.title}: review overdue since {v.review_due_on}", url))
    return section


def readiness(day: dt.date | None = None) -> dict:
    """Every section of the readiness page on ``day`` (the department's local date)."""
    day = day or timezone.localdate()
    qc, devices = qc_section(day)
    sections = [
        qc,
        monitoring_section(day),
        capa_section(day),
        incidents_section(day),
        training_section(day),
        documents_section(day),
    ]
    return {"day": day, "devices": devices, "sections": sections, "gap_count": sum(len(s.gaps) for s in sections)}
