"""Training records and competence signing (issue 16 item 4): expiry arithmetic on local dates (run it at
NMGUARD_TEST_CLOCK=00:30 and 23:50), the data file, the department's override with a reason, who may record and
who may sign, and the dashboard's 30-day warning."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.apps.core.signatures import SignatureError
from nmguard.apps.quality.competence_services import sign_competence
from nmguard.apps.quality.training_models import Training, TrainingRecord
from nmguard.apps.quality.training_services import (
    override_interval,
    record_training,
    state_on,
    sync_trainings,
    training_standing,
)
from nmguard.errors import InputError
from nmguard.reference.training_requirements import add_months, training_requirements
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 11, 30), 12, dt.date(2027, 11, 30)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),  # leap year: the month's last day
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2025, 12, 15), 2, dt.date(2026, 2, 15)),  # across the year end
        (dt.date(2025, 3, 31), 24, dt.date(2027, 3, 31)),
    ],
)
def test_add_months_against_calendar_values(day, months, expected):
    assert add_months(day, months) == expected


def test_state_on_the_expiry_day_and_the_alert_window():
    expires = dt.date(2026, 11, 30)
    alert = training_requirements().alert_days
    assert alert == 30
    assert state_on(expires, dt.date(2026, 11, 29)) == "expiring"  # last valid day
    assert state_on(expires, expires) == "lapsed"  # the first day no longer valid
    assert state_on(expires, expires - dt.timedelta(days=alert)) == "expiring"
    assert state_on(expires, expires - dt.timedelta(days=alert + 1)) == "valid"
    assert state_on(None, expires) == "missing"


def test_data_names_every_task_and_a_citation_with_status():
    req = training_requirements()
    assert set(req.tasks) == {"qp_release", "administration", "qc_approval", "dosimetry_signoff"}
    assert req.tasks["qp_release"].competence == "QP batch release"
    assert req.trainings["radiation_protection"].legal_basis.id == "intended-euratom-2013-59-art14-15"
    for t in req.trainings.values():
        assert t.renewal.status.value in ("verified", "derived", "secondary", "unverified") and t.renewal.note


def test_recording_uses_the_local_date_and_the_interval(db, qm, make_user):
    """The local date of 'now' (00:30 and 23:50 alike) is the latest allowed completion day; expiry = + 12 months."""
    tech = make_user("technologist", "tech1")
    sync_trainings(qm)
    rp = Training.objects.get(key="radiation_protection")
    today = timezone.localdate()
    r = record_training(tech, rp, today, "certificate 12", qm)
    assert r.expires_on == add_months(today, 12)
    assert training_standing(tech, rp, today).state == "valid"
    assert training_standing(tech, rp, r.expires_on).text == f"lapsed on {r.expires_on}"
    with pytest.raises(InputError) as info:
        record_training(tech, rp, today + dt.timedelta(days=1), "certificate", qm)
    assert info.value.field == "completed_on"
    with pytest.raises(InputError) as info:
        record_training(tech, rp, today, "  ", qm)
    assert info.value.field == "evidence"
    with pytest.raises(InputError, match="Quality manager"):
        record_training(tech, rp, today, "self-recorded", tech)
    assert TrainingRecord.objects.count() == 1
    assert r.history.count() == 1  # audited model: history row


def test_override_needs_a_reason_and_applies_to_later_records(db, qm, make_user):
    sync_trainings(qm)
    rp = Training.objects.get(key="radiation_protection")
    with pytest.raises(InputError) as info:
        override_interval(rp, 6, "", qm)
    assert info.value.field == "reason"
    with pytest.raises(InputError) as info:
        override_interval(rp, 0, "x", qm)
    assert info.value.field == "renewal_months"
    override_interval(rp, 6, "national rule: six-monthly instruction", qm)
    tech = make_user("technologist", "tech1")
    day = dt.date(2026, 1, 31)
    assert record_training(tech, rp, day, "cert", qm).expires_on == dt.date(2026, 7, 31)
    sync_trainings(qm)  # a later sync keeps the department's interval
    rp.refresh_from_db()
    assert rp.renewal_months == 6 and rp.data_renewal_months == 12


def test_signing_rules(db, qm, make_user):
    rph, tech = make_user("radiopharmacist", "rph1"), make_user("technologist", "tech1")
    rph2, phys = make_user("radiopharmacist", "rph2"), make_user("physicist", "phys1")
    today = timezone.localdate()
    with pytest.raises(InputError, match="needs the role"):  # a technologist may not sign
        sign_competence(rph, "qp_release", today, "observed", tech, PASSWORD)
    with pytest.raises(InputError, match="needs the role"):  # a physicist does not sign QP release (data)
        sign_competence(rph, "qp_release", today, "observed", phys, PASSWORD)
    with pytest.raises(InputError) as info:
        sign_competence(rph2, "qp_release", today, "observed", rph2, PASSWORD)
    assert info.value.field == "person"
    with pytest.raises(SignatureError):
        sign_competence(rph, "qp_release", today, "observed", rph2, "wrong")
    with pytest.raises(InputError) as info:
        sign_competence(rph, "qp_release", today + dt.timedelta(days=1), "observed", qm, PASSWORD)
    assert info.value.field == "valid_from"
    with pytest.raises(InputError) as info:
        sign_competence(rph, "flying", today, "observed", qm, PASSWORD)
    assert info.value.field == "task"
    c = sign_competence(rph, "qp_release", today, "observed", rph2, PASSWORD)  # a radiopharmacist colleague
    assert c.signature.meaning == "approved" and c.signature.signer == rph2
    assert c.expires_on == add_months(today, 24)
    assert sign_competence(tech, "administration", today, "observed", phys, PASSWORD).signed_by == phys


def test_attention_warns_thirty_days_ahead(db, qm, make_user):
    from nmguard.apps.quality.training_attention import training_attention

    tech = make_user("technologist", "tech1")
    sync_trainings(qm)
    rp = Training.objects.get(key="radiation_protection")
    today = timezone.localdate()
    # completed so that it expires in exactly 30 days: warned; the quality manager sees it too
    completed = add_months(today + dt.timedelta(days=30), -12)
    record_training(tech, rp, completed, "cert", qm)
    assert training_standing(tech, rp, today).state == "expiring"  # 27..30 days left (month ends round down)
    assert [i.title for i in training_attention(tech)] == [f"Training and competence: Radiation protection — {tech}"]
    assert any(str(tech) in i.title for i in training_attention(qm))
    record_training(tech, rp, today, "refresher", qm)  # renewed: nothing to say
    assert training_attention(tech) == []
