"""The end date of each restriction counts from the release in the department's time zone (00:30, 23:50, other
zones), on the page and in the records layer."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nmguard.protection.release_instructions import breastfeeding_text, instruction_lines, release_day

ROWS = [
    {"contact": "sleeping-apart", "label": "sleep apart", "days": 3, "constraint": "carer", "constraint_mSv": 5.0},
    {"contact": "young-children", "label": "children", "days": 11, "constraint": "public", "constraint_mSv": 1.0},
    {"contact": "travel", "label": "travel", "days": 0, "constraint": "public", "constraint_mSv": 1.0},
    {"contact": "work", "label": "work", "days": None, "constraint": "public", "constraint_mSv": 1.0},
]


@pytest.mark.parametrize(
    ("zone", "local", "day"),
    [
        # 00:30 in Vienna is 23:30 UTC the day before: the local day counts
        ("Europe/Vienna", dt.datetime(2026, 5, 6, 0, 30), dt.date(2026, 5, 6)),
        # 23:50 in Vienna is 21:50 UTC (summer time), the same day; 23:50 in Chicago is 04:50 UTC the next day
        ("Europe/Vienna", dt.datetime(2026, 5, 6, 23, 50), dt.date(2026, 5, 6)),
        ("America/Chicago", dt.datetime(2026, 5, 6, 23, 50), dt.date(2026, 5, 6)),
        ("Pacific/Auckland", dt.datetime(2026, 5, 6, 0, 30), dt.date(2026, 5, 6)),
        # across the end of a month and of summer time (Vienna, 25 Oct 2026)
        ("Europe/Vienna", dt.datetime(2026, 10, 24, 23, 50), dt.date(2026, 10, 24)),
    ],
)
def test_until_is_the_local_release_day_plus_the_days(zone, local, day):
    released = local.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)  # stored in UTC, as the database does
    assert release_day(released, zone) == day
    lines = instruction_lines(ROWS, released, zone)
    assert [line.until for line in lines] == [day + dt.timedelta(days=3), day + dt.timedelta(days=11), None, None]
    assert lines[2].text.endswith("no restriction needed") and "ten years" in lines[3].text
    assert lines[0].why == "dose to a carer within 5 mSv"


def test_a_naive_release_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        release_day(dt.datetime(2026, 5, 6, 12, 0), "Europe/Vienna")


def test_breastfeeding_sentences():
    assert breastfeeding_text(None).startswith("No breast-feeding advice")
    stop = {"cessation": True, "interruption_h": None, "source": "nrc-rg-8-39", "status": "verified"}
    assert breastfeeding_text(stop) == "Stop breast-feeding for this child (nrc-rg-8-39, verified)."
    pause = {"cessation": False, "interruption_h": 12.0, "source": "s", "status": "secondary"}
    assert breastfeeding_text(pause).startswith("Interrupt breast-feeding for 12 h")
    # 12 h after an administration at 18:30 local on 6 May (16:30 UTC, summer time): resume on 7 May at 06:30
    given = dt.datetime(2026, 5, 6, 16, 30, tzinfo=dt.UTC)
    assert "resume from 2026-05-07 06:30" in breastfeeding_text(pause, given, "Europe/Vienna")
    assert "resume" not in breastfeeding_text(stop, given, "Europe/Vienna")


@pytest.mark.django_db
@pytest.mark.parametrize("clock", ["00:30", "23:50"])
@pytest.mark.parametrize("zone", ["Europe/Vienna", "America/Chicago"])
def test_a_release_signed_at_the_odd_hours_dates_its_instructions_on_the_local_day(dept, settings, clock, zone):
    from nmguard.apps.therapy import release_services as svc
    from tests.conftest import PASSWORD
    from tests.therapy.release_fixtures import make_iodine_cycle

    settings.TIME_ZONE = zone
    hour, minute = map(int, clock.split(":"))
    local = dt.datetime(2026, 3, 31, hour, minute, tzinfo=ZoneInfo(zone))
    with time_machine.travel(local, tick=False):
        cycle = make_iodine_cycle(dept)
        decision = svc.assess(
            cycle,
            svc.Assessment(method="patient-specific", basis="uptake-model", condition="thyroid-cancer"),
            dept["physician"],
        )
        svc.sign_release(decision, physician=dept["physician"], password=PASSWORD)
    lines = svc.instructions(decision)
    days = {r["contact"]: r["days"] for r in decision.result["restrictions"]}
    assert days["young-children"] > 0
    for line in lines:
        expected = dt.date(2026, 3, 31) + dt.timedelta(days=days[line.contact]) if days[line.contact] else None
        assert line.until == expected, (line, zone, clock)
