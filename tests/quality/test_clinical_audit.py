"""Clinical audit: the three computed criteria against counts made by hand on a small fixture, the stored
definition, the re-audit loop, and bad input by field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.errors import InputError


@pytest.fixture
def qm(make_user):
    return make_user("quality_manager", "qm-clinical")


def _give(dept, patient, activities_MBq, protocol="fdg_protocol", weight=None, days_ago=3):
    from nmguard.apps.patients.models import Administration, Prescription

    at = timezone.now() - dt.timedelta(days=days_ago)
    out = []
    with acting_as(dept["technologist"], reason="test"):
        for i, a in enumerate(activities_MBq):
            rx = Prescription.objects.create(
                patient=patient, protocol=dept[protocol], scheduled_for=at + dt.timedelta(minutes=i),
                weight_kg=weight, protocol_activity_Bq=a * 1e6, activity_rule="test", prescribed_activity_Bq=a * 1e6,
                prescribed_by=dept["physician"], status="administered",
            )  # fmt: skip
            out.append(Administration.objects.create(
                prescription=rx, administered_at=at + dt.timedelta(minutes=i), route="iv",
                administered_activity_Bq=a * 1e6, administered_by=dept["technologist"],
            ))  # fmt: skip
    return out


def period_rows():
    today = timezone.localdate()
    return {"period_start": today - dt.timedelta(days=30), "period_end": today}


def test_drl_compliance_counts_adults_at_or_below_the_drl(dept, qm):
    from nmguard.apps.quality.clinical_audit import run_clinical_audit

    _give(dept, dept["man"], [350.0, 400.0, 400.001, 500.0])  # FDG, DRL 400 MBq: 2 of 4 (400 itself meets it)
    _give(dept, dept["adult"], [300.0])  # 3 of 5
    _give(dept, dept["man"], [900.0], protocol="mdp_protocol")  # no DRL: not counted
    _give(dept, dept["child"], [450.0], weight=20.0)  # a child: audited by the card, not the DRL
    _give(dept, dept["man"], [999.0], days_ago=60)  # before the period
    audit = run_clinical_audit("drl-compliance", standard_percent=90, user=qm, **period_rows())
    assert (audit.numerator, audit.denominator) == (3, 5)
    assert audit.measured_percent == pytest.approx(60.0) and audit.met is False
    assert audit.details == [{"group": "FDG PET", "met": 3, "n": 5, "limit": "DRL 400 MBq"}]
    assert "at or below the protocol's DRL" in audit.definition


def test_paediatric_card_counts_children_within_the_card(dept, qm):
    from nmguard.apps.quality.clinical_audit import run_clinical_audit
    from nmguard.rules.paediatric import paediatric_activity

    card = paediatric_activity("f18-fdg", 20.0, "eanm-2016", "whole-body", adult_activity_MBq=400).activity_MBq
    _give(dept, dept["child"], [card * 0.9, card, card * 1.2], weight=20.0)  # 2 of 3
    _give(dept, dept["child"], [card * 2], weight=None)  # no weight: cannot be judged, not counted
    _give(dept, dept["man"], [400.0], weight=80.0)  # adult: not counted
    audit = run_clinical_audit("paediatric-card", standard_percent=95, user=qm, **period_rows())
    assert (audit.numerator, audit.denominator) == (2, 3)
    assert audit.details[0]["group"] == "FDG PET" and len(audit.details[0]["not_met"]) == 1


def test_medical_events_reported_by_their_first_deadline(dept, qm):
    from nmguard.apps.core.signatures import record_signature
    from nmguard.apps.patients.models import MedicalEvent
    from nmguard.apps.quality.clinical_audit import run_clinical_audit

    adms = _give(dept, dept["man"], [400.0] * 5, days_ago=6)
    now = timezone.now()

    def event(adm, detected_days_ago, due_in_days, reported):
        with acting_as(dept["physician"], reason="test"):
            e = MedicalEvent.objects.create(
                administration=adm, profile="us-nrc", detected_at=now - dt.timedelta(days=detected_days_ago),
                reporting_steps=[
                    {"id": "x", "action": "report", "due": (now + dt.timedelta(days=due_in_days)).isoformat()},
                    {"id": "y", "action": "written", "due": (now + dt.timedelta(days=15)).isoformat()},
                ],
            )  # fmt: skip
            if reported:
                record_signature(e, dept["physician"], "reported", "called the NRC")
        return e

    event(adms[0], 2, 1, True)  # reported before its deadline: met
    event(adms[1], 3, -1, True)  # reported after its deadline: not met
    event(adms[2], 1, 1, False)  # not reported, not yet due: not counted
    event(adms[3], 5, -2, False)  # not reported, overdue: not met
    event(adms[4], 45, -40, True)  # detected before the period
    audit = run_clinical_audit("medical-event-report", standard_percent=100, user=qm, **period_rows())
    assert (audit.numerator, audit.denominator) == (1, 3)
    group = audit.details[0]
    assert group["median_hours_to_report"] == pytest.approx(60.0, abs=0.1)  # (48 h + 72 h) / 2
    assert len(group["not_met"]) == 2


def test_re_audit_loop_and_bad_input(dept, qm, make_user):
    from nmguard.apps.quality.clinical_audit import audit_loop, run_clinical_audit

    today = timezone.localdate()
    _give(dept, dept["man"], [500.0], days_ago=40)
    _give(dept, dept["man"], [350.0], days_ago=3)
    first = run_clinical_audit("drl-compliance", period_start=today - dt.timedelta(days=60),
                               period_end=today - dt.timedelta(days=20), standard_percent=90, user=qm)  # fmt: skip
    again = run_clinical_audit("drl-compliance", period_start=today - dt.timedelta(days=19), period_end=today,
                               standard_percent=90, user=qm, re_audit_of=first)  # fmt: skip
    assert (first.measured_percent, again.measured_percent) == (0.0, 100.0)
    assert audit_loop(first) == audit_loop(again) == [first, again]
    cases = [
        (dict(criterion="typed"), "criterion"),
        (dict(period_end=today - dt.timedelta(days=40)), "period_end"),
        (dict(period_end=today + dt.timedelta(days=1)), "period_end"),
        (dict(standard_percent=120), "standard_percent"),
        (dict(re_audit_of=first), "period_start"),
        (dict(user=make_user("technologist", "t-ca")), "user"),
    ]
    for over, field in cases:
        values = dict(criterion="drl-compliance", standard_percent=90, user=qm, **period_rows()) | over
        with pytest.raises(InputError) as err:
            run_clinical_audit(values.pop("criterion"), **values)
        assert err.value.field == field, over
