"""Anonymised export of incidents for a learning system (CSV or JSON).

What goes out: the reference, the month it happened (dates coarsened to YYYY-MM), stage, severity, near miss,
contributing factors, whether it is closed, how many actions were raised, and whether a
medical event / protection event / QC failure is linked (yes/no, never the record). No patient or staff name or
id, no location (a room can name a person's workplace), no reporter. Free text (radiopharmaceutical, what happened,
immediate action, root cause, lessons) only where the reporter marked the report shareable; otherwise empty.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from nmguard.apps.quality.capa_models import CorrectiveAction
from nmguard.apps.quality.incident_models import Incident
from nmguard.apps.quality.incident_services import SOURCE

COLUMNS = (
    "reference",
    "month",
    "stage",
    "severity",
    "near_miss",
    "factors",
    "radiopharmaceutical",
    "closed",
    "actions_raised",
    "linked_medical_event",
    "linked_protection_event",
    "linked_qc_failure",
    "description",
    "immediate_action",
    "root_cause",
    "lessons",
)
FREE_TEXT = ("radiopharmaceutical", "description", "immediate_action", "root_cause", "lessons")


def anonymised_rows(incidents: Iterable[Incident] | None = None) -> list[dict]:
    """One dict per incident with :data:`COLUMNS` only, oldest first."""
    if incidents is None:
        counts = (
            CorrectiveAction.objects.filter(source=SOURCE, source_ref=OuterRef("reference"))
            .values("source_ref")
            .annotate(n=Count("pk"))
            .values("n")
        )
        incidents = Incident.objects.annotate(n_actions=Coalesce(Subquery(counts), 0)).order_by("occurred_at", "pk")
    rows = []
    for i in incidents:
        n_actions = getattr(i, "n_actions", None)
        if n_actions is None:
            n_actions = CorrectiveAction.objects.filter(source=SOURCE, source_ref=i.reference).count()
        row = {
            "reference": i.reference,
            "month": timezone.localtime(i.occurred_at).strftime("%Y-%m"),
            "stage": i.stage,
            "severity": i.severity,
            "near_miss": i.near_miss,
            "factors": list(i.factors),
            "closed": i.status == Incident.Status.CLOSED,
            "actions_raised": n_actions,
            "linked_medical_event": i.medical_event_id is not None,
            "linked_protection_event": i.protection_event_id is not None,
            "linked_qc_failure": i.qc_result_id is not None,
        }
        for field in FREE_TEXT:
            row[field] = getattr(i, field) if i.shareable else ""
        rows.append(row)
    return rows


def to_json(rows: list[dict]) -> str:
    return json.dumps({"columns": list(COLUMNS), "incidents": rows}, ensure_ascii=False, indent=1)


def to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "factors": ";".join(row["factors"])})
    return out.getvalue()
