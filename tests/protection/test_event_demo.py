"""The demo's RPO records (issue 15 item 7): the nurse's alert of the last completed month's year has an open
investigation, the alert of the year before a closed one (closed by the RPO's e-signature), and two protection
events, one closed; at any hour (run under NMGUARD_TEST_CLOCK=00:30 and 23:50 too)."""

from __future__ import annotations

from tests.conftest import PASSWORD


def test_rpo_demo(make_user):
    from django.utils import timezone

    from nmguard.apps.core.roles import Role
    from nmguard.apps.protection.demo import _months, load_staff_dose_demo
    from nmguard.apps.protection.event_demo import load_rpo_demo
    from nmguard.apps.protection.event_models import Investigation, ProtectionEvent
    from nmguard.apps.protection.investigation_records import worker_alerts
    from nmguard.apps.protection.models import Worker

    users = {role: make_user(role.value, f"demo-{role.value}") for role in Role}
    load_staff_dose_demo(users)
    load_rpo_demo(users, {role: PASSWORD for role in Role})
    nurse = Worker.objects.get(worker_id="D-104")
    today = timezone.localdate()
    this_year, year_before = _months(today)[-1][1].year, _months(today, 13)[0][0].year
    assert this_year == year_before + 1
    (alert,) = worker_alerts(nurse, this_year, "iaea")
    assert alert.state == "open" and alert.investigation.findings
    (older,) = worker_alerts(nurse, year_before, "iaea")
    assert older.state == "closed" and older.investigation.closed_by == users[Role.RPO]
    assert older.investigation.closure.meaning == "closed"
    assert Investigation.objects.count() == 2
    events = {e.kind: e for e in ProtectionEvent.objects.all()}
    assert events["contamination_person"].status == "closed" and events["spill"].status == "open"
    assert all(e.occurred_at < timezone.now() for e in events.values())
    assert list(events["spill"].workers.all()) == [nurse]
