"""The two-person role change pages: one administrator requests on the user's page, a second approves
or rejects on the list with an e-signature; other roles only read."""

from __future__ import annotations

import pytest
from tests.conftest import PASSWORD

from nmguard.apps.core.models import AuditEvent, RoleChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {
        "first": make_user("administrator", "admin-a"),
        "second": make_user("administrator", "admin-b"),
        "tech": make_user("technologist", "tech-w"),
    }


def test_request_on_the_users_page_then_a_second_administrator_approves(client, people):
    tech = people["tech"]
    client.force_login(people["first"])
    page = client.get(f"/users/{tech.pk}/")
    assert page.status_code == 200 and b'data-testid="role-request-form"' in page.content
    response = client.post(
        f"/users/{tech.pk}/role-change/", {"action": "grant", "role": "physicist", "reason": "MPE registration"}
    )
    assert response.status_code == 302 and response.url == "/role-changes/"
    change = RoleChange.objects.get()
    listing = client.get("/role-changes/")
    assert b'data-testid="pending-change"' in listing.content
    assert b'value="approve"' not in listing.content  # the requester is not offered approval
    refused = client.post(f"/role-changes/{change.pk}/decide/", {"decision": "approve", "password": PASSWORD})
    assert refused.status_code == 200 and b"second administrator" in refused.content
    assert tech.role_names() == ["technologist"]

    client.force_login(people["second"])
    assert b'value="approve"' in client.get("/role-changes/").content
    wrong = client.post(f"/role-changes/{change.pk}/decide/", {"decision": "approve", "password": "nope"})
    assert wrong.status_code == 200
    assert b'data-field="password">the password does not match' in wrong.content  # by the field
    ok = client.post(
        f"/role-changes/{change.pk}/decide/", {"decision": "approve", "password": PASSWORD, "reason": "seen it"}
    )
    assert ok.status_code == 302
    change.refresh_from_db()
    assert change.status == "approved" and change.decided_by == people["second"]
    assert tech.role_names() == ["physicist", "technologist"]
    event = AuditEvent.objects.filter(object_id=str(tech.pk), after__has_key="roles").last()
    assert event.after == {"roles": ["physicist", "technologist"]} and event.actor == people["second"]


def test_request_errors_show_by_the_field(client, people):
    client.force_login(people["first"])
    response = client.post(
        f"/users/{people['tech'].pk}/role-change/", {"action": "grant", "role": "technologist", "reason": "x"}
    )
    assert response.status_code == 200
    assert b'data-field="role">' in response.content and b"already" in response.content
    assert not RoleChange.objects.exists()


def test_own_roles_have_no_request_form_and_are_refused(client, people):
    first = people["first"]
    client.force_login(first)
    assert b'data-testid="role-request-form"' not in client.get(f"/users/{first.pk}/").content
    response = client.post(f"/users/{first.pk}/role-change/", {"action": "grant", "role": "rpo", "reason": "x"})
    assert response.status_code == 200 and b"own roles" in response.content
    assert not RoleChange.objects.exists()


def test_other_roles_may_not_request_or_decide(client, people):
    client.force_login(people["tech"])
    assert client.get("/users/").status_code == 403
    assert client.post(f"/users/{people['first'].pk}/role-change/", {}).status_code == 403
    assert client.get("/role-changes/").status_code == 403


def test_rejection_from_the_list(client, people):
    tech = people["tech"]
    client.force_login(people["first"])
    client.post(f"/users/{tech.pk}/role-change/", {"action": "grant", "role": "rpo", "reason": "cover"})
    change = RoleChange.objects.get()
    client.force_login(people["second"])
    no_reason = client.post(f"/role-changes/{change.pk}/decide/", {"decision": "reject", "password": PASSWORD})
    assert no_reason.status_code == 200 and b'data-field="reason"' in no_reason.content
    client.post(f"/role-changes/{change.pk}/decide/", {"decision": "reject", "password": PASSWORD, "reason": "no"})
    change.refresh_from_db()
    assert change.status == "rejected" and tech.role_names() == ["technologist"]
    assert b"rejected" in client.get("/role-changes/").content


def test_dashboard_tells_the_other_administrators(client, people):
    client.force_login(people["first"])
    client.post(f"/users/{people['tech'].pk}/role-change/", {"action": "grant", "role": "rpo", "reason": "cover"})
    assert b"awaiting a second administrator" not in client.get("/").content  # the requester cannot approve
    client.force_login(people["second"])
    assert b"1 role change awaiting a second administrator" in client.get("/").content
