"""Roles and permissions, password hashing, sign-in rate limiting, deploy settings."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from tests.conftest import PASSWORD

from nmguard.apps.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "can_change_equipment", "can_change_radiopharmacy", "can_view_audit"),
    [
        ("technologist", True, False, False),
        ("radiopharmacist", False, True, False),
        ("physicist", True, False, False),
        ("physician", False, False, False),
        ("rpo", False, False, True),  # the RPO reads the audit trail
        ("quality_manager", False, False, True),
        ("administrator", True, True, True),
        ("read_only", False, False, False),
    ],
)
def test_permission_matrix(make_user, role, can_change_equipment, can_change_radiopharmacy, can_view_audit):
    user = make_user(role)
    assert user.has_perm("equipment.view_equipment")  # every role views every area
    assert user.has_perm("equipment.change_equipment") is can_change_equipment
    assert user.has_perm("radiopharmacy.change_radiopharmaceutical") is can_change_radiopharmacy
    assert user.has_perm("core.view_auditevent") is can_view_audit
    assert not user.has_perm("equipment.delete_equipment")  # nothing clinical is deleted


def test_every_role_has_a_group(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_production_hasher_is_argon2():
    from nmguard.web import settings as base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_and_rate_limit(client, make_user):
    make_user("technologist", "tech1")
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "tech1", "password": "wrong"})
        assert response.status_code == 200  # form shown again with an error
        assert b"Please enter a correct" in response.content
    assert client.post(url, {"username": "tech1", "password": "wrong"}).status_code == 429
    locked = client.post(url, {"username": "tech1", "password": PASSWORD})
    assert locked.status_code == 429  # locked out even with the right password
    assert b"Too many failed sign-ins" in locked.content


def test_login_works(client, make_user):
    make_user("physician", "doc1")
    response = client.post(reverse("login"), {"username": "doc1", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get(reverse("dashboard"))
    assert b"Physician (authorised user)" in page.content


def test_dashboard_requires_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_audit_view_only_for_permitted_roles(client, make_user):
    client.force_login(make_user("technologist", "tech2"))
    assert client.get(reverse("audit")).status_code == 403


def test_audit_view_verifies_chain(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("audit") + "?verify=1")
    assert page.status_code == 200 and b"Chain intact" in page.content


def test_deploy_check_is_clean(monkeypatch):
    """`django check --deploy` with the production settings reports nothing."""
    import subprocess
    import sys

    env = {
        "DJANGO_SETTINGS_MODULE": "nmguard.web.settings_production",
        "NMGUARD_SECRET_KEY": "x" * 64 + "Yz9!",
        "NMGUARD_ALLOWED_HOSTS": "nm.example.org",
    }
    import os

    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    call_command("check")  # and the test settings are sound too
