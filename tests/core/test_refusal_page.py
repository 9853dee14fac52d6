"""A refused request gets a styled page that says why and leads back (it was a bare "403 Forbidden")."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_refusal_names_the_roles_that_may_and_keeps_the_navigation(client, make_user):
    client.force_login(make_user("technologist", "tech1"))
    response = client.get(reverse("audit"))
    assert response.status_code == 403
    text = response.content.decode()
    assert "Not open to your roles" in text
    assert "Reading the audit trail needs the role" in text
    for role in ("Administrator", "Quality manager / auditor", "Radiation protection officer"):
        assert role in text
    assert "Technologist" in text  # the roles the user holds
    assert f'href="{reverse("dashboard")}"' in text  # the way back, and the top bar
    assert 'class="topbar"' in text


def test_rpo_reads_and_verifies_the_audit_trail(client, make_user):
    client.force_login(make_user("rpo", "rpo1"))
    page = client.get(reverse("audit"))
    assert page.status_code == 200
    assert client.get(reverse("audit") + "?verify=1").status_code == 200
    assert b'href="/audit/"' in client.get(reverse("dashboard")).content
