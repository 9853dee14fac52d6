"""The RPO dashboard (issue 15 item 7): doses against limits per worker and per group with plots, the alerts
with their investigation state, the profile switch changing the decision where the texts differ, open
investigations and events, the dashboard attention items, and who may open an investigation."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD
from tests.protection.test_staff_import import monthly_file
from tests.protection.test_staff_pages import _department, _import

YEAR = 2026


@pytest.fixture
def rpo(make_user):
    return make_user("rpo", "rpo1")


def _row(html: str, alert: str) -> str:
    match = re.search(rf'<tr data-alert="{alert}"[^>]*>', html)
    assert match, f"no alert row {alert}"
    return match.group(0)


def test_dashboard_alert_to_investigation_to_closed(client, rpo):
    """W1 12 x 0.6 = 7.2 mSv >= 6 mSv (IAEA investigation level, 30 % of 20 mSv): one alert, no investigation
    yet; opened from the dashboard it shows open; closed by e-signature it shows closed and by whom."""
    from nmguard.apps.protection.event_models import Investigation

    _department("iaea-gsr3", rpo)
    _import(monthly_file({"W1": 0.6, "W2": 0.1}, YEAR), rpo)
    client.force_login(rpo)
    html = client.get("/protection/rpo/", {"year": YEAR}).content.decode()
    assert 'data-state="none"' in _row(html, "W1-effective") and 'data-level="investigation"' in _row(
        html, "W1-effective"
    )
    assert 'data-alert="W2' not in html
    assert 'data-testid="open-investigation"' in html
    w1 = Investigation._meta.get_field("worker").related_model.objects.get(worker_id="W1")
    opened = client.post(f"/protection/workers/{w1.pk}/investigate/", {"year": YEAR, "quantity": "effective"})
    inv = Investigation.objects.get()
    assert opened.status_code == 302 and opened["Location"] == f"/protection/investigations/{inv.pk}/"
    html = client.get("/protection/rpo/", {"year": YEAR}).content.decode()
    assert 'data-state="open"' in _row(html, "W1-effective")
    assert f"Investigation {inv.pk}</a>: " in html  # the open-investigations panel
    # the worker page shows the same state
    assert 'data-state="open"' in client.get(f"/protection/workers/{w1.pk}/").content.decode()
    # closing: each missing field and a wrong password shown by its field, nothing closed
    page = client.post(
        f"/protection/investigations/{inv.pk}/", {"action": "close", "findings": "f", "password": PASSWORD}
    )
    assert page.status_code == 400 and 'data-field="cause"' in page.content.decode()
    values = {"findings": "badge left near the generator", "cause": "storage", "actions": "board moved"}
    page = client.post(f"/protection/investigations/{inv.pk}/", {"action": "close", **values, "password": "nope"})
    assert page.status_code == 400 and 'data-field="password"' in page.content.decode()
    assert client.post(f"/protection/investigations/{inv.pk}/", {"action": "save", **values}).status_code == 302
    assert Investigation.objects.get().findings == values["findings"]
    done = client.post(f"/protection/investigations/{inv.pk}/", {"action": "close", **values, "password": PASSWORD})
    assert done.status_code == 302 and Investigation.objects.get().status == "closed"
    html = client.get("/protection/rpo/", {"year": YEAR}).content.decode()
    row_state = re.search(r'data-testid="alert-state" data-state="closed">.*?</span>', html, re.S).group(0)
    assert "closed" in row_state and str(rpo) in row_state
    detail = client.get(f"/protection/investigations/{inv.pk}/").content.decode()
    assert 'data-status="closed"' in detail and "investigation-form" not in detail


def test_dashboard_decision_follows_the_profile_and_groups(client, rpo, make_user):
    """W1 21 mSv: IAEA -> investigation level (20 mSv/y averaged over five years, 50 in a year); Euratom ->
    limit exceeded (20 mSv in a single year). Groups: W1 linked to a technologist's account, W2 not linked."""
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.protection.models import Worker

    _import(monthly_file({"W1": 1.75, "W2": 0.1, "W3": 0.2}, YEAR), rpo)
    with acting_as(rpo, reason="test"):
        w1 = Worker.objects.get(worker_id="W1")
        w1.user = make_user("technologist", "tech1")
        w1.save()
    client.force_login(rpo)
    _department("iaea-gsr3", rpo)
    html = client.get("/protection/rpo/", {"year": YEAR}).content.decode()
    assert 'data-level="investigation"' in _row(html, "W1-effective")
    assert 'data-testid="plot-effective"' in html and "100 mSv in 5 y = 20/y" in html
    assert 'data-testid="plot-group-category"' in html and 'data-testid="plot-group-role"' in html
    assert 'data-group="role:Technologist"' in html and 'data-group="role:not linked to an account"' in html
    # the collective dose of the adult workers: 12 x (1.75 + 0.1 + 0.2) = 24.6 person-mSv
    group = re.search(r'<tr data-group="category:Adult occupationally exposed worker">.*?</tr>', html, re.S).group(0)
    assert "24.600 person-mSv" in group and "<td>3</td>" in group
    _department("euratom-2013-59", rpo)
    html = client.get("/protection/rpo/", {"year": YEAR}).content.decode()
    assert 'data-level="limit_exceeded"' in _row(html, "W1-effective") and "limit 20 mSv in a year" in html
    # a what-if profile shows the decision but offers no investigation (the department's profile decides)
    html = client.get("/protection/rpo/", {"year": YEAR, "profile": "iaea"}).content.decode()
    assert 'data-level="investigation"' in _row(html, "W1-effective") and 'data-testid="open-investigation"' not in html


def test_attention_items_carry_the_investigation_state(rpo):
    from django.utils import timezone

    from nmguard.apps.core.dashboard import attention_items
    from nmguard.apps.protection import investigation_records as ir
    from nmguard.apps.protection.models import Worker

    year = timezone.localdate().year
    _department("iaea-gsr3", rpo)
    _import(monthly_file({"W1": 0.6}, year), rpo)
    (item,) = [i for i in attention_items(rpo) if "W1" in i.title]
    assert item.detail.endswith("no investigation yet") and item.url == "/protection/rpo/"
    inv = ir.open_investigation(Worker.objects.get(worker_id="W1"), year, "effective", rpo)
    (item,) = [i for i in attention_items(rpo) if "W1" in i.title]
    assert item.detail.endswith(f"investigation {inv.pk} open") and item.url.endswith(f"/investigations/{inv.pk}/")
    ir.close_investigation(inv, {"findings": "f", "cause": "c", "actions": "a"}, rpo, PASSWORD)
    (item,) = [i for i in attention_items(rpo) if "W1" in i.title]
    assert f"investigation {inv.pk} closed" in item.detail and str(rpo) in item.detail


def test_who_may_see_and_open(client, rpo, make_user):
    from nmguard.apps.protection.models import Worker

    _department("iaea-gsr3", rpo)
    _import(monthly_file({"W1": 0.6}, YEAR), rpo)
    tech = make_user("technologist", "tech1")
    client.force_login(tech)
    html = client.get("/protection/rpo/", {"year": YEAR}).content.decode()
    assert 'data-state="none"' in _row(html, "W1-effective") and 'data-testid="open-investigation"' not in html
    w1 = Worker.objects.get(worker_id="W1")
    refused = client.post(f"/protection/workers/{w1.pk}/investigate/", {"year": YEAR, "quantity": "effective"})
    assert refused.status_code == 403
    from nmguard.apps.protection import investigation_records as ir

    inv = ir.open_investigation(w1, YEAR, "effective", rpo)
    assert "investigation-form" not in client.get(f"/protection/investigations/{inv.pk}/").content.decode()
    changed = client.post(f"/protection/investigations/{inv.pk}/", {"action": "save", "findings": "x"})
    assert changed.status_code == 403
    inv.refresh_from_db()
    assert inv.findings == ""
    client.logout()
    assert client.get("/protection/rpo/").status_code == 302  # to the sign-in page
    client.force_login(rpo)
    bad = client.post(f"/protection/workers/{w1.pk}/investigate/", {"year": YEAR, "quantity": "lens"})
    assert bad.status_code == 400 and "raises no alert" in bad.content.decode()


def test_panels_of_the_other_parts(client, rpo):
    """A survey location first due today is listed as due; a source received 400 days ago and never tested is
    listed under leak tests due; with no administered therapy cycle the release panel is empty."""
    import datetime as dt

    from django.utils import timezone

    from nmguard.apps.protection import source_services, survey_services

    today = timezone.localdate()
    survey_services.create_location(
        rpo, name="Hot lab bench", area_kind="controlled", survey_kind="dose_rate", frequency="weekly", first_due=today
    )
    source = source_services.register_source(
        rpo,
        nuclide="Cs-137",
        serial_number="REF-1",
        activity_Bq=7.4e6,
        reference_at=timezone.now() - dt.timedelta(days=400),
        use="reference",
        location="Hot lab",
        custodian=rpo,
        received_on=today - dt.timedelta(days=400),
    )
    client.force_login(rpo)
    html = client.get("/protection/rpo/").content.decode()
    surveys = re.search(r'data-testid="panel-surveys-due".*?</section>', html, re.S).group(0)
    assert "Hot lab bench: due" in surveys and "/protection/monitoring/locations/" in surveys
    leaks = re.search(r'data-testid="panel-leak-tests-due".*?</section>', html, re.S).group(0)
    assert f"/protection/sources/{source.pk}/" in leaks and "leak test" in leaks
    release = re.search(r'data-testid="panel-release-waiting".*?</section>', html, re.S).group(0)
    assert "<li>None.</li>" in release


def test_dashboard_query_count_does_not_grow_with_workers(client, rpo, make_user):
    """More workers, accounts, alerts and investigations: the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.protection import investigation_records as ir
    from nmguard.apps.protection.models import Worker

    _department("iaea-gsr3", rpo)
    _import(monthly_file({"A1": 0.6, "A2": 0.1}, YEAR), rpo)
    ir.open_investigation(Worker.objects.get(worker_id="A1"), YEAR, "effective", rpo)
    with acting_as(rpo, reason="test"):  # one linked account already: the role groups are then read once
        a1 = Worker.objects.get(worker_id="A1")
        a1.user = make_user("physicist", "phys0")
        a1.save()
    client.force_login(rpo)
    client.get("/protection/rpo/", {"year": YEAR})
    with CaptureQueriesContext(connection) as few:
        assert client.get("/protection/rpo/", {"year": YEAR}).status_code == 200
    _import(monthly_file({f"B{i}": 0.6 for i in range(1, 11)}, YEAR), rpo)
    with acting_as(rpo, reason="test"):
        for i in range(1, 6):
            w = Worker.objects.get(worker_id=f"B{i}")
            w.user = make_user("technologist", f"tech{i}")
            w.save()
    for i in range(1, 4):
        ir.open_investigation(Worker.objects.get(worker_id=f"B{i}"), YEAR, "effective", rpo)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/protection/rpo/", {"year": YEAR}).content.decode().count('data-alert="') == 11
    assert len(many) == len(few), [q["sql"][:90] for q in many.captured_queries]


def test_investigation_list_status_filter(client, rpo):
    from nmguard.apps.protection import investigation_records as ir
    from nmguard.apps.protection.models import Worker

    _department("iaea-gsr3", rpo)
    _import(monthly_file({"W1": 0.6, "W2": 0.7}, YEAR), rpo)
    ir.open_investigation(Worker.objects.get(worker_id="W1"), YEAR, "effective", rpo)
    closed = ir.open_investigation(Worker.objects.get(worker_id="W2"), YEAR, "effective", rpo)
    ir.close_investigation(closed, {"findings": "f", "cause": "c", "actions": "a"}, rpo, PASSWORD)
    client.force_login(rpo)
    for status, n in (("open", 1), ("closed", 1), ("", 2)):
        html = client.get("/protection/investigations/", {"status": status}).content.decode()
        assert html.count("data-investigation=") == n and (not status or html.count(f'data-status="{status}"') == n)
