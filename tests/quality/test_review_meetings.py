"""Management-review meetings (issue 16): recorded, signed by the chair (then read-only), the indicator snapshot
frozen at signing, wrong password and future dates refused by their fields, a technologist reads but may not
record (403 naming the role), the minutes PDF marked DRAFT until signed, the API's 422 naming the field, the demo."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.reporting.test_qc_report_layout import pdf_pages

BASE = "/quality/review/meetings/"


def _form(qm, **over) -> dict:
    today = timezone.localdate()
    return {
        "held_on": today.isoformat(),
        "period_start": (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1).isoformat(),
        "period_end": today.isoformat(),
        "chair": qm.pk,
        "attendees": "Q. Manager (chair), R. P. Officer, M. Physicist",
        "inputs_reviewed": "Indicators, audit findings",
        "decisions": "Keep weekly QC on the roster",
        **over,
    }


def _text(pdf: bytes) -> str:
    return "\n".join(t for page in pdf_pages(pdf) for _, _, t in page)


def _capa_overdue_values(snapshot: list[dict]) -> list:
    return [p["value"] for p in next(s for s in snapshot if s["key"] == "capa_overdue")["points"]]


def test_create_action_sign_read_only_and_pdf(client, qm, tech):
    from nmguard.apps.core.signatures import signature_still_valid
    from nmguard.apps.quality.review_models import ManagementReviewMeeting as Meeting

    client.force_login(qm)
    made = client.post(BASE + "new/", _form(qm))
    meeting = Meeting.objects.get()
    assert made.status_code == 302 and made["Location"] == f"{BASE}{meeting.pk}/"
    assert meeting.status == "draft" and meeting.indicator_snapshot  # the period's series stored
    assert [s["key"] for s in meeting.indicator_snapshot][0] and len(meeting.indicator_snapshot[0]["points"]) == 2

    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    raised = client.post(f"{BASE}{meeting.pk}/action/", {"title": "Roster QC", "kind": "preventive",
                                                          "owner": tech.pk, "due_on": due})  # fmt: skip
    assert raised.status_code == 302
    page = client.get(f"{BASE}{meeting.pk}/").content.decode()
    assert "Roster QC" in page and "DRAFT" in page and 'data-testid="sign-meeting-form"' in page

    draft_pdf = client.get(f"{BASE}{meeting.pk}/minutes.pdf")
    assert draft_pdf["Content-Type"] == "application/pdf"
    text = _text(draft_pdf.content)
    assert "DRAFT" in text and "Roster QC" in text and "Keep weekly QC on the roster" in text

    wrong = client.post(f"{BASE}{meeting.pk}/sign/", {"password": "not it"})
    assert wrong.status_code == 400 and 'data-field="password"' in wrong.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "draft"

    assert client.post(f"{BASE}{meeting.pk}/sign/", {"password": PASSWORD}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "final" and meeting.signature.meaning == "approved"
    assert signature_still_valid(meeting.signature, meeting)
    signed_text = _text(client.get(f"{BASE}{meeting.pk}/minutes.pdf").content)
    assert "DRAFT" not in signed_text and f"Signed by {meeting.signature.signer_name}" in signed_text
    assert "Roster QC" in signed_text and "Open" in signed_text

    # read-only: no more actions, no second signature; a correction supersedes it
    late = client.post(f"{BASE}{meeting.pk}/action/", {"title": "Late", "kind": "corrective", "owner": tech.pk,
                                                        "due_on": due})  # fmt: skip
    assert late.status_code == 400 and "read-only" in late.content.decode()
    again = client.post(f"{BASE}{meeting.pk}/sign/", {"password": PASSWORD})
    assert again.status_code == 400 and "read-only" in again.content.decode()
    fix = client.post(f"{BASE}new/?supersedes={meeting.pk}", _form(qm, decisions="Corrected"))
    assert fix.status_code == 302
    new = Meeting.objects.exclude(pk=meeting.pk).get()
    assert new.supersedes_id == meeting.pk and Meeting.objects.count() == 2
    assert "superseded by" in client.get(BASE).content.decode()
    twice = client.post(f"{BASE}new/?supersedes={meeting.pk}", _form(qm))
    assert twice.status_code == 400 and "superseded already" in twice.content.decode()


def test_snapshot_frozen_at_signing(qm, tech):
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.quality import review_meeting_services as svc
    from nmguard.apps.quality.capa_models import CorrectiveAction

    today = timezone.localdate()
    values = {"held_on": today, "period_start": today.replace(day=1), "period_end": today, "chair": qm,
              "attendees": "QM"}  # fmt: skip
    meeting = svc.sign_meeting(svc.record_meeting(values, qm), qm, PASSWORD)
    before = _capa_overdue_values(meeting.indicator_snapshot)
    assert before == [0]  # no actions yet: none overdue this month
    with acting_as(qm, reason="test: an overdue action entered after the meeting"):
        CorrectiveAction.objects.create(title="Late", source="other", owner=tech, due_on=today - dt.timedelta(days=1))
    assert _capa_overdue_values(svc.snapshot(today.replace(day=1), today)) == [1]  # live value changed
    meeting.refresh_from_db()
    assert _capa_overdue_values(meeting.indicator_snapshot) == before  # the minutes did not


def test_technologist_reads_but_may_not_record(client, qm, tech):
    from nmguard.apps.quality import review_meeting_services as svc

    today = timezone.localdate()
    meeting = svc.record_meeting({"held_on": today, "period_start": today, "period_end": today, "chair": qm,
                                  "attendees": "QM"}, qm)  # fmt: skip
    client.force_login(tech)
    assert client.get(BASE).status_code == 200
    page = client.get(f"{BASE}{meeting.pk}/")
    assert page.status_code == 200 and 'data-testid="sign-meeting-form"' not in page.content.decode()
    assert client.get(f"{BASE}{meeting.pk}/minutes.pdf").status_code == 200
    refused = client.get(BASE + "new/")
    assert refused.status_code == 403 and "Quality manager" in refused.content.decode()
    assert client.post(BASE + "new/", _form(qm)).status_code == 403
    sign = client.post(f"{BASE}{meeting.pk}/sign/", {"password": PASSWORD})
    assert sign.status_code == 400 and "only the chair" in sign.content.decode()


@pytest.mark.parametrize(
    ("change", "field", "needle"),
    [
        ({"held_on": "future"}, "held_on", ""),
        ({"held_on": "old"}, "held_on", "more than a year ago"),
        ({"period_end": "before"}, "period_end", "before the period"),
        ({"attendees": ""}, "attendees", ""),
    ],
)
def test_bad_form_refused_by_field(client, qm, change, field, needle):
    today = timezone.localdate()
    dates = {"future": today + dt.timedelta(days=1), "old": today - dt.timedelta(days=400),
             "before": today.replace(day=1) - dt.timedelta(days=40)}  # fmt: skip
    over = {k: dates[v].isoformat() if v in dates else v for k, v in change.items()}
    if change.get("held_on") == "old":
        over |= {"period_start": over["held_on"], "period_end": over["held_on"]}
    client.force_login(qm)
    r = client.post(BASE + "new/", _form(qm, **over))
    body = r.content.decode()
    assert r.status_code == 400 and f'data-field="{field}"' in body and needle in body
    if change.get("held_on") == "old":  # confirmed: accepted
        assert client.post(BASE + "new/", _form(qm, **over, confirm_date="on")).status_code == 302


def test_api_list_create_and_422_by_field(client, qm, tech):
    url = "/api/v1/quality/review/meetings"
    today = timezone.localdate()
    body = {"held_on": today.isoformat(), "period_start": today.isoformat(), "period_end": today.isoformat(),
            "chair": qm.username, "attendees": "QM, RPO"}  # fmt: skip
    client.force_login(qm)
    made = client.post(url, json.dumps(body), content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "draft" and made.json()["indicators"]
    assert [m["reference"] for m in client.get(url).json()] == [made.json()["reference"]]
    for change, field in (
        ({"held_on": (today + dt.timedelta(days=2)).isoformat()}, "held_on"),
        ({"period_end": "2026-13-01"}, "period_end"),
        ({"chair": tech.username}, "chair"),
        ({"chair": "nobody-here"}, "chair"),
        ({"attendees": ""}, "attendees"),
    ):
        r = client.post(url, json.dumps({**body, **change}), content_type="application/json")
        assert r.status_code == 422 and field in r.content.decode(), (change, r.content)
    client.force_login(tech)
    assert client.get(url).status_code == 200
    refused = client.post(url, json.dumps(body), content_type="application/json")
    assert refused.status_code == 422 and "Quality manager" in refused.content.decode()


def test_demo_meeting(make_user):
    from nmguard.apps.core.roles import Role
    from nmguard.apps.quality import review_meeting_services as svc
    from nmguard.apps.quality.review_meeting_demo import last_quarter, load_review_meeting_demo
    from nmguard.apps.quality.review_models import ManagementReviewMeeting as Meeting

    assert last_quarter(dt.date(2026, 2, 10)) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert last_quarter(dt.date(2026, 7, 1)) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    roles = (Role.QUALITY_MANAGER, Role.PHYSICIST, Role.TECHNOLOGIST)
    users = {r: make_user(r.value, f"demo-{r.value}") for r in roles}
    load_review_meeting_demo(users, {r: PASSWORD for r in roles})
    meeting = Meeting.objects.get()
    assert meeting.status == "final" and len(meeting.indicator_snapshot[0]["points"]) == 3
    assert sorted(a.status for a in svc.actions_for(meeting)) == ["done", "open"]
