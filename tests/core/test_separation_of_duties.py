"""Issue 12 item 1, separation of duties: each defect reproduced, then shown fixed.

- an administrator gave themselves a clinical role and is_superuser in the Django admin;
- a password an administrator set could be used to sign as its user;
- equipment QC status and validity were editable in the admin (bypassing lock-out);
- a change of roles left an audit event without the roles;
- e-signature attempts were not throttled (20 wrong passwords accepted).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import Group
from django.forms import MultiWidget
from django.test import RequestFactory
from django.utils import timezone
from tests.conftest import PASSWORD

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.models import AuditEvent, RoleChange, Signature, User
from nmguard.apps.core.role_changes import decide, request_change
from nmguard.apps.core.signatures import SignatureError, cooloff, failure_limit, sign
from nmguard.apps.core.users import create_user
from nmguard.apps.equipment.models import Equipment
from nmguard.errors import InputError

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-42"


def admin_form_data(client, url: str) -> dict:
    """What the admin change form at ``url`` would post unchanged (its fields' current values)."""
    form = client.get(url).context["adminform"].form
    data: dict = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, MultiWidget):
            parts = field.widget.decompress(value)
            for suffix, part in zip(field.widget.widgets_names, parts, strict=True):
                data[name + suffix] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = str(value)
    return data


# --- 1. roles ---------------------------------------------------------------------------------------


def test_administrator_cannot_give_themselves_a_role_or_superuser_in_the_django_admin(client, admin_user):
    physicist_group = Group.objects.get(name="physicist")
    client.force_login(admin_user)
    url = f"/admin/core/user/{admin_user.pk}/change/"
    data = admin_form_data(client, url)
    data.update(groups=[str(physicist_group.pk)], is_superuser="on", is_staff="on", display_name="Still me")
    assert client.post(url, data).status_code == 302  # the rest of the form was accepted ...
    admin_user.refresh_from_db()
    assert admin_user.display_name == "Still me"
    assert admin_user.role_names() == ["administrator"]  # ... but not the roles
    assert not admin_user.is_superuser


def test_admin_user_form_shows_roles_and_flags_read_only(client, admin_user, physicist):
    client.force_login(admin_user)
    form = client.get(f"/admin/core/user/{physicist.pk}/change/").context["adminform"].form
    assert not {"groups", "user_permissions", "is_superuser", "is_staff"} & set(form.fields)


def test_role_groups_are_read_only_in_the_admin(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    group_admin = admin.site._registry[Group]
    assert not group_admin.has_change_permission(request) and not group_admin.has_add_permission(request)


def test_any_change_of_roles_is_audited_with_the_roles_before_and_after(admin_user):
    user = create_user("tech9", PASSWORD, ["technologist"], actor="cli:root", check_password=False)
    created = AuditEvent.objects.filter(model_label="core.User", object_id=str(user.pk), after__has_key="roles")
    assert [(e.before, e.after, e.actor_username) for e in created] == [
        ({"roles": []}, {"roles": ["technologist"]}, "cli:root")
    ]
    with acting_as(admin_user, reason="shell"):
        Group.objects.get(name="physicist").user_set.add(user)  # the reverse side, too
        user.groups.remove(Group.objects.get(name="technologist"))
    events = AuditEvent.objects.filter(model_label="core.User", object_id=str(user.pk), after__has_key="roles")
    assert [(e.before["roles"], e.after["roles"]) for e in events.order_by("seq")][1:] == [
        (["technologist"], ["physicist", "technologist"]),
        (["physicist", "technologist"], ["physicist"]),
    ]


@pytest.fixture
def admins(make_user):
    return make_user("administrator", "admin-a"), make_user("administrator", "admin-b")


def test_role_grant_needs_a_second_administrators_signature(admins, physicist):
    first, second = admins
    tech = create_user("tech-r", PASSWORD, ["technologist"], actor=first, check_password=False)
    change = request_change(tech, "physicist", "grant", "MPE registration arrived", requested_by=first)
    assert change.status == "pending" and tech.role_names() == ["technologist"]  # a request changes nothing
    with pytest.raises(InputError, match="second administrator"):
        decide(change, first, PASSWORD, approve=True, reason="")
    with pytest.raises(SignatureError):
        decide(change, second, "wrong", approve=True, reason="")
    assert tech.role_names() == ["technologist"]
    assert AuditEvent.objects.filter(action="sign_failed", actor=second).count() == 1
    change = decide(change, second, PASSWORD, approve=True, reason="checked the registration")
    assert change.status == "approved" and change.decided_by == second
    assert change.signature.meaning == Signature.Meaning.APPROVED and change.signature.signer == second
    assert tech.role_names() == ["physicist", "technologist"]
    event = AuditEvent.objects.filter(model_label="core.User", object_id=str(tech.pk), after__has_key="roles").last()
    assert event.before == {"roles": ["technologist"]} and event.after == {"roles": ["physicist", "technologist"]}
    assert event.actor == second and "approved" in event.reason
    with pytest.raises(InputError, match="approved already"):
        decide(change, second, PASSWORD, approve=True, reason="")


def test_nobody_requests_or_decides_their_own_roles(admins, make_user):
    first, second = admins
    with pytest.raises(InputError, match="own roles"):
        request_change(first, "physicist", "grant", "I am a physicist too", requested_by=first)
    change = request_change(first, "physicist", "grant", "dual role", requested_by=second)
    with pytest.raises(InputError, match="own roles"):
        decide(change, first, PASSWORD, approve=True, reason="")
    assert first.role_names() == ["administrator"]
    tech = make_user("technologist", "tech-q")
    with pytest.raises(InputError, match="Administrator"):
        request_change(second, "physicist", "grant", "helping out", requested_by=tech)


def test_request_refuses_what_cannot_apply(admins, physicist):
    first, _ = admins
    with pytest.raises(InputError, match="already"):
        request_change(physicist, "physicist", "grant", "x", requested_by=first)
    with pytest.raises(InputError, match="does not hold"):
        request_change(physicist, "rpo", "revoke", "x", requested_by=first)
    with pytest.raises(InputError, match="unknown role"):
        request_change(physicist, "wizard", "grant", "x", requested_by=first)
    with pytest.raises(InputError, match="reason"):
        request_change(physicist, "rpo", "grant", "  ", requested_by=first)
    request_change(physicist, "rpo", "grant", "RPO cover", requested_by=first)
    with pytest.raises(InputError, match="pending already"):
        request_change(physicist, "rpo", "grant", "again", requested_by=first)


def test_administrator_role_brings_and_takes_the_admin_site(admins, make_user):
    first, second = admins
    tech = make_user("technologist", "tech-s")
    assert not tech.is_staff
    decide(
        request_change(tech, "administrator", "grant", "deputy", requested_by=first),
        second,
        PASSWORD,
        approve=True,
        reason="",
    )
    tech.refresh_from_db()
    assert tech.is_staff
    decide(
        request_change(tech, "administrator", "revoke", "deputy no more", requested_by=second),
        first,
        PASSWORD,
        approve=True,
        reason="",
    )
    tech.refresh_from_db()
    assert not tech.is_staff and tech.role_names() == ["technologist"]


def test_rejection_is_signed_with_a_reason_and_changes_nothing(admins, physicist):
    first, second = admins
    change = request_change(physicist, "rpo", "grant", "cover", requested_by=first)
    with pytest.raises(InputError, match="reason"):
        decide(change, second, PASSWORD, approve=False, reason="")
    change = decide(change, second, PASSWORD, approve=False, reason="no RPO certificate on file")
    assert change.status == RoleChange.Status.REJECTED
    assert change.signature.meaning == Signature.Meaning.REVIEWED
    assert physicist.role_names() == ["physicist"]


# --- 2. passwords set by an administrator -------------------------------------------------------------


def _camera():
    return Equipment.objects.create(name="Camera SoD", kind="gamma_camera")


def test_password_set_by_an_administrator_cannot_sign(client, admin_user, physicist):
    client.force_login(admin_user)
    url = f"/admin/core/user/{physicist.pk}/password/"
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302
    physicist.refresh_from_db()
    assert physicist.check_password(NEW_PASSWORD)
    assert physicist.must_change_password
    with acting_as(physicist, reason="test"):
        camera = _camera()
    with pytest.raises(SignatureError, match="set by an administrator; change it before signing"):
        sign(camera, physicist, NEW_PASSWORD, "approved")  # the administrator knows this password
    assert not Signature.objects.filter(signer=physicist).exists()
    failed = AuditEvent.objects.get(action="sign_failed", actor=physicist)
    assert "set by an administrator" in failed.reason


def test_users_added_in_the_admin_must_change_their_password(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/core/user/add/",
        {"username": "newbie", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert User.objects.get(username="newbie").must_change_password


def test_an_administrators_own_password_change_in_the_admin_is_their_own(client, admin_user):
    client.force_login(admin_user)
    url = f"/admin/core/user/{admin_user.pk}/password/"
    client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    admin_user.refresh_from_db()
    assert admin_user.check_password(NEW_PASSWORD) and not admin_user.must_change_password


def test_user_is_sent_to_change_the_password_and_may_sign_after(client, physicist):
    with acting_as("cli:root", reason="test"):
        physicist.must_change_password = True
        physicist.save()
    client.force_login(physicist)
    response = client.get("/")
    assert response.status_code == 302 and response.url == "/password/"
    assert client.get("/equipment/").url == "/password/"
    page = client.get("/password/")
    assert page.status_code == 200 and b"set by an administrator" in page.content
    changed = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert changed.status_code == 302
    physicist.refresh_from_db()
    assert not physicist.must_change_password and physicist.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200  # still signed in, and free to go on
    with acting_as(physicist, reason="test"):
        camera = _camera()
    assert sign(camera, physicist, NEW_PASSWORD, "approved").signer == physicist
    event = AuditEvent.objects.filter(model_label="core.User", object_id=str(physicist.pk), action="update").last()
    assert event.actor == physicist and event.after["must_change_password"] == "False"


def test_sign_out_stays_reachable_while_the_password_must_change(client, physicist):
    with acting_as("cli:root", reason="test"):
        physicist.must_change_password = True
        physicist.save()
    client.force_login(physicist)
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and "set by an administrator" in api.json()["detail"]
    assert client.get("/static/nmguard/nmguard.css").status_code != 302
    assert client.post("/logout/").status_code == 302
    assert client.get("/").url.startswith("/login/")


def test_create_user_can_mark_a_password_chosen_by_someone_else():
    user = create_user(
        "cli-made", PASSWORD, ["technologist"], actor="cli:root", check_password=False, must_change_password=True
    )
    assert user.must_change_password


# --- 3. the Django admin holds reference tables and users only -------------------------------------------

# Models that an administrator may add and change in the Django admin, each with the reason.
ADMIN_EDITABLE = {
    "core.User": "accounts (names, active flag, passwords that must then be changed); roles read-only",
    "core.Department": "the department's settings (jurisdiction, zone, effective-dose publication)",
    "equipment.Equipment": "the register's identity fields; status, QC validity and lock-out are read-only",
    "equipment.QCTest": "the QC programme's tests and the department's bands (reference table)",
    "equipment.QCSchedule": "which test is done on which device how often (configuration)",
    "equipment.CheckSource": "certified sources and their certificates (reference table)",
    "radiopharmacy.Radiopharmaceutical": "the product catalogue (reference table)",
    "radiopharmacy.Recipe": "preparation recipes (reference table)",
    "patients.Protocol": "examination protocols and activities (reference table)",
    "therapy.TherapyProtocol": "therapy protocols (reference table)",
}


def test_every_clinical_record_is_read_only_in_the_admin(db):
    with acting_as("pytest", reason="test"):
        root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    request = RequestFactory().get("/admin/")
    request.user = root
    registered = {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}
    assert set(ADMIN_EDITABLE) <= set(registered)  # the allow-list names only what is there
    editable = sorted(
        label
        for label, model_admin in registered.items()
        if model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
    )
    assert editable == sorted(ADMIN_EDITABLE)
    assert {"status", "qc_valid_until", "locked_by_qc"} <= set(
        registered["equipment.Equipment"].get_readonly_fields(request)
    )


def test_equipment_qc_state_cannot_be_changed_in_the_admin(client, dept):
    locked_until = timezone.localdate() - dt.timedelta(days=3)
    with acting_as(dept["physicist"], reason="action-level result"):
        camera = Equipment.objects.create(
            name="Camera locked",
            kind="gamma_camera",
            status="out_of_service",
            locked_by_qc=True,
            qc_valid_until=locked_until,
        )
    client.force_login(dept["administrator"])
    url = f"/admin/equipment/equipment/{camera.pk}/change/"
    data = admin_form_data(client, url)
    data.update(status="clinical", qc_valid_until="2099-12-31", location="Room 2")
    data.pop("locked_by_qc", None)
    assert client.post(url, data).status_code == 302
    camera.refresh_from_db()
    assert camera.location == "Room 2"  # the identity fields are still edited here
    assert (camera.status, camera.qc_valid_until, camera.locked_by_qc) == ("out_of_service", locked_until, True)
    assert camera.clinical_use_refusal(timezone.localdate()) is not None


# --- 4. e-signature throttling -----------------------------------------------------------------------------


def test_signature_attempts_are_throttled_like_sign_in(as_physicist):
    limit, window = failure_limit(), cooloff()
    assert (limit, window) == (5, dt.timedelta(minutes=15))  # settings.AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        camera = _camera()
        messages = []
        for _ in range(20):
            with pytest.raises(SignatureError) as info:
                sign(camera, as_physicist, "wrong", "approved")
            messages.append(info.value.message)
            clock.shift(dt.timedelta(seconds=1))
        assert all("does not match" in m for m in messages[:limit])
        unlock = timezone.localtime(start + window)  # the first failure leaves the window
        assert all(f"try again after {unlock:%Y-%m-%d %H:%M}" in m for m in messages[limit:])
        assert AuditEvent.objects.filter(action="sign_failed", actor=as_physicist).count() == limit
        assert AuditEvent.objects.filter(action="refused", actor=as_physicist).count() == 20 - limit
        with pytest.raises(SignatureError, match="locked"):
            sign(camera, as_physicist, PASSWORD, "approved")  # the right password, while locked
        clock.move_to(start + window + dt.timedelta(seconds=1))
        assert sign(camera, as_physicist, PASSWORD, "approved").signer == as_physicist


def test_a_signature_resets_the_count(as_physicist):
    limit = failure_limit()
    camera = _camera()
    for _ in range(limit - 1):
        with pytest.raises(SignatureError, match="does not match"):
            sign(camera, as_physicist, "wrong", "approved")
    sign(camera, as_physicist, PASSWORD, "approved")
    for _ in range(limit - 1):
        with pytest.raises(SignatureError, match="does not match"):
            sign(camera, as_physicist, "wrong", "approved")
    assert sign(camera, as_physicist, PASSWORD, "reviewed").meaning == "reviewed"


def test_throttle_counts_each_signer_apart(as_physicist, make_user):
    other = make_user("physicist", "phys2")
    camera = _camera()
    for _ in range(failure_limit()):
        with pytest.raises(SignatureError):
            sign(camera, as_physicist, "wrong", "approved")
    assert sign(camera, other, PASSWORD, "approved").signer == other
