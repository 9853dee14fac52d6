"""Quality indicators (issue 16 item 8) against counts made by hand on small fixtures, with the month boundaries
at 00:30 and 23:50 in the department's zone (a record at 00:30 local on the 1st belongs to the new month although
its UTC date is the previous day).

Definitions (as in nmguard.apps.quality.indicators):
- QC compliance: active calendar schedules not overdue on each month's last day (today for this month).
- CAPA overdue: raised on or before the month's last day, due before it, not closed (signature day) or
  cancelled (last change) by it.
- CAPA turnaround: median days from raising to the closing signature, per quarter of closure.
- Staff dose: sum of current whole-body Hp(10) readings whose wear period ends in the month.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.apps.quality import indicators as ind

pytestmark = pytest.mark.django_db


def local(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))


def test_month_ends_run_to_today_and_cross_the_year():
    periods = ind.month_ends(dt.date(2026, 2, 10), 3)
    assert [p[0] for p in periods] == ["2025-12", "2026-01", "2026-02"]
    assert periods[0][1:] == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    assert periods[-1][2] == dt.date(2026, 2, 10)  # the current month ends today


def test_qc_compliance_at_month_ends(physicist):
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.equipment.models import Equipment, QCResult, QCSchedule, QCTest

    with acting_as(physicist, reason="test"):
        camera = Equipment.objects.create(name="Camera Q", kind=Equipment.Kind.GAMMA_CAMERA)
        monthly = QCTest.objects.create(catalogue_id="t-monthly", name="Monthly test", frequency="monthly")
        repair = QCTest.objects.create(catalogue_id="t-repair", name="After repair", frequency="after_repair")
        s = QCSchedule.objects.create(equipment=camera, test=monthly)
        QCSchedule.objects.create(equipment=camera, test=repair)  # event test: never counted
        for at in (local(2026, 1, 1, 10), local(2026, 2, 1, 0, 30), local(2026, 4, 1, 0, 30)):
            QCResult.objects.create(schedule=s, performed_at=at, performed_by=physicist, value=1.0, outcome="ok")
    QCSchedule.objects.update(created_at=local(2026, 1, 1, 9))
    periods = ind.month_ends(dt.date(2026, 4, 15), 4)
    ok, counted = ind.qc_state_at_month_ends(periods)
    # Jan 31: done Jan 1, due Feb 1 -> in date; Feb 28: done Feb 1, due Mar 1 -> in date;
    # Mar 31: due Mar 1, 30 days late -> overdue (the 00:30 result of Apr 1 is April's, not March's);
    # Apr 15: done Apr 1 -> in date
    assert counted == [1, 1, 1, 1]
    assert ok == [1, 1, 0, 1]
    series = {s.key: s for s in ind.indicators(dt.date(2026, 4, 15), 4)}
    assert series["qc_compliance"].values == [100.0, 100.0, 0.0, 100.0]
    assert series["qc_overdue"].values == [0.0, 0.0, 1.0, 0.0]


def _capa(owner, title, raised, due, *, closed_at=None, cancelled_at=None):
    from nmguard.apps.core.models import Signature
    from nmguard.apps.quality.capa_models import CorrectiveAction

    a = CorrectiveAction.objects.create(title=title, source="test", owner=owner, due_on=due)
    fields = {"created_at": raised}
    if closed_at is not None:
        sig = Signature.objects.create(
            signer=owner,
            signer_name="Q",
            meaning="closed",
            signed_at=closed_at,
            model_label="quality.correctiveaction",
            object_id=str(a.pk),
            record_hash="0" * 64,
        )
        fields |= {"status": "closed", "closure": sig}
    if cancelled_at is not None:
        fields |= {"status": "cancelled", "updated_at": cancelled_at}
    CorrectiveAction.objects.filter(pk=a.pk).update(**fields)
    return a


def test_capa_overdue_and_turnaround(make_user):
    from nmguard.apps.core.actor import acting_as

    qm = make_user("quality_manager", "qm1")
    with acting_as(qm, reason="test"):
        _capa(qm, "A1", local(2026, 1, 10), dt.date(2026, 2, 15), closed_at=local(2026, 3, 10))
        _capa(qm, "A2", local(2026, 4, 1, 0, 30), dt.date(2026, 4, 20))
        _capa(qm, "A3", local(2026, 4, 2), dt.date(2026, 4, 10), closed_at=local(2026, 6, 1, 0, 30))
        _capa(qm, "A4", local(2026, 1, 5), dt.date(2026, 1, 20), cancelled_at=local(2026, 2, 10))
        _capa(qm, "A5", local(2026, 5, 1), dt.date(2026, 6, 1), closed_at=local(2026, 5, 31, 23, 50))
    periods = ind.month_ends(dt.date(2026, 6, 15), 6)
    # Jan: A4; Feb: A1 (A4 cancelled Feb 10); Mar: none (A1 closed Mar 10); Apr, May: A2 and A3
    # (A3 closed at 00:30 on Jun 1, local: still open on May 31); Jun 15: A2
    assert ind.capa_overdue_counts(periods) == [1, 1, 0, 2, 2, 1]
    labels, medians, closed = ind.capa_turnaround(periods)
    # A1: Jan 10 -> Mar 10 = 59 d (Q1); A3: Apr 2 -> Jun 1 = 60 d, A5: May 1 -> May 31 = 30 d (Q2): median 45
    assert labels == ["2026-Q1", "2026-Q2"]
    assert medians == [59, 45] and closed == [1, 2]


def test_staff_dose_by_month(make_user):
    from nmguard.apps.protection.dose_import import import_readings

    rpo = make_user("rpo", "rpo1")
    import_readings(
        "worker_id,name,dosimeter,period_start,period_end,hp10_mSv,hp007_mSv,hp3_mSv\n"
        "N1,Nora,whole_body,2026-01-01,2026-01-31,0.1,,\n"
        "N1,Nora,whole_body,2026-02-01,2026-02-28,0.2,,\n"
        "N2,Otto,whole_body,2026-02-01,2026-02-28,0.3,,\n"
        "N2,Otto,extremity,2026-02-01,2026-02-28,,4.0,\n",
        "s.csv",
        rpo,
    )
    sums, counts = ind.staff_dose_by_month(ind.month_ends(dt.date(2026, 3, 5), 3))
    assert counts == [1, 2, 0]
    assert sums[0] == pytest.approx(0.1) and sums[1] == pytest.approx(0.5) and sums[2] is None


def test_incidents_by_month_stage_and_kind(make_user):
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.quality.incident_models import Incident

    tech = make_user("technologist", "t1")
    rows = [  # (occurred, stage, near miss)
        (local(2026, 1, 31, 23, 50), "administration", False),  # January (UTC too)
        (local(2026, 2, 1, 0, 30), "preparation", True),  # February although 31 Jan in UTC
        (local(2026, 2, 14), "administration", True),
        (local(2025, 12, 31, 23, 50), "imaging", False),  # before the window
    ]
    with acting_as(tech, reason="test"):
        for n, (at, stage, near) in enumerate(rows):
            Incident.objects.create(
                reference=f"IR-T-{n}",
                occurred_at=at,
                location="Hot lab",
                stage=stage,
                severity="minor",
                near_miss=near,
                description="d",
                immediate_action="a",
                reported_by=tech,
            )
    total, split = ind.incidents_by_month(ind.month_ends(dt.date(2026, 3, 3), 3))
    assert total == [1, 2, 0]
    assert split["stage"] == {"administration": [1, 1, 0], "preparation": [0, 1, 0]}
    assert split["kind"] == {"incident": [1, 0, 0], "near miss": [0, 2, 0]}


def test_empty_department_measures_nothing():
    series = ind.indicators(dt.date(2026, 6, 15), 2)
    assert {s.key for s in series} == {
        "qc_compliance",
        "qc_overdue",
        "capa_overdue",
        "capa_turnaround",
        "incidents",
        "drl_compliance",
        "staff_dose",
    }
    by_key = {s.key: s for s in series}
    assert by_key["qc_compliance"].values == [None, None]  # no schedule: not 100 %
    assert by_key["drl_compliance"].values == [None, None]
    assert all(s.definition for s in series)


def test_drl_compliance_per_month(dept):
    """FDG PET (DRL 400 MBq): month 1 activities 300, 350, 500 -> median 350, compliant; month 2: 450, 500 ->
    median 475, above; this month one at 00:30 local on the 1st (UTC: the previous month) of 1000 -> above. The
    bone scan has no DRL: not counted. A child's administration is not an adult's: not counted."""
    from nmguard.apps.patients.models import Administration
    from tests.patients.test_drl_page import _give

    today = timezone.localdate()
    periods = ind.month_ends(today, 3)
    (_, m1, _), (_, m2, _), (_, m3, _) = periods
    plan = [
        (dept["man"], [300.0, 350.0, 500.0], "fdg_protocol", local(m1.year, m1.month, 15)),
        (dept["man"], [450.0, 500.0], "fdg_protocol", local(m2.year, m2.month, 15)),
        (dept["man"], [1000.0], "fdg_protocol", local(m3.year, m3.month, 1, 0, 30)),
        (dept["man"], [100.0], "mdp_protocol", local(m1.year, m1.month, 15)),
        (dept["child"], [50.0], "fdg_protocol", local(m1.year, m1.month, 16)),
    ]
    for patient, values, protocol, at in plan:
        before = set(Administration.objects.values_list("pk", flat=True))
        _give(dept, patient, values, protocol=protocol, weight=20 if patient == dept["child"] else None)
        Administration.objects.exclude(pk__in=before).update(administered_at=at)
    shares, audited = ind.drl_compliance(periods)
    assert audited == [1, 1, 1]
    assert shares == [100.0, 0.0, 0.0]
