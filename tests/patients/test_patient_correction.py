"""Correcting a patient's details (issue 12 mending): since the Django admin stopped editing clinical records,
a typo in a name or a birth date could not be corrected at all. The registering roles correct it on the
patient's page, with the registration's checks and a reason, audited with the values before and after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from tests.department import now_minute
from tests.patients.test_administration_path import prescribe_fdg

from nmguard.apps.core.audit import record_differences
from nmguard.apps.core.models import AuditEvent
from nmguard.apps.patients import services
from nmguard.apps.patients.models import Patient

pytestmark = pytest.mark.django_db

REASON = "family name misspelt at registration; corrected from the ID card"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client, patient, **changes):
    data = {
        "mrn": patient.mrn,
        "family_name": patient.family_name,
        "given_name": patient.given_name,
        "birth_date": patient.birth_date.isoformat(),
        "sex": patient.sex,
        "reason": REASON,
    } | changes
    return client.post(f"/administrations/patients/{patient.pk}/correct/", data)


def test_a_technologist_corrects_a_name_and_the_trail_says_what_and_why(dept):
    man = dept["man"]
    client = _client(dept["technologist"])
    response = _post(client, man, family_name="Mann")
    assert response.status_code == 302 and response["Location"] == f"/administrations/patients/{man.pk}/"
    man.refresh_from_db()
    assert man.family_name == "Mann" and man.given_name == "Max"
    event = AuditEvent.objects.filter(model_label="patients.Patient", object_id=str(man.pk)).last()
    assert event.action == "update" and event.actor == dept["technologist"]
    assert event.before["family_name"] == "Man" and event.after["family_name"] == "Mann"
    assert event.reason == f"corrected (family_name): {REASON}"
    assert record_differences(man) == []  # corrected through NMGuard: the record matches its audited state
    page = client.get(response["Location"])
    assert "Details corrected" in page.content.decode() and "integrity-warning" not in page.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"family_name": "Mann", "reason": ""}, "reason", "required"),
        ({"family_name": "Mann", "reason": "typo"}, "reason", ""),  # no substance
        ({}, "mrn", "nothing differs"),
        ({"mrn": "p-3"}, "mrn", "exists already"),  # the child's ID in another case
        ({"birth_date": "2999-01-01"}, "birth_date", ""),  # a year typed wrong
        ({"birth_date": "1860-01-01"}, "birth_date", "before"),
        ({"family_name": "   "}, "family_name", ""),
    ],
)
def test_a_wrong_correction_is_refused_by_the_field_and_nothing_changes(dept, changes, field, says):
    man = dept["man"]
    client = _client(dept["physician"])  # signing in is an audit event itself
    events = AuditEvent.objects.count()
    response = _post(client, man, **changes)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert says in " ".join(errors[field])
    assert Patient.objects.get(pk=man.pk).family_name == "Man" and AuditEvent.objects.count() == events


@pytest.mark.parametrize("role", ["rpo", "radiopharmacist", "physicist", "administrator"])
def test_roles_that_do_not_register_patients_may_not_correct_them(dept, make_user, role):
    man = dept["man"]
    user = dept.get(role) or make_user(role, f"{role}-corrector")
    response = _post(_client(user), man, family_name="Mann")
    assert response.status_code == 403
    assert Patient.objects.get(pk=man.pk).family_name == "Man"
    page = _client(user).get(f"/administrations/patients/{man.pk}/").content.decode()
    assert "correct-patient" not in page


def test_a_new_birth_date_asks_to_review_what_was_worked_out_from_the_old_one(dept):
    man = dept["man"]
    prescribe_fdg(dept, now_minute() + dt.timedelta(hours=1))
    review = services.correct_patient(
        man,
        mrn=man.mrn,
        family_name=man.family_name,
        given_name=man.given_name,
        birth_date=dt.date(1961, 2, 2),
        sex=man.sex,
        reason="birth year typed as 1960; the HIS and the ID card say 1961",
        user=dept["physician"],
    )
    assert len(review) == 1 and "1 open prescription(s)" in review[0] and "review them" in review[0]
