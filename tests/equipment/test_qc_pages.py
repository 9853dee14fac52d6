"""QC pages (issue 10, items 7 and 8): each form is shown exactly to the roles that may submit it, and
pages print times with their zone, numbers with units and no Python dicts, lists or "None"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.roles import Role
from nmguard.apps.equipment import qc_services
from nmguard.apps.equipment.models import CheckSource, Equipment
from tests.department import now_minute

pytestmark = pytest.mark.django_db

PYTHON_SYNTAX = re.compile(r"\{'|\[\{|\['|\bNone\b|\bTrue\b|\bFalse\b|\d\.\d{6,}|\de[+-]\d")


@pytest.fixture
def qc_world(dept):
    """A meter with a constancy history (one result at action level, then a pass: eligible for return)."""
    with acting_as(dept["physicist"], reason="fixture"):
        certified_at = timezone.now() - dt.timedelta(days=900)
        source = CheckSource.objects.create(
            name="Cs", nuclide="Cs-137", certified_activity_Bq=7.4e6, certified_at=certified_at
        )
    schedule = qc_services.schedule_test(dept["meter"], "am-constancy", dept["physicist"], check_source=source)
    from nmguard.apps.equipment import qc_entry

    def reading(minutes, factor):
        at = now_minute() - dt.timedelta(minutes=minutes)
        expected = qc_services.expected_reading(schedule, at).expected_Bq
        return qc_entry.record_from_form(
            schedule, {"performed_at": at, "reading": expected * factor, "comment": ""}, dept["technologist"]
        )

    reading(30, 1.15)
    result = reading(10, 1.004329004329)
    assert qc_services.eligible_for_return(Equipment.objects.get(pk=dept["meter"].pk))
    return schedule, result


def client_for(make_user, role: Role) -> tuple[Client, object]:
    user = make_user(role.value, f"pages-{role.value}")
    client = Client()
    client.force_login(user)
    return client, user


@pytest.mark.parametrize("role", list(Role))
def test_each_form_is_shown_only_to_roles_that_may_submit_it(qc_world, make_user, role):
    schedule, result = qc_world
    client, user = client_for(make_user, role)
    physicist = role is Role.PHYSICIST
    may = {
        "qc-entry": user.has_perm("equipment.add_qcresult"),
        "exempt-form": user.has_perm("equipment.add_qcexemption"),
        "return-form": physicist and user.has_perm("equipment.change_equipment"),
        "approval-form": physicist and user.has_perm("equipment.change_qcresult"),
    }
    pages = {
        "qc-entry": f"/equipment/qc/schedules/{schedule.pk}/",
        "exempt-form": "/equipment/qc/",
        "return-form": "/equipment/qc/",
        "approval-form": f"/equipment/qc/results/{result.pk}/",
    }
    for testid, url in pages.items():
        html = client.get(url).content.decode()
        assert (f'data-testid="{testid}"' in html) == may[testid], (role, testid)


def test_the_return_refuses_a_technologist_even_when_posted_directly(qc_world, dept):
    client = Client()
    client.force_login(dept["technologist"])
    response = client.post(
        f"/equipment/{dept['meter'].pk}/return-to-service/", {"reason": "fine", "password": "correct-horse-battery-7"}
    )
    assert response.status_code == 403
    assert Equipment.objects.get(pk=dept["meter"].pk).locked_by_qc
    response = client.post(f"/equipment/qc/results/{qc_world[1].pk}/approve/", {"password": "x"})
    assert response.status_code == 403


def test_qc_pages_print_no_python_syntax_and_name_the_zone(qc_world, dept):
    schedule, result = qc_world
    client = Client()
    client.force_login(dept["physicist"])
    for url in (
        "/equipment/",
        "/equipment/qc/",
        f"/equipment/qc/schedules/{schedule.pk}/",
        f"/equipment/qc/results/{result.pk}/",
    ):
        html = client.get(url).content.decode()
        text = re.sub(r"<svg.*?</svg>|<[^>]+>", " ", html, flags=re.S)
        assert not PYTHON_SYNTAX.search(text), (url, PYTHON_SYNTAX.search(text).group(0))
    page = client.get(f"/equipment/qc/results/{result.pk}/").content.decode()
    zone = timezone.localtime(result.performed_at).tzname()
    assert f"{timezone.localtime(result.performed_at):%Y-%m-%d %H:%M} {zone}" in page
    assert ">0.433 %<" in page  # the 0.4329004329 % deviation: 3 significant figures, with its unit
    assert "measured " in page and " MBq" in page  # the constancy row spelled out, not a list of dicts
