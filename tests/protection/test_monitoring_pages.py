# ruff: noqa: F811  (pytest fixtures imported from monitoring_fixtures and named as arguments)
"""Workplace-monitoring pages: the schedule with due and overdue, entering a wipe test and a survey with
errors by the field, the location's plot, instruments' calibration state, follow-ups, and who may write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.protection.monitoring_fixtures import WIPE, kit, rpo, set_profile  # noqa: F401

pytestmark = pytest.mark.django_db


def _when(delta_minutes: int = 10) -> str:
    return (timezone.localtime() - dt.timedelta(minutes=delta_minutes)).strftime("%Y-%m-%dT%H:%M")


def test_schedule_lists_overdue_and_due(client, rpo, kit):
    client.force_login(rpo)
    html = client.get("/protection/monitoring/").content.decode()
    assert 'data-location="Hot lab bench" data-state="overdue"' in html
    assert 'data-location="Waiting room" data-state="overdue"' in html
    assert html.index("Hot lab bench") < html.index('data-testid="location-form"')


def test_entering_a_wipe_test_shows_it_and_clears_the_schedule(client, rpo, kit):
    set_profile("iaea-gsr3", rpo)
    client.force_login(rpo)
    url = f"/protection/monitoring/locations/{kit['bench'].pk}/"
    post = {"counter": kit["counter"].pk, "performed_at": _when(), **WIPE, "nuclide": "", "removal_fraction": ""}
    response = client.post(url, post)
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="location-plot"' in page and "<svg" in page and "3.8 Bq/cm²" not in page
    assert '<td data-testid="result">3.8</td>' in page and 'data-above="0"' in page
    schedule = client.get("/protection/monitoring/").content.decode()
    assert 'data-location="Hot lab bench" data-state="ok"' in schedule


def test_wipe_errors_show_by_the_field(client, rpo, kit):
    client.force_login(rpo)
    url = f"/protection/monitoring/locations/{kit['bench'].pk}/"
    base = {"counter": kit["counter"].pk, "performed_at": _when(), **WIPE}
    for field, value in (("area_cm2", 0), ("gross_counts", -5), ("gross_time_s", 0), ("nuclide", "F-18")):
        response = client.post(url, {**base, field: value})
        assert response.status_code == 400, field
        assert f'data-field="{field}"' in response.content.decode(), field
    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert 'data-field="performed_at"' in client.post(url, {**base, "performed_at": future}).content.decode()


def test_a_survey_above_the_level_opens_a_follow_up_and_the_page_closes_it(client, rpo, kit):
    set_profile("iaea-gsr3", rpo)
    client.force_login(rpo)
    url = f"/protection/monitoring/locations/{kit['waiting'].pk}/"
    assert (
        client.post(url, {"instrument": kit["meter"].pk, "performed_at": _when(30), "readings": "0.2, 3.1"}).status_code
        == 302
    )
    bad = client.post(url, {"instrument": kit["meter"].pk, "performed_at": _when(), "readings": "0.2, x"})
    assert bad.status_code == 400 and 'data-field="readings"' in bad.content.decode()
    page = client.get("/protection/monitoring/follow-ups/").content.decode()
    assert 'data-state="open"' in page
    from nmguard.apps.protection.survey_models import FollowUp

    follow = FollowUp.objects.get()
    empty = client.post("/protection/monitoring/follow-ups/", {"follow_up": follow.pk, "action_taken": ""})
    assert empty.status_code == 400 and empty.content.decode().count('data-field="action_taken"') == 1
    assert (
        client.post(
            "/protection/monitoring/follow-ups/", {"follow_up": follow.pk, "action_taken": "washed"}
        ).status_code
        == 302
    )
    later = (timezone.localtime() + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(url, {"instrument": kit["meter"].pk, "performed_at": later, "readings": "0.1"})
    follow.refresh_from_db()
    assert not follow.is_open
    assert 'data-state="closed"' in client.get("/protection/monitoring/follow-ups/").content.decode()


def _form(action: str, **fields) -> dict:
    """A POST of one of the instruments page's forms (each has its action as its field prefix)."""
    return {"action": action, **{f"{action}-{k}": v for k, v in fields.items()}}


def test_instruments_page_shows_calibration_state_and_records_a_check(client, rpo, kit):
    client.force_login(rpo)
    url = "/protection/monitoring/instruments/"
    page = client.get(url).content.decode()
    assert 'data-serial="WC-1" data-calibration="in_date"' in page
    today = timezone.localdate()
    check = _form("check", instrument=kit["counter"].pk, checked_on=today.isoformat(), reading=8000)
    assert client.post(url, check).status_code == 302
    assert "fail" in client.get(url).content.decode()
    bad = client.post(
        url,
        _form("add", name="X", kind="wipe_counter", serial="WC-1", calibrated_on="2026-01-01",
              calibration_due="2027-01-01", efficiencies="Tc-99m=0.4"),
    )  # fmt: skip
    assert bad.status_code == 400 and 'data-field="serial"' in bad.content.decode()
    recal = {"instrument": kit["meter"].pk, "status": "in_service", "reason": "annual calibration"}
    half = client.post(url, _form("update", **recal, calibrated_on=today.isoformat()))
    assert half.status_code == 400 and 'data-field="calibration_due"' in half.content.decode()
    due = (today + dt.timedelta(days=365)).isoformat()
    assert (
        client.post(url, _form("update", **recal, calibrated_on=today.isoformat(), calibration_due=due)).status_code
        == 302
    )
    kit["meter"].refresh_from_db()
    assert kit["meter"].calibrated_on == today and kit["meter"].calibration_due.isoformat() == due
    assert (
        client.post(url, _form("update", **{**recal, "status": "out_of_service", "reason": "dropped"})).status_code
        == 302
    )
    refused = client.post(
        f"/protection/monitoring/locations/{kit['waiting'].pk}/",
        {"instrument": kit["meter"].pk, "performed_at": _when(), "readings": "0.1"},
    )
    assert refused.status_code == 400 and 'data-field="instrument"' in refused.content.decode()


def test_a_technologist_reads_but_may_not_write(client, make_user, kit):
    tech = make_user("technologist", "tech1")
    client.force_login(tech)
    url = f"/protection/monitoring/locations/{kit['bench'].pk}/"
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="entry-form"' not in page.content.decode()
    assert client.get("/protection/monitoring/").status_code == 200
    post = {"counter": kit["counter"].pk, "performed_at": _when(), **WIPE}
    assert client.post(url, post).status_code == 403
    assert client.post("/protection/monitoring/", {"name": "X"}).status_code == 403
    assert client.post("/protection/monitoring/instruments/", {"action": "check"}).status_code == 403
    from nmguard.apps.protection.survey_models import WipeTest

    assert not WipeTest.objects.exists()


def test_pages_need_a_login(client):
    assert client.get("/protection/monitoring/").status_code == 302
