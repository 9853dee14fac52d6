"""Defects found by trying the quality pages as a tired new user would (issue 16, new-user review): each test
failed before its fix. A form sent twice, a step refused on a closed record, forms offered to roles that may not
use them, dashboard counts that disagree with the lists they link to, a POST silently ignored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.quality.test_incident_pages import _form, _local

pytestmark = pytest.mark.django_db


def test_an_incident_report_sent_twice_is_refused_naming_the_first(client, tech, make_user):
    from nmguard.apps.quality.incident_models import Incident

    client.force_login(tech)
    first = client.post("/quality/incidents/new/", _form())
    assert first.status_code == 302
    again = client.post("/quality/incidents/new/", _form())  # the back button, or a double click
    html = again.content.decode()
    reference = Incident.objects.get().reference
    assert again.status_code == 400 and 'data-field="description"' in html and reference in html
    assert Incident.objects.count() == 1
    # Another event at the same time (other text), or the same text from a colleague, is a new report.
    assert client.post("/quality/incidents/new/", _form(description="Second vial dropped")).status_code == 302
    client.force_login(make_user("radiopharmacist", "rph1"))
    assert client.post("/quality/incidents/new/", _form()).status_code == 302
    assert Incident.objects.count() == 3


def _closed_incident(client, qm, tech):
    from nmguard.apps.quality.incident_models import Incident

    client.force_login(tech)
    client.post("/quality/incidents/new/", _form(severity="minor", near_miss="no"))
    incident = Incident.objects.get()
    client.force_login(qm)
    url = f"/quality/incidents/{incident.pk}/"
    client.post(url + "investigation/", {"root_cause": "Rushed", "lessons": "Second check before injection"})
    assert client.post(url + "close/", {"password": PASSWORD}).status_code == 302
    return url


def test_a_step_refused_on_a_closed_incident_says_why(client, qm, tech):
    url = _closed_incident(client, qm, tech)
    again = client.post(url + "close/", {"password": PASSWORD})  # closed in another tab, or sent twice
    assert again.status_code == 400 and 'data-testid="step-refused"' in again.content.decode()
    assert "is closed already" in again.content.decode()  # not "write the investigation", as it said before
    late = client.post(url + "investigation/", {"root_cause": "changed"})
    assert late.status_code == 400 and "the incident is closed" in late.content.decode()
    assert 'data-testid="step-refused"' not in client.get(url).content.decode()


def _forms(html: str) -> set[str]:
    names = ("done-form", "effectiveness-form", "close-action-form", "cancel-action-form")
    return {n for n in names if f'data-testid="{n}"' in html}


def test_action_steps_are_offered_only_to_who_may_take_them(client, qm, tech, make_user):
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.quality.capa_models import CorrectiveAction

    with acting_as(qm, reason="test: an action owned by the technologist"):
        action = CorrectiveAction.objects.create(
            title="Label the syringe shields", source="other", owner=tech, due_on=timezone.localdate()
        )
    url = f"/quality/actions/{action.pk}/"
    for role, offered in (("read_only", set()), ("technologist", set()), ("radiopharmacist", set())):
        client.force_login(make_user(role, f"other-{role}"))
        html = client.get(url).content.decode()
        assert _forms(html) == offered and 'data-testid="steps-for-others"' in html, role
    client.force_login(tech)  # the owner marks it done, but does not cancel it
    assert _forms(client.get(url).content.decode()) == {"done-form"}
    client.force_login(make_user("physicist", "phys-a"))
    assert _forms(client.get(url).content.decode()) == {"done-form"}
    client.force_login(qm)
    assert _forms(client.get(url).content.decode()) == {"done-form", "cancel-action-form"}
    # A refused POST still shows its message by its form, for the role that may not take the step.
    client.force_login(make_user("read_only", "reader-2"))
    refused = client.post(url + "cancel/", {"reason": "not needed"})
    assert refused.status_code == 400 and "needs the role" in refused.content.decode()
    action.refresh_from_db()
    assert action.status == "open"


def test_dashboard_counts_equal_the_rows_of_the_lists_they_link_to(client, qm, tech):
    import re

    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.quality.capa_models import CorrectiveAction

    today = timezone.localdate()
    with acting_as(qm, reason="test: actions in every state"):
        for title, status, days in (("late", "open", -3), ("on time", "open", 4), ("done late", "done", -5)):
            CorrectiveAction.objects.create(
                title=title, source="other", owner=tech, status=status, due_on=today + dt.timedelta(days=days)
            )
    client.force_login(tech)
    client.post("/quality/incidents/new/", _form())
    client.force_login(qm)
    html = client.get("/quality/").content.decode()
    expected = {"capa_open": 2, "capa_overdue": 1, "capa_done": 1, "incidents_reported": 1}
    for key, count in expected.items():
        link = re.search(rf'data-count="{key}">\s*<a href="([^"]+)"[^>]*>\s*(?:<strong>)?(\d+)', html)
        if key == "capa_overdue":
            link = re.search(r'<a href="([^"]+)" data-count="capa_overdue"><strong>(\d+)', html)
        assert link, key
        url, shown = link.group(1).replace("&amp;", "&"), int(link.group(2))
        rows = client.get(url).content.decode()
        listed = rows.count("data-action=") if "/actions/" in url else rows.count("data-incident=")
        assert shown == count == listed, (key, shown, listed)


def test_a_document_post_without_a_known_step_is_refused_not_ignored(client, qm):
    from nmguard.apps.quality import document_services as services

    doc = services.create_document(
        {"number": "SOP-T-1", "title": "Test SOP", "kind": "sop", "applies_to": [], "task": ""}, qm
    )
    version = services.add_version(doc, qm, text="Step one.", change_summary="first")
    client.force_login(qm)
    for body in ({}, {"action": "publish"}):
        page = client.post(f"/quality/documents/versions/{version.pk}/", body)
        assert page.status_code == 400 and "nothing was changed" in page.content.decode(), body


def test_empty_states_say_what_is_missing_not_none(client, tech):
    client.force_login(tech)
    html = client.get("/quality/training/").content.decode()
    assert "None." not in html
    assert 'data-testid="no-records"' in html and 'data-testid="no-signed"' in html


def test_linked_records_are_named_by_kind_and_date_not_by_id(client, qm, tech, make_user):
    from nmguard.apps.protection.event_records import record_event
    from nmguard.apps.quality.incident_models import Incident

    when = timezone.now() - dt.timedelta(hours=2)
    event = record_event(
        {"kind": "spill", "occurred_at": when, "location": "Hot lab", "description": "vial dropped"},
        make_user("rpo", "rpo1"),
    )
    client.force_login(tech)
    client.post("/quality/incidents/new/", _form())
    incident = Incident.objects.get()
    client.force_login(qm)
    url = f"/quality/incidents/{incident.pk}/"
    client.post(url + "investigation/", {"root_cause": "Rushed", "protection_event": event.pk})
    html = client.get(url).content.decode()
    shown = f"{event.get_kind_display()}, {timezone.localtime(when):%Y-%m-%d %H:%M}"
    assert f'data-link="protection_event">{shown}</a>' in html
    assert f"Protection event {event.pk}" not in html


def test_raising_an_action_is_offered_only_to_the_roles_that_may(client, qm, tech):
    client.force_login(tech)
    assert 'data-testid="raise-action"' not in client.get("/quality/actions/").content.decode()
    page = client.get("/quality/actions/new/")  # before, the form was shown and refused only once filled in
    assert page.status_code == 403 and "action needs the role" in page.content.decode()
    client.force_login(qm)
    assert 'data-testid="raise-action"' in client.get("/quality/actions/").content.decode()
    assert client.get("/quality/actions/new/").status_code == 200


def test_incident_and_action_lists_use_the_shared_filter_form(client, qm, tech):
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.quality.capa_models import CorrectiveAction

    client.force_login(tech)
    empty = client.get("/quality/incidents/").content.decode()
    assert 'data-testid="list-filter"' in empty and "No incident reported yet." in empty
    client.post("/quality/incidents/new/", _form())
    client.post("/quality/incidents/new/", _form(description="Waste bag over the limit", stage="waste"))
    found = client.get("/quality/incidents/", {"q": "waste bag"}).content.decode()
    assert found.count("data-incident=") == 1 and 'data-testid="list-count">1 found' in found
    wrong = client.get("/quality/incidents/", {"from": "2026-02-31", "stage": "parking"}).content.decode()
    assert 'data-testid="error-from"' in wrong and 'data-testid="error-stage"' in wrong
    assert "data-incident=" not in wrong  # no rows under a filter that could not be read
    csv = client.get("/quality/incidents/", {"stage": "waste", "format": "csv"})
    text = b"".join(csv.streaming_content)
    assert csv["Content-Type"].startswith("text/csv") and b"Waste bag over the limit" in text
    assert b"Syringe label" not in text
    with acting_as(qm, reason="test: an action"):
        CorrectiveAction.objects.create(title="Shield", source="other", owner=tech, due_on=timezone.localdate())
    nobody = client.get("/quality/actions/", {"owner": "999999"}).content.decode()
    assert 'data-testid="error-owner"' in nobody and "data-action=" not in nobody
    assert client.get("/quality/actions/", {"q": "shield"}).content.decode().count("data-action=") == 1


def test_an_indicator_chart_without_data_has_a_plain_axis():
    import re

    from nmguard.apps.quality.indicators_svg import indicator_svg

    def ticks(svg: str) -> list[float]:
        return [float(t) for t in re.findall(r'text-anchor="end">([0-9.e+-]+)</text>', svg)]

    for values in ([None, None], [0.0, 0.0], [None, 0.0]):
        assert max(ticks(indicator_svg("QC compliance", ["2026-01", "2026-02"], values, "%"))) >= 1, values
    small = ticks(indicator_svg("Staff dose", ["2026-01"], [0.05], "mSv"))
    assert 0.01 < max(small) < 0.1  # a small measured value keeps its own scale


def test_training_pages_link_only_the_forms_the_user_may_use(client, qm, tech, make_user):
    reader = make_user("read_only", "inspector")
    for user, sign, guards in ((reader, False, False), (tech, False, False), (qm, True, True)):
        client.force_login(user)
        other = client.get(f"/quality/training/people/{reader.pk if user != reader else tech.pk}/").content.decode()
        assert ('data-testid="sign-link"' in other) is sign, user
        matrix = client.get("/quality/training/matrix/").content.decode()
        assert ('data-testid="guards-link"' in matrix) is guards, user
    client.force_login(qm)  # nobody signs their own competence: no link on one's own page
    assert 'data-testid="sign-link"' not in client.get("/quality/training/").content.decode()


def test_an_incident_more_than_a_year_back_needs_the_date_confirmed(client, tech):
    from nmguard.apps.quality.incident_models import Incident
    from tests.quality.test_incident_api import _post, _report

    client.force_login(tech)
    typo = client.post("/quality/incidents/new/", _form(occurred_at="1926-03-04T10:00"))  # meant 2026
    html = typo.content.decode()
    assert typo.status_code == 400 and 'data-field="occurred_at"' in html and "more than a year ago" in html
    assert not Incident.objects.exists()
    confirmed = client.post("/quality/incidents/new/", _form(occurred_at="1926-03-04T10:00", confirm_date="on"))
    assert confirmed.status_code == 302 and Incident.objects.get().reference == "IR-1926-001"
    recent = timezone.now() - dt.timedelta(days=300)  # within the year: no confirmation asked
    assert client.post("/quality/incidents/new/", _form(occurred_at=_local(recent))).status_code == 302
    api = _post(client, "/incidents", _report(occurred_at="1999-01-01T10:00:00+00:00"))
    assert api.status_code == 422 and "occurred_at" in api.content.decode()
    assert (
        _post(client, "/incidents", _report(occurred_at="1999-01-01T10:00:00+00:00", confirm_date=True)).status_code
        == 201
    )


def test_an_action_or_a_training_sent_twice_is_stored_once(client, qm, tech):
    from nmguard.apps.quality.capa_models import CorrectiveAction
    from nmguard.apps.quality.training_models import Training, TrainingRecord

    client.force_login(qm)
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    form = {"title": "Recalibrate", "kind": "corrective", "owner": tech.pk, "due_on": due, "source": "other"}
    assert client.post("/quality/actions/new/", form).status_code == 302
    again = client.post("/quality/actions/new/", form)
    first = CorrectiveAction.objects.get()
    assert again.status_code == 400 and f"raised already as CAPA {first.pk}" in again.content.decode()
    from nmguard.apps.quality.training_services import sync_trainings

    sync_trainings(qm)
    training = Training.objects.get(key="radiation_protection")
    record = {"person": tech.pk, "training": training.pk, "completed_on": "2026-01-05", "evidence": "certificate"}
    assert client.post("/quality/training/record/", record).status_code == 302
    twice = client.post("/quality/training/record/", record)
    assert twice.status_code == 400 and 'data-field="completed_on"' in twice.content.decode()
    assert TrainingRecord.objects.filter(person=tech).count() == 1


def test_an_action_raised_from_an_incident_leads_back_to_it(client, qm, tech):
    import re

    from nmguard.apps.quality.capa_models import CorrectiveAction
    from nmguard.apps.quality.incident_models import Incident

    client.force_login(tech)
    client.post("/quality/incidents/new/", _form())
    incident = Incident.objects.get()
    client.force_login(qm)
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    url = f"/quality/incidents/{incident.pk}/action/"
    client.post(url, {"title": "Second check", "kind": "corrective", "owner": tech.pk, "due_on": due})
    html = client.get(f"/quality/actions/{CorrectiveAction.objects.get().pk}/").content.decode()
    link = re.search(r'data-testid="action-source">incident <a href="([^"]+)">', html)
    assert link, "no link back to the incident"
    listed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert listed.count("data-incident=") == 1 and f'data-incident="{incident.pk}"' in listed


def test_an_action_due_more_than_a_year_ahead_needs_the_date_confirmed(client, qm, tech):
    from nmguard.apps.quality.capa_models import CorrectiveAction
    from tests.quality.test_incident_api import _post

    client.force_login(qm)
    form = {"title": "Recalibrate", "kind": "corrective", "owner": tech.pk, "due_on": "2062-01-15", "source": "other"}
    typo = client.post("/quality/actions/new/", form)  # meant 2026 or 2027
    assert typo.status_code == 400 and 'data-field="due_on"' in typo.content.decode()
    assert "more than a year ahead" in typo.content.decode() and not CorrectiveAction.objects.exists()
    assert client.post("/quality/actions/new/", {**form, "confirm_due": "on"}).status_code == 302
    soon = (timezone.localdate() + dt.timedelta(days=300)).isoformat()  # within the year: no confirmation asked
    assert client.post("/quality/actions/new/", {**form, "title": "Other", "due_on": soon}).status_code == 302
    body = {"title": "API", "owner": tech.username, "due_on": "2062-01-15", "source": "other"}
    assert _post(client, "/actions", body).status_code == 422
    assert _post(client, "/actions", {**body, "confirm_due": True}).status_code == 201
