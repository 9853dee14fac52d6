"""The staff dosimetry pages (issue 15 item 2): doses against limits with the plot, the profile switch, the
import with its preview, the worker's history with a correction struck and a pregnancy, the RPO's alert,
who may write, and the overview's query count not growing with the number of workers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.protection.test_staff_import import BAD, monthly_file

YEAR = 2026


@pytest.fixture
def rpo(make_user):
    return make_user("rpo", "rpo1")


def _department(jurisdiction: str, user) -> None:
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.core.models import Department

    with acting_as(user, reason="test"):
        d = Department.objects.first() or Department(name="Test NM")
        d.jurisdiction = jurisdiction
        d.save()


def _import(text: str, user) -> None:
    from nmguard.apps.protection.dose_import import import_readings

    import_readings(text, "service.csv", user)


def test_overview_status_follows_the_department_profile(client, rpo):
    """W1 12 x 1.75 = 21 mSv: IAEA (20 mSv/y averaged over 5 y, 50 in one year) -> investigation level;
    Euratom (20 mSv in a single year) -> limit exceeded. W2 12 x 0.1 = 1.2 mSv: ok under both."""
    _import(monthly_file({"W1": 1.75, "W2": 0.1}, YEAR), rpo)
    client.force_login(rpo)
    _department("iaea-gsr3", rpo)
    page = client.get("/protection/", {"year": YEAR})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-worker="W1" data-status="investigation"' in html and 'data-worker="W2" data-status="ok"' in html
    assert 'data-testid="dose-plot"' in html and "<svg" in html and "100 mSv in 5 y = 20/y" in html
    _department("euratom-2013-59", rpo)
    html = client.get("/protection/", {"year": YEAR}).content.decode()
    assert 'data-worker="W1" data-status="limit_exceeded"' in html and "exceeds 20 mSv" in html
    assert "limit 20 mSv in a year" in html
    # a what-if profile by the filter, and a bad year shown by its field
    assert (
        'data-status="investigation"' in client.get("/protection/", {"year": YEAR, "profile": "iaea"}).content.decode()
    )
    bad = client.get("/protection/", {"year": "abc"})
    assert bad.status_code == 200 and 'data-field="year"' in bad.content.decode()


def test_overview_query_count_does_not_grow_with_workers(client, rpo):
    _import(monthly_file({"A1": 0.1}, YEAR), rpo)
    client.force_login(rpo)
    client.get("/protection/", {"year": YEAR})  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/protection/", {"year": YEAR}).status_code == 200
    _import(monthly_file({f"B{i}": 0.1 * i for i in range(1, 21)}, YEAR), rpo)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/protection/", {"year": YEAR}).content.decode().count("data-worker=") == 21
    assert len(many) == len(few), [q["sql"][:90] for q in many.captured_queries]


def test_import_preview_then_import_the_good_rows(client, rpo):
    from nmguard.apps.protection.models import DoseReading

    client.force_login(rpo)
    assert client.get("/protection/import/").status_code == 200
    missing = client.post("/protection/import/", {"action": "preview"})
    assert missing.status_code == 200 and 'data-field="file"' in missing.content.decode()
    preview = client.post(
        "/protection/import/", {"action": "preview", "file": SimpleUploadedFile("bad.csv", BAD.encode())}
    )
    html = preview.content.decode()
    assert 'data-testid="bad-rows"' in html and "<td>3</td><td>period_end</td>" in html and "<td>5</td>" in html
    assert DoseReading.objects.count() == 0  # a preview stores nothing
    confirm = preview.context["confirm"].initial
    refused = client.post("/protection/import/", {**confirm, "action": "import"})
    assert 'data-testid="import-error"' in refused.content.decode() and DoseReading.objects.count() == 0
    done = client.post("/protection/import/", {**confirm, "action": "import_good"})
    assert 'data-testid="import-done"' in done.content.decode() and DoseReading.objects.count() == 1
    tampered = client.post("/protection/import/", {**confirm, "content": confirm["content"] + "x", "action": "import"})
    assert "Upload the file again" in tampered.content.decode()
    not_utf8 = client.post(
        "/protection/import/", {"action": "preview", "file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad")}
    )
    assert 'data-field="file"' in not_utf8.content.decode()


@pytest.mark.parametrize("role", ["technologist", "read_only"])
def test_a_role_that_may_not_write_gets_403_on_import_but_views(client, make_user, rpo, role):
    _import(monthly_file({"W1": 0.1}, YEAR), rpo)
    client.force_login(make_user(role, f"u-{role}"))
    assert client.get("/protection/import/").status_code == 403
    post = client.post("/protection/import/", {"action": "preview", "file": SimpleUploadedFile("a.csv", b"x")})
    assert post.status_code == 403
    assert client.get("/protection/", {"year": YEAR}).status_code == 200


def test_worker_page_history_correction_and_pregnancy(client, rpo):
    """Corrected reading struck with its reason; the embryo/fetus dose since a declaration on 2026-07-01 is
    the Hp(10) of July..December = 6 x 0.1 = 0.6 mSv (whole months after the declaration day)."""
    from nmguard.apps.protection.dose_import import correct_reading
    from nmguard.apps.protection.models import DoseReading, Worker

    _import(monthly_file({"W1": 0.1}, YEAR - 1) + monthly_file({"W1": 0.1}, YEAR).split("\n", 1)[1], rpo)
    old = DoseReading.objects.get(worker__worker_id="W1", period_start=dt.date(YEAR, 3, 1))
    correct_reading(old, {"hp10_mSv": 0.5}, "badge re-read by the service", rpo)
    worker = Worker.objects.get(worker_id="W1")
    client.force_login(rpo)
    declare = client.post(f"/protection/workers/{worker.pk}/pregnancy/", {"declared_on": f"{YEAR}-07-01"})
    assert declare.status_code == 302
    html = client.get(f"/protection/workers/{worker.pk}/").content.decode()
    assert 'data-testid="history-plot"' in html and "<svg" in html
    assert "corrected: badge re-read by the service" in html and 'data-superseded="1"' in html and "<s>0.1</s>" in html
    assert f'data-year="{YEAR}"' in html and f'data-year="{YEAR - 1}"' in html
    assert "Embryo/fetus dose since the declaration: <strong>0.6 mSv</strong>" in html
    again = client.post(f"/protection/workers/{worker.pk}/pregnancy/", {"declared_on": f"{YEAR}-08-01"})
    assert again.status_code == 400 and 'data-field="declared_on"' in again.content.decode()


def test_rpo_dashboard_alert_for_workers_at_the_investigation_level(client, rpo, make_user):
    """This year's W1 at 12 x 1.75 = 21 mSv is past the IAEA investigation level (6 mSv); the technologist
    gets no alert (the RPO's work)."""
    from django.utils import timezone

    from nmguard.apps.core.dashboard import attention_items

    _department("iaea-gsr3", rpo)
    _import(monthly_file({"W1": 1.75, "W2": 0.1}, timezone.localdate().year), rpo)
    titles = [i.title for i in attention_items(rpo)]
    assert any(t.startswith("Investigation level reached: Worker W1") for t in titles)
    assert not any("W2" in t for t in titles)
    assert not any("W1" in i.title for i in attention_items(make_user("technologist", "t1")))


def test_correction_page_supersedes_with_reason_and_refuses_without(client, rpo, make_user):
    from nmguard.apps.protection.models import DoseReading

    _import(monthly_file({"W1": 0.1}, YEAR), rpo)
    reading = DoseReading.objects.get(worker__worker_id="W1", period_start=dt.date(YEAR, 1, 1))
    client.force_login(make_user("technologist", "t1"))
    assert client.get(f"/protection/readings/{reading.pk}/correct/").status_code == 403
    client.force_login(rpo)
    page = client.get(f"/protection/readings/{reading.pk}/correct/")
    assert page.status_code == 200 and 'value="0.1"' in page.content.decode()
    no_reason = client.post(f"/protection/readings/{reading.pk}/correct/", {"hp10_mSv": "0.3", "reason": ""})
    assert no_reason.status_code == 400 and 'data-field="reason"' in no_reason.content.decode()
    negative = client.post(f"/protection/readings/{reading.pk}/correct/", {"hp10_mSv": "-1", "reason": "typo"})
    assert negative.status_code == 400 and 'data-field="hp10_mSv"' in negative.content.decode()
    ok = client.post(f"/protection/readings/{reading.pk}/correct/", {"hp10_mSv": "0.3", "reason": "typo in the file"})
    assert ok.status_code == 302
    reading.refresh_from_db()
    assert reading.superseded_by.hp10_mSv == 0.3 and reading.supersede_reason == "typo in the file"
    assert reading.superseded_by.hp007_mSv is None  # empty stays "not measured"


def test_register_category_changes_the_limits_with_a_reason(client, rpo):
    """NRC 10 CFR 20.1207: a minor's limit is 10 % of the adult's, 5 mSv effective (dose_limits.toml): W1 at
    12 x 0.6 = 7.2 mSv is ok as an adult worker (50 mSv, investigation level 15 mSv), over as an apprentice."""
    from nmguard.apps.protection.models import Worker

    _department("us-nrc", rpo)
    _import(monthly_file({"W1": 0.6}, YEAR), rpo)
    worker = Worker.objects.get(worker_id="W1")
    client.force_login(rpo)
    assert 'data-status="ok"' in client.get("/protection/", {"year": YEAR}).content.decode()
    url = f"/protection/workers/{worker.pk}/edit/"
    missing = client.post(url, {"name": "Ann", "category": "apprentice", "active": "on", "reason": ""})
    assert missing.status_code == 400 and 'data-field="reason"' in missing.content.decode()
    data = {"name": "Ann", "category": "apprentice", "active": "on", "reason": "apprentice, 17", "user": rpo.pk}
    assert client.post(url, data).status_code == 302
    worker.refresh_from_db()
    assert (worker.name, worker.category, worker.user) == ("Ann", "apprentice", rpo)
    html = client.get("/protection/", {"year": YEAR}).content.decode()
    assert 'data-worker="W1" data-status="limit_exceeded"' in html


def test_another_services_layout_mapped_by_column(client, rpo):
    """A file with its own header: the mapped columns give the same readings as the generic format; the bad
    row keeps the other file's row number; an unknown column is refused above the form."""
    other = (
        "Badge,Person,Type,From,To,Hp10,Hp007\n"
        + "W7,Eve Ray,whole_body,2026-01-01,2026-01-31,0.4,0.5\n"
        + "W7,Eve Ray,whole_body,2026-02-01,2026-02-28,-0.1,0.5\n"
    )
    columns = {"worker_id": "Badge", "name": "Person", "dosimeter": "Type", "period_start": "From"}
    columns |= {"period_end": "To", "hp10_mSv": "Hp10", "hp007_mSv": "Hp007"}
    client.force_login(rpo)
    data = {"action": "preview", "file": SimpleUploadedFile("other.csv", other.encode())}
    preview = client.post("/protection/import/", data | {f"map_{k}": v for k, v in columns.items()})
    result = preview.context["result"]
    assert result.imported == 1 and result.new_workers == ["W7"] and [r["row"] for r in result.rejected] == [3]
    wrong = {"action": "preview", "file": SimpleUploadedFile("other.csv", other.encode())}
    bad = client.post(
        "/protection/import/", wrong | {f"map_{k}": v for k, v in columns.items()} | {"map_hp10_mSv": "X"}
    )
    assert 'data-testid="form-error"' in bad.content.decode() and "column &#x27;X&#x27;" in bad.content.decode()
