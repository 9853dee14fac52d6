"""Accreditation readiness (issue 16 item 7): what EARL accreditation and an external QUANUM audit ask to see,
gathered from NMGuard's records on one day, each section with its gaps and each gap linking to the page where
it is fixed.

Sections whose records NMGuard does not hold yet (incidents, training, documents while their parts are being
built) are listed as absent with the reason, never filled with invented numbers.
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
    absent: str = ""  # why the section has no records to show


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


def readiness(day: dt.date | None = None) -> dict:
    """Every section of the readiness page on ``day`` (the department's local date)."""
    day = day or timezone.localdate()
    qc, devices = qc_section(day)
    absent = "this part of the quality system is not in NMGuard yet: its records cannot be shown"
    sections = [
        qc,
        monitoring_section(day),
        capa_section(day),
        Section("incidents", "Incidents of the last year", absent=absent),
        Section("training", "Training and competence", absent=absent),
        Section("documents", "Controlled documents", absent=absent),
    ]
    return {"day": day, "devices": devices, "sections": sections, "gap_count": sum(len(s.gaps) for s in sections)}
