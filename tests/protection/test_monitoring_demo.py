"""The demo's workplace monitoring: built through the services, one overdue location today, one
contamination found and decontaminated (follow-up closed), one instrument due soon, and the attention items;
the same at any hour (run the suite with NMGUARD_TEST_CLOCK=00:30 and =23:50)."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("profile", ["iaea-gsr3", "us-nrc"])
def test_monitoring_demo(make_user, profile):
    from django.utils import timezone

    from nmguard.apps.core.roles import Role
    from nmguard.apps.protection import survey_services
    from nmguard.apps.protection.monitoring_attention import monitoring_attention
    from nmguard.apps.protection.monitoring_demo import CONTAMINATED, LOCATIONS, OVERDUE, load_monitoring_demo
    from nmguard.apps.protection.monitoring_views import calibration_state
    from nmguard.apps.protection.survey_models import FollowUp, Instrument, Survey, SurveyLocation, WipeTest
    from tests.protection.monitoring_fixtures import set_profile

    users = {role: make_user(role.value, f"demo-{role.value}") for role in Role}
    set_profile(profile, users[Role.ADMINISTRATOR])
    load_monitoring_demo(users)
    today = timezone.localdate()
    assert SurveyLocation.objects.count() == len(LOCATIONS) >= 12
    oldest = min(
        list(Survey.objects.values_list("performed_at", flat=True))
        + list(WipeTest.objects.values_list("performed_at", flat=True))
    )
    assert timezone.localtime(oldest).date() <= today - dt.timedelta(days=89)
    assert max(Survey.objects.values_list("performed_at", flat=True)) <= timezone.now()
    due = survey_services.due_surveys(today)
    assert [r.location.name for r in due if r.state.state == "overdue"] == [OVERDUE]
    follow = FollowUp.objects.get()
    assert follow.location.name == CONTAMINATED and not follow.is_open and follow.action_taken
    assert follow.wipe.above_action_level and not follow.rewipe.above_action_level
    states = {i.serial: calibration_state(i, today) for i in Instrument.objects.all()}
    assert states == {"DEMO-SM-1": "in_date", "DEMO-CM-1": "due_soon", "DEMO-WC-1": "in_date"}
    assert WipeTest.objects.filter(above_action_level=True).count() == 1
    assert Survey.objects.filter(above_action_level=True).count() == 0
    titles = [item.title for item in monitoring_attention(users[Role.RPO])]
    assert titles == [f"Survey overdue: {OVERDUE}"]
    assert monitoring_attention(users[Role.TECHNOLOGIST]) == []
