"""The audit trail page: filters (user, record type, record, department-zone dates, action), the
before/after of each event field by field, the CSV export of the filtered events, and who may read it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
import time_machine

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db

VIENNA = zoneinfo.ZoneInfo("Europe/Vienna")


@pytest.fixture
def trail(make_user):
    """An equipment record created by one administrator just after midnight in Vienna on 11 March 2026
    (still 10 March in UTC), then renamed and given a formula-looking location by another."""
    from nmguard.apps.equipment.models import Equipment

    first, second = make_user("administrator", "adm-one"), make_user("administrator", "adm-two")
    with (
        time_machine.travel(dt.datetime(2026, 3, 11, 0, 30, tzinfo=VIENNA), tick=False),
        acting_as(first, reason="commissioning"),
    ):
        device = Equipment.objects.create(name="Camera A", kind="gamma_camera", location="Room 1")
    with (
        time_machine.travel(dt.datetime(2026, 3, 12, 9, 0, tzinfo=VIENNA), tick=False),
        acting_as(second, reason="renamed after the upgrade"),
    ):
        device.name = "Camera A (SPECT/CT)"
        device.location = '=HYPERLINK("http://x")'
        device.save()
    return {"device": device, "first": first, "second": second}


def _seqs(response) -> set[int]:
    return {e.seq for e, _ in response.context["rows"]}


def _device_events(device) -> dict[str, AuditEvent]:
    events = AuditEvent.objects.filter(model_label="equipment.Equipment", object_id=str(device.pk))
    return {e.action: e for e in events}


def test_filters_by_record_user_action_and_department_day(client, trail):
    device = trail["device"]
    events = _device_events(device)
    client.force_login(trail["first"])
    base = f"/audit/?model=equipment.Equipment&object={device.pk}"
    assert _seqs(client.get(base)) == {events["create"].seq, events["update"].seq}
    assert _seqs(client.get(base + "&user=adm-two")) == {events["update"].seq}
    assert _seqs(client.get(base + "&action=create")) == {events["create"].seq}
    # 00:30 in Vienna on 11 March is 23:30 UTC on 10 March: the day is the department's
    assert _seqs(client.get(base + "&from=2026-03-11&to=2026-03-11")) == {events["create"].seq}
    assert _seqs(client.get(base + "&to=2026-03-10")) == set()
    assert _seqs(client.get(base + "&from=2026-03-12")) == {events["update"].seq}
    assert _seqs(client.get(f"/audit/?model=equipment.Equipment&object={device.pk + 999}")) == set()


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("from=2026-13-01", "from", b"Enter a date as YYYY-MM-DD"),
        ("to=1800-01-01", "to", b"Enter a date from 1900-01-01 on"),
        ("from=2026-03-12&to=2026-03-11", "to", b"end date is before the start date"),
        ("action=erase", "action", b"Select a valid choice"),
        ("model=nope.Nothing", "model", b"Select a valid choice"),
    ],
)
def test_a_bad_filter_is_an_error_by_its_field_not_a_500(client, trail, query, field, words):
    client.force_login(trail["first"])
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 200
    marker = f'data-testid="error-{field}">'.encode()
    assert marker in response.content
    error = response.content.split(marker, 1)[1].split(b"</span>", 1)[0]
    assert words in error
    assert response.context["rows"] == []  # a typo never looks like the whole trail
    assert client.get(f"/audit/?{query}&format=csv")["Content-Type"].startswith("text/html")


def test_each_event_shows_its_changed_fields_before_and_after(client, trail):
    device = trail["device"]
    update = _device_events(device)["update"]
    client.force_login(trail["first"])
    response = client.get(f"/audit/?model=equipment.Equipment&object={device.pk}&action=update")
    ((event, diff),) = response.context["rows"]
    by_field = {c.field: (c.before, c.after) for c in diff}
    assert by_field["name"] == ("Camera A", "Camera A (SPECT/CT)")
    assert by_field["location"] == ("Room 1", '=HYPERLINK("http://x")')
    assert "kind" not in by_field  # unchanged fields are not listed
    html = response.content.decode()
    table = html.split(f'data-testid="audit-diff-{update.seq}"', 1)[1].split("</table>", 1)[0]
    assert "<del>Camera A</del>" in table and "<ins>Camera A (SPECT/CT)</ins>" in table
    created = client.get(f"/audit/?model=equipment.Equipment&object={device.pk}&action=create")
    ((_, creation),) = created.context["rows"]
    assert {c.field for c in creation} >= {"name", "kind", "location"}
    assert all(c.before is None for c in creation)


def test_csv_holds_every_matching_event_with_formulas_neutralised(client, trail):
    device = trail["device"]
    client.force_login(trail["first"])
    response = client.get(f"/audit/?model=equipment.Equipment&object={device.pk}&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["seq", "at", "user", "action", "record type", "record id"]
    assert [r[3] for r in body] == ["update", "create"]  # newest first, like the page
    assert body[1][1] == "2026-03-11T00:30+01:00"  # the department's zone, with its offset
    changes = body[0][7]
    assert "location: Room 1 → =HYPERLINK" in changes and not changes.startswith("=")
    # a cell that would start a formula is quoted
    with acting_as(trail["first"], reason="=1+1"):
        device.serial_number = "SN-7"
        device.save()
    again = client.get(f"/audit/?model=equipment.Equipment&object={device.pk}&action=update&format=csv")
    latest = list(csv.reader(io.StringIO(b"".join(again.streaming_content).decode("utf-8-sig"))))[1]
    assert latest[6] == "'=1+1"


def test_pagination_keeps_the_filters(client, trail, monkeypatch):
    from nmguard.apps.core import audit_views

    monkeypatch.setattr(audit_views, "PAGE_SIZE", 1)
    device = trail["device"]
    client.force_login(trail["first"])
    first = client.get(f"/audit/?model=equipment.Equipment&object={device.pk}")
    assert first.context["page"].paginator.num_pages == 2
    nxt = first.content.split(b'rel="next"', 1)[0].rsplit(b'href="', 1)[1].split(b'"', 1)[0].decode()
    assert "model=equipment.Equipment" in nxt and f"object={device.pk}" in nxt and "page=2" in nxt
    second = client.get(f"/audit/?model=equipment.Equipment&object={device.pk}&page=2")
    assert _seqs(second) == {_device_events(device)["create"].seq}


@pytest.mark.parametrize("role", ["quality_manager", "rpo", "administrator"])
def test_roles_that_read_the_trail(client, make_user, role):
    client.force_login(make_user(role, f"reader-{role}"))
    assert client.get("/audit/").status_code == 200


@pytest.mark.parametrize("role", ["technologist", "physician", "radiopharmacist"])
def test_other_roles_are_refused_the_page_and_the_csv(client, make_user, role):
    client.force_login(make_user(role, f"refused-{role}"))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/?format=csv").status_code == 403


def test_history_link_opens_the_records_events(client, trail):
    from django.template import Context, Template

    device = trail["device"]
    client.force_login(trail["first"])
    perms_user = trail["first"]
    from django.contrib.auth.context_processors import PermWrapper

    html = Template('{% include "core/_history_link.html" with record=device %}').render(
        Context({"device": device, "perms": PermWrapper(perms_user)})
    )
    href = html.split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert href == f"/audit/?model=equipment.Equipment&object={device.pk}"
    assert _seqs(client.get(href)) == {e.seq for e in _device_events(device).values()}


def test_every_action_the_code_writes_can_be_filtered():
    """Each action name passed to the trail anywhere in the source is offered by the action filter."""
    import re
    from pathlib import Path

    import nmguard
    from nmguard.apps.core.audit_views import OTHER_ACTIONS

    written = set()
    for path in Path(nmguard.__file__).parent.rglob("*.py"):
        written |= set(re.findall(r"(?:record_event|_record)\(\s*\"(\w+)\"", path.read_text(encoding="utf-8")))
    offered = {value for value, _ in AuditEvent.Action.choices} | {value for value, _ in OTHER_ACTIONS}
    assert written >= {"create", "sign", "backup_written", "dicom_received"}  # the scan finds them
    assert written <= offered


def test_an_action_outside_the_models_choices_is_filtered(client, trail):
    from nmguard.apps.core.audit import record_event

    with acting_as(trail["first"], reason="nightly"):
        record_event("backup_written", after={"archive": "x.tar"}, reason="nightly backup")
    client.force_login(trail["first"])
    ((event, diff),) = client.get("/audit/?action=backup_written").context["rows"]
    assert event.reason == "nightly backup" and [(c.field, c.after) for c in diff] == [("archive", "x.tar")]
