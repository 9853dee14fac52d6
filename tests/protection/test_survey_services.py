# ruff: noqa: F811  (pytest fixtures imported from monitoring_fixtures and named as arguments)
"""Workplace monitoring services: the refusals by field, the judgement with the department's profile, the
decontamination follow-up, and the schedule at the odd hours of the day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.errors import InputError
from tests.protection.monitoring_fixtures import WIPE, kit, local, rpo, set_profile  # noqa: F401

pytestmark = pytest.mark.django_db


def _services():
    from nmguard.apps.protection import survey_services

    return survey_services


def _refused(call, field):
    with pytest.raises(InputError) as err:
        call()
    assert err.value.field == field, err.value.message
    return err.value.message


def test_wipe_converted_with_the_profiles_removal_fraction(rpo, kit):
    """1140 net cpm / (60 * 0.5 * 100 cm2): 0.38 Bq/cm2 with f = 1 (NRC) and 3.8 Bq/cm2 with f = 0.1 (IAEA)."""
    s = _services()
    when = timezone.now() - dt.timedelta(hours=1)
    set_profile("us-nrc", rpo)
    nrc = s.record_wipe(rpo, kit["bench"], kit["counter"], when, **WIPE)
    assert nrc.activity_Bq_cm2 == pytest.approx(0.38) and nrc.removal_fraction == 1.0
    assert nrc.action_level == pytest.approx(20000 / 6000) and not nrc.above_action_level
    set_profile("iaea-gsr3", rpo)
    iaea = s.record_wipe(rpo, kit["bench"], kit["counter"], when, **WIPE)
    assert iaea.activity_Bq_cm2 == pytest.approx(3.8) and iaea.action_level == 4.0 and not iaea.above_action_level
    assert "iaea-ssr6-para-508" in iaea.level_source


def test_refusals_name_the_field(rpo, kit, make_user):
    s = _services()
    now = timezone.now() - dt.timedelta(minutes=10)
    bench, counter = kit["bench"], kit["counter"]
    _refused(lambda: s.record_wipe(rpo, bench, counter, now, **{**WIPE, "gross_counts": -1}), "gross_counts")
    _refused(lambda: s.record_wipe(rpo, bench, counter, now, **{**WIPE, "area_cm2": 0}), "area_cm2")
    _refused(lambda: s.record_wipe(rpo, bench, counter, now, **{**WIPE, "gross_time_s": 0}), "gross_time_s")
    _refused(lambda: s.record_wipe(rpo, bench, counter, now + dt.timedelta(days=1), **WIPE), "performed_at")
    _refused(lambda: s.record_wipe(rpo, bench, counter, now, nuclide="F-18", **WIPE), "nuclide")
    _refused(lambda: s.record_wipe(rpo, bench, kit["meter"], now, **WIPE), "counter")
    tech = make_user("technologist", "tech1")
    _refused(lambda: s.record_wipe(tech, bench, counter, now, **WIPE), "user")
    _refused(lambda: s.record_survey(rpo, kit["waiting"], kit["meter"], now, [-0.2]), "readings")
    from nmguard.apps.protection.survey_models import WipeTest

    assert not WipeTest.objects.exists()


def test_calibration_out_of_date_on_the_survey_day_is_refused(rpo, kit):
    s = _services()
    counter = kit["counter"]
    before_calibration = local(counter.calibrated_on - dt.timedelta(days=1), 12, 0)
    message = _refused(lambda: s.record_wipe(rpo, kit["bench"], counter, before_calibration, **WIPE), "counter")
    assert "not in calibration" in message
    from nmguard.apps.core.actor import acting_as

    with acting_as(rpo, reason="test: calibration lapsed"):
        counter.calibration_due = timezone.localdate() - dt.timedelta(days=1)
        counter.save()
    _refused(lambda: s.record_wipe(rpo, kit["bench"], counter, timezone.now(), **WIPE), "counter")


def test_failed_constancy_blocks_until_a_passing_repeat(rpo, kit):
    """Reference 10000 cpm, wipe counter tolerance 10 %: 8500 fails, 9800 passes."""
    s = _services()
    today = timezone.localdate()
    check = s.record_constancy(rpo, kit["counter"], today, 8500)
    assert not check.passed and check.tolerance == pytest.approx(0.10)
    now = timezone.now() - dt.timedelta(minutes=1)
    assert "constancy" in _refused(lambda: s.record_wipe(rpo, kit["bench"], kit["counter"], now, **WIPE), "counter")
    assert s.record_constancy(rpo, kit["counter"], today, 9800).passed
    assert s.record_wipe(rpo, kit["bench"], kit["counter"], now, **WIPE).pk


def test_above_level_opens_a_follow_up_closed_by_a_resurvey_after_the_action(rpo, kit):
    """Waiting room, public, IAEA: 0.5 µSv/h. 2.0 µSv/h opens the follow-up; a low reading before the action
    is linked but does not close it; after the action a reading of 0.2 closes it."""
    s = _services()
    set_profile("iaea-gsr3", rpo)
    t0 = timezone.now() - dt.timedelta(hours=3)
    high = s.record_survey(rpo, kit["waiting"], kit["meter"], t0, [0.3, 2.0], background=0.1)
    assert high.net_max == pytest.approx(1.9) and high.above_action_level
    follow = high.follow_up
    assert follow.is_open
    s.record_survey(rpo, kit["waiting"], kit["meter"], t0 + dt.timedelta(minutes=30), [0.2])
    follow.refresh_from_db()
    assert follow.is_open and follow.resurvey_id is not None
    s.record_action(rpo, follow, "floor washed, absorbent paper replaced", t0 + dt.timedelta(hours=1))
    closing = s.record_survey(rpo, kit["waiting"], kit["meter"], t0 + dt.timedelta(hours=2), [0.2], background=0.1)
    follow.refresh_from_db()
    assert not follow.is_open and follow.resurvey_id == closing.pk
    _refused(lambda: s.record_action(rpo, follow, "again"), "action_taken")


def test_schedule_uses_the_local_day_at_the_odd_hours(rpo, kit):
    """A daily location surveyed yesterday at 23:50 local is due today; surveyed today at 00:30 local it is
    not. The weekly bench never wiped since its first due date 60 days ago is overdue."""
    s = _services()
    today = kit["today"]
    s.record_survey(rpo, kit["waiting"], kit["meter"], local(today - dt.timedelta(days=1), 23, 50), [0.1])
    rows = {r.location.name: r.state for r in s.schedule(today)}
    assert rows["Waiting room"].state == "due" and rows["Waiting room"].due == today
    assert rows["Hot lab bench"].state == "overdue"
    assert [r.location.name for r in s.due_surveys(today)][0] == "Hot lab bench"  # overdue first
    if local(today, 0, 30) <= timezone.now():
        s.record_survey(rpo, kit["waiting"], kit["meter"], local(today, 0, 30), [0.1])
        assert {r.location.name: r.state.state for r in s.schedule(today)}["Waiting room"] == "ok"
    assert {r.location.name: r.state.state for r in s.schedule(today + dt.timedelta(days=2))}["Waiting room"] == (
        "overdue"
    )


def test_location_override_needs_a_reason(rpo):
    s = _services()
    _refused(
        lambda: s.create_location(
            rpo, name="Bed 1", area_kind="controlled", survey_kind="dose_rate", frequency="weekly",
            action_level_override=25.0,
        ),
        "override_reason",
    )  # fmt: skip
    loc = s.create_location(
        rpo, name="Bed 1", area_kind="controlled", survey_kind="dose_rate", frequency="weekly",
        action_level_override=25.0, override_reason="therapy room: patient present during survey",
    )  # fmt: skip
    assert s.action_level(loc)[0] == 25.0 and "override" in s.action_level(loc)[1]
    _refused(
        lambda: s.create_location(rpo, name="W", area_kind="public", survey_kind="wipe", frequency="daily"), "nuclide"
    )


def test_a_contamination_location_without_a_nuclide_takes_the_restrictive_level(rpo):
    """Direct-probe location, public, no nuclide: IAEA other-alpha group, a tenth in public areas = 0.04 Bq/cm2."""
    s = _services()
    set_profile("iaea-gsr3", rpo)
    loc = s.create_location(rpo, name="Corridor", area_kind="public", survey_kind="contamination", frequency="monthly")
    assert s.action_level(loc)[0] == pytest.approx(0.04)


def test_a_back_dated_survey_is_judged_by_the_calibration_of_its_day(rpo, kit):
    """The meter calibrated 30 days ago is recalibrated today: a survey 10 days ago (old calibration) is
    accepted; one 40 days ago (before any calibration) is refused."""
    s = _services()
    today = timezone.localdate()
    s.update_instrument(
        rpo, kit["meter"], status="in_service", reason="annual calibration", calibrated_on=today,
        calibration_due=today + dt.timedelta(days=365),
    )  # fmt: skip
    assert s.record_survey(rpo, kit["waiting"], kit["meter"], local(today - dt.timedelta(days=10), 10, 0), [0.1]).pk
    old = local(today - dt.timedelta(days=40), 10, 0)
    assert "not in calibration" in _refused(
        lambda: s.record_survey(rpo, kit["waiting"], kit["meter"], old, [0.1]), "instrument"
    )
