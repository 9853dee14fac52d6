"""Sealed sources in the app (issue 15 item 6): a failing leak test withdraws the source (audited); refusals
(future date, negative activity, MDA above the limit) by their field; a withdrawn or overdue source is refused as
a QC check source by the service and the QC entry page; the pages per role; the signed inventory; the API; the
demo; the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.equipment import qc_entry, qc_services
from nmguard.apps.equipment.models import CheckSource
from nmguard.apps.protection import source_services as svc
from nmguard.apps.protection.source_models import LeakTest, SealedSource, SourceInventory
from nmguard.errors import InputError
from tests.conftest import PASSWORD
from tests.department import now_minute

pytestmark = pytest.mark.django_db


@pytest.fixture
def rpo(make_user):
    return make_user("rpo", "rpo-s")


def _source(user, serial="CO-1", nuclide="Co-57", activity=370e6, check_source=None, days=30, **kw):
    return svc.register_source(
        user,
        check_source=check_source,
        nuclide=nuclide,
        serial_number=serial,
        activity_Bq=activity,
        reference_at=timezone.now() - dt.timedelta(days=days),
        use=kw.pop("use", SealedSource.Use.FLOOD),
        location="Camera room",
        custodian=user,
        received_on=timezone.localdate() - dt.timedelta(days=days),
        **kw,
    )


def _wipe(source, user, removable=2.0, mda=8.0, minutes=5, **kw):
    return svc.record_leak_test(
        source,
        wiped_at=now_minute() - dt.timedelta(minutes=minutes),
        user=user,
        removable_Bq=removable,
        mda_Bq=mda,
        **kw,
    )


def test_a_failing_leak_test_withdraws_the_source_with_the_reason(rpo):
    from nmguard.apps.core.models import AuditEvent

    source = _source(rpo)
    assert svc.leak_state(source).state == "overdue"  # never tested: due on receipt (before first use)
    assert _wipe(source, rpo).passed and svc.leak_state(source).state == "ok"
    test = _wipe(source, rpo, removable=190.0, minutes=1)
    source.refresh_from_db()
    assert not test.passed and test.limit_Bq == 185.0
    assert source.status == "withdrawn" and "failed leak test" in source.status_reason and "185" in source.status_reason
    events = AuditEvent.objects.filter(model_label="protection.SealedSource", object_id=str(source.pk))
    assert events.filter(actor=rpo, reason__contains="failed leak test").exists()
    # return to use needs a passing test after the withdrawal
    with pytest.raises(InputError, match="passing leak test"):
        svc.change_status(source, "in_use", "repaired", rpo)
    _wipe(source, rpo, removable=1.0, minutes=0)
    assert svc.change_status(source, "in_use", "repaired by the supplier, re-tested", rpo).status == "in_use"
    svc.change_status(source, "disposed", "returned to the supplier", rpo)
    with pytest.raises(InputError, match="disposed"):
        _wipe(source, rpo)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"removable": -1.0}, "removable_Bq"),
        ({"mda": 500.0}, "mda_Bq"),
        ({"minutes": -120}, "wiped_at"),  # in the future
        ({"minutes": 60 * 24 * 365 * 200}, "wiped_at"),  # before 1900
    ],
)
def test_leak_test_refusals_name_the_field(rpo, kw, field):
    source = _source(rpo)
    with pytest.raises(InputError) as err:
        _wipe(source, rpo, **kw)
    assert err.value.field == field
    assert LeakTest.objects.count() == 0 and SealedSource.objects.get().status == "in_use"


def test_register_refusals(rpo):
    with pytest.raises(InputError) as err:
        _source(rpo, activity=-5.0)
    assert err.value.field == "activity_Bq"
    with pytest.raises(InputError) as err:
        _source(rpo, days=-3)
    assert err.value.field == "reference_at"
    _source(rpo)
    with pytest.raises(InputError) as err:
        _source(rpo)
    assert err.value.field == "serial_number"


@pytest.fixture
def constancy(dept, rpo):
    """A meter's constancy schedule whose check source is a registered, tested sealed source."""
    with acting_as(dept["physicist"], reason="fixture"):
        check = CheckSource.objects.create(
            name="Cs",
            nuclide="Cs-137",
            certified_activity_Bq=7.4e6,
            certified_at=timezone.now() - dt.timedelta(days=900),
        )
    schedule = qc_services.schedule_test(dept["meter"], "am-constancy", dept["physicist"], check_source=check)
    sealed = _source(rpo, serial="CS-QC", nuclide="Cs-137", activity=7.4e6, check_source=check, use="check", days=900)
    _wipe(sealed, rpo, minutes=60)
    return schedule, sealed


def _reading(schedule, tech, minutes=2):
    at = now_minute() - dt.timedelta(minutes=minutes)
    expected = qc_services.expected_reading(schedule, at).expected_Bq
    return qc_entry.record_from_form(schedule, {"performed_at": at, "reading": expected, "comment": ""}, tech)


def test_a_withdrawn_check_source_is_refused_in_qc(constancy, dept, rpo):
    schedule, sealed = constancy
    assert _reading(schedule, dept["technologist"], minutes=30).outcome == "ok"
    _wipe(sealed, rpo, removable=400.0, minutes=20)  # fails: withdrawn
    with pytest.raises(InputError) as err:
        _reading(schedule, dept["technologist"])
    assert err.value.field == "check_source"
    assert "CS-QC is withdrawn" in err.value.message and "failed leak test" in err.value.message
    # the QC entry page shows why, and stores nothing
    client = Client()
    client.force_login(dept["technologist"])
    count = schedule.results.count()
    local = timezone.localtime(now_minute() - dt.timedelta(minutes=1))
    page = client.post(
        f"/equipment/qc/schedules/{schedule.pk}/results/",
        {"performed_at": local.strftime("%Y-%m-%dT%H:%M"), "reading": "7 MBq", "comment": ""},
    )
    assert "CS-QC is withdrawn" in page.content.decode() and schedule.results.count() == count
    banner = client.get(f"/equipment/qc/schedules/{schedule.pk}/").content.decode()
    assert 'data-testid="source-refusal"' in banner and "CS-QC is withdrawn" in banner


def test_an_overdue_check_source_is_refused_in_qc(constancy, dept, rpo):
    schedule, sealed = constancy
    LeakTest.objects.filter(source=sealed).update(wiped_at=timezone.now() - dt.timedelta(days=200))
    assert svc.leak_state(sealed).state == "overdue"
    with pytest.raises(InputError, match="leak test overdue since"):
        _reading(schedule, dept["technologist"])


@pytest.mark.parametrize("role", ["rpo", "physicist", "technologist", "read_only"])
def test_pages_per_role(make_user, rpo, role):
    source = _source(rpo)
    user = rpo if role == "rpo" else make_user(role, f"src-{role}")
    client = Client()
    client.force_login(user)
    writes = role in ("rpo", "physicist")
    register = client.get("/protection/sources/").content.decode()
    assert f'data-serial="{source.serial_number}" data-leak="overdue"' in register
    assert ("Register a source" in register) == writes
    page = client.get(f"/protection/sources/{source.pk}/")
    assert page.status_code == 200 and ('data-testid="leak-form"' in page.content.decode()) == writes
    now = timezone.localtime(now_minute()).strftime("%Y-%m-%dT%H:%M")
    post = client.post(
        f"/protection/sources/{source.pk}/leak-test/", {"wiped_at": now, "removable_Bq": "1", "mda_Bq": "8"}
    )
    assert post.status_code == (302 if writes else 403)
    assert client.get("/protection/sources/inventory/").status_code == 200


def test_leak_form_errors_by_their_field(client, rpo):
    source = _source(rpo)
    client.force_login(rpo)
    now = timezone.localtime(now_minute()).strftime("%Y-%m-%dT%H:%M")
    page = client.post(
        f"/protection/sources/{source.pk}/leak-test/", {"wiped_at": now, "removable_Bq": "3", "mda_Bq": "300"}
    )
    html = page.content.decode()
    assert page.status_code == 400 and 'data-field="mda_Bq"' in html and "cannot detect" in html
    assert LeakTest.objects.count() == 0


def test_register_a_source_by_the_page(client, rpo):
    client.force_login(rpo)
    data = {
        "nuclide": "ba133",
        "serial_number": "BA-9",
        "activity": "250 uCi",
        "reference_at": "2025-01-01T10:00",
        "emission": "beta_gamma",
        "use": "calibration",
        "location": "Hot lab",
        "custodian": rpo.pk,
        "received_on": "2025-01-02",
    }
    assert client.post("/protection/sources/new/", data).status_code == 302
    source = SealedSource.objects.get()
    assert source.nuclide == "Ba-133" and source.activity_Bq == pytest.approx(250e-6 * 3.7e10)
    bad = client.post("/protection/sources/new/", {**data, "serial_number": "BA-10", "activity": "-3 MBq"})
    assert bad.status_code == 400 and 'data-field="activity"' in bad.content.decode()


def test_the_inventory_is_signed_and_a_missing_source_recorded(client, rpo):
    present, missing = _source(rpo, serial="A"), _source(rpo, serial="B")
    assert svc.inventory_state().state == "overdue"
    client.force_login(rpo)
    form = {"performed_on": timezone.localdate().isoformat(), "password": "wrong", f"seen_{present.pk}": "on"}
    form |= {f"location_{present.pk}": "Camera room", f"location_{missing.pk}": ""}
    bad = client.post("/protection/sources/inventory/", form)
    assert bad.status_code == 400 and 'data-field="password"' in bad.content.decode()
    assert SourceInventory.objects.count() == 0
    assert client.post("/protection/sources/inventory/", {**form, "password": PASSWORD}).status_code == 302
    inventory = SourceInventory.objects.get()
    assert inventory.signature.meaning == "verified" and "missing: Co-57 B" in inventory.signature.statement
    assert {i.source.serial_number: i.present for i in inventory.items.all()} == {"A": True, "B": False}
    assert svc.inventory_state().state == "ok"


def test_api(client, rpo, make_user):
    source = _source(rpo)
    client.force_login(rpo)
    listed = client.get("/api/v1/protection/sources").json()
    assert listed[0]["serial_number"] == "CO-1" and listed[0]["leak_test"]["state"] == "overdue"
    url = f"/api/v1/protection/sources/{source.pk}/leak-tests"
    at = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    bad = client.post(url, {"wiped_at": at, "removable_Bq": 1.0, "mda_Bq": 400.0}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "mda_Bq"]
    fail = client.post(url, {"wiped_at": at, "removable_Bq": 300.0, "mda_Bq": 8.0}, content_type="application/json")
    assert fail.status_code == 201 and fail.json()["passed"] is False and fail.json()["source_status"] == "withdrawn"
    created = client.post(
        "/api/v1/protection/sources",
        {
            "nuclide": "Co-57",
            "serial_number": "API-1",
            "activity": "10 mCi",
            "reference_at": "2025-01-01T10:00:00+00:00",
            "use": "marker",
            "location": "Room 2",
            "custodian": rpo.username,
            "received_on": "2025-01-02",
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["activity_Bq"] == pytest.approx(3.7e8)
    inv = client.post(
        "/api/v1/protection/inventories",
        {
            "performed_on": timezone.localdate().isoformat(),
            "password": PASSWORD,
            "items": [{"source": source.pk, "present": True}],
        },
        content_type="application/json",
    )
    assert inv.status_code == 422 and inv.json()["detail"][0]["loc"] == ["body", "sources"]  # API-1 not listed
    reader = Client()
    reader.force_login(make_user("technologist", "src-tech"))
    assert reader.get("/api/v1/protection/sources").status_code == 200
    assert (
        reader.post(
            url, {"wiped_at": at, "removable_Bq": 1.0, "mda_Bq": 8.0}, content_type="application/json"
        ).status_code
        == 403
    )


def test_demo_loads_with_a_source_due_within_the_week(make_user):
    from nmguard.apps.core.roles import Role
    from nmguard.apps.protection.source_attention import sources_attention
    from nmguard.apps.protection.source_demo import load_sources_demo

    users = {role: make_user(role.value, f"demo-{role.value}") for role in Role}
    with acting_as(users[Role.PHYSICIST], reason="fixture"):
        CheckSource.objects.create(
            name="Cs-137 reference vial",
            nuclide="Cs-137",
            serial_number="CS-2019-114",
            certified_activity_Bq=7.77e6,
            certified_at=timezone.now() - dt.timedelta(days=6 * 365),
        )
    load_sources_demo(users, rpo_password=PASSWORD)
    today = timezone.localdate()
    states = {r.source.serial_number: r.leak for r in svc.register(today)}
    assert states["CS-2019-114"].state == "due" and 0 <= (states["CS-2019-114"].due - today).days <= 7
    assert states["MK-57-0012"].state == "exempt"
    assert states["FL-57-2291"].state == "ok" and states["BA-133-0457"].state == "ok"
    assert [r.source.serial_number for r in svc.leak_tests_due(today)] == ["CS-2019-114"]
    assert SourceInventory.objects.get().signature is not None
    titles = [i.title for i in sources_attention(users[Role.RPO])]
    assert any("Leak test due" in t and "CS-2019-114" in t for t in titles)
    assert sources_attention(users[Role.TECHNOLOGIST]) == []


def test_register_page_queries_do_not_grow_with_sources(client, rpo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(rpo)
    for i in range(2):
        _wipe(_source(rpo, serial=f"S{i}"), rpo)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/protection/sources/").status_code == 200
    for i in range(2, 8):
        _wipe(_source(rpo, serial=f"S{i}"), rpo)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/protection/sources/").content.decode().count("data-serial=") == 8
    assert len(many) == len(few), (len(few), len(many))
