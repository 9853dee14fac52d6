"""Accreditation readiness: each section's gaps counted by hand on a small department (an open incident, a lapsed
training superseded or not by a newer record, a lapsed competence, a document with an overdue review and one
without an approved version, an overdue action), each gap linking to the page that fixes it when that page
exists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from nmguard.apps.quality.readiness import readiness

pytestmark = pytest.mark.django_db


def test_gaps_per_section(make_user):
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.quality.capa_models import CorrectiveAction
    from nmguard.apps.quality.document_models import ControlledDocument, DocumentVersion
    from nmguard.apps.quality.incident_models import Incident
    from nmguard.apps.quality.training_models import Competence, Training, TrainingRecord

    qm = make_user("quality_manager", "qm1")
    tech = make_user("technologist", "t1")
    today = timezone.localdate()
    old = today - dt.timedelta(days=400)
    with acting_as(qm, reason="test"):
        for ref, when, status in (
            ("IR-1", today - dt.timedelta(days=20), "reported"),
            ("IR-2", today - dt.timedelta(days=40), "closed"),
            ("IR-3", old, "reported"),  # older than a year: not listed
        ):
            Incident.objects.create(
                reference=ref,
                occurred_at=timezone.make_aware(dt.datetime.combine(when, dt.time(10))),
                location="Hot lab",
                stage="preparation",
                severity="minor",
                near_miss=True,
                description="d",
                immediate_action="a",
                reported_by=tech,
                status=status,
            )
        rp = Training.objects.create(
            key="rp", name="Radiation protection", renewal_months=12, data_renewal_months=12, source_id="x"
        )
        asep = Training.objects.create(
            key="asep", name="Aseptic technique", renewal_months=12, data_renewal_months=12, source_id="x"
        )
        common = {"evidence": "course", "recorded_by": qm, "person": tech}
        TrainingRecord.objects.create(training=rp, completed_on=old, expires_on=today - dt.timedelta(days=35), **common)
        TrainingRecord.objects.create(
            training=rp, completed_on=today, expires_on=today + dt.timedelta(days=365), **common
        )
        TrainingRecord.objects.create(training=asep, completed_on=old, expires_on=today, **common)  # lapses today
        Competence.objects.create(
            person=tech,
            task="administration",
            valid_from=old,
            expires_on=today - dt.timedelta(days=1),
            assessment="observed",
            signed_by=qm,
        )
        sop = ControlledDocument.objects.create(number="SOP-1", title="Elution", created_by=qm)
        DocumentVersion.objects.create(
            document=sop, number=1, authored_by=qm, status="current", review_due_on=today - dt.timedelta(days=1)
        )
        draft = ControlledDocument.objects.create(number="SOP-2", title="Waste", created_by=qm)
        DocumentVersion.objects.create(document=draft, number=1, authored_by=qm)
        CorrectiveAction.objects.create(title="Fix it", source="test", owner=qm, due_on=today - dt.timedelta(days=1))
        CorrectiveAction.objects.create(title="Later", source="test", owner=qm, due_on=today + dt.timedelta(days=9))
    state = readiness(today)
    gaps = {s.key: [g.text for g in s.gaps] for s in state["sections"]}
    assert gaps["incidents"] == ["Incident IR-1 not closed (reported)"]
    incidents = next(s for s in state["sections"] if s.key == "incidents")
    assert incidents.rows == [{"stage": "preparation", "severity": "minor", "count": 2}]
    # radiation protection lapsed 35 days ago but was renewed today: no gap; expires_on is the first day invalid
    assert sorted(gaps["training"]) == [
        f"{tech}: Aseptic technique lapsed on {today}",
        f"{tech}: competence Administration lapsed on {today - dt.timedelta(days=1)}",
    ]
    assert gaps["documents"] == [
        f"SOP-1 Elution: review overdue since {today - dt.timedelta(days=1)}",
        "SOP-2 Waste: no approved version",
    ]
    assert gaps["capa"] == [f"Action 'Fix it' overdue since {today - dt.timedelta(days=1)}"]
    assert state["gap_count"] == sum(len(v) for v in gaps.values())
    doc_gap = next(s for s in state["sections"] if s.key == "documents").gaps[0]
    assert doc_gap.url == reverse("quality-document", args=[sop.pk])
