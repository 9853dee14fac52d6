"""One transaction per unsafe request, none for reads (nmguard.web.transactions).

Transactional tests (``transaction=True``): the request's own transaction is the outermost one, as in
production, not a savepoint inside the test's. The views below are test-only and reached through this
module's URLconf, which also carries the real site; the write they make is a real one (a patient through
the service, with its audit event on the hash chain), so a rollback must take both back.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

import nmguard.web.urls
from nmguard.apps.core.models import AuditEvent, AuditHead
from nmguard.apps.patients import services
from nmguard.apps.patients.models import Patient

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]


def _register(request: HttpRequest, mrn: str) -> Patient:
    return services.register_patient(
        mrn=mrn, family_name="Rollback", given_name="Rita", birth_date=dt.date(1970, 1, 1), sex="F", user=request.user
    )


def _write_then_raise(request: HttpRequest) -> HttpResponse:
    _register(request, "TX-RAISE")
    raise RuntimeError("the view failed after its write")


def _write_then_500(request: HttpRequest) -> HttpResponse:
    _register(request, "TX-500")
    return HttpResponse("failed", status=500)


def _write_then_ok(request: HttpRequest) -> HttpResponse:
    _register(request, "TX-OK")
    return HttpResponse("ok")


def _transaction_state(request: HttpRequest) -> HttpResponse:
    """What the view runs in: 'atomic' inside a transaction, 'autocommit' outside; reads the database too."""
    count = Patient.objects.count()
    return HttpResponse(f"{'atomic' if connection.in_atomic_block else 'autocommit'} {count}")


urlpatterns = [
    path("_tx/raise/", _write_then_raise),
    path("_tx/500/", _write_then_500),
    path("_tx/ok/", _write_then_ok),
    path("_tx/state/", _transaction_state),
    *nmguard.web.urls.urlpatterns,
]


@pytest.fixture
def tech_client(make_user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(make_user("technologist", "tech-tx"))
    return client


def _chain_length() -> int:
    head = AuditHead.objects.filter(pk=1).first()
    return head.last_seq if head else 0


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unsafe_request_whose_view_raises_after_a_write_leaves_nothing(tech_client, method):
    seq, events = _chain_length(), AuditEvent.objects.count()
    response = getattr(tech_client, method)("/_tx/raise/")
    assert response.status_code == 500
    assert not Patient.objects.filter(mrn="TX-RAISE").exists()
    assert (_chain_length(), AuditEvent.objects.count()) == (seq, events)  # the audit event went back too


def test_post_answered_with_500_rolls_back(tech_client):
    seq = _chain_length()
    assert tech_client.post("/_tx/500/").status_code == 500
    assert not Patient.objects.filter(mrn="TX-500").exists()
    assert _chain_length() == seq


def test_post_that_succeeds_commits_the_row_and_its_audit_event(tech_client):
    seq = _chain_length()
    assert tech_client.post("/_tx/ok/").status_code == 200
    patient = Patient.objects.get(mrn="TX-OK")
    assert _chain_length() == seq + 1
    assert AuditEvent.objects.filter(model_label="patients.Patient", object_id=str(patient.pk)).count() == 1


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_safe_request_runs_outside_a_transaction(tech_client, method):
    response = getattr(tech_client, method)("/_tx/state/")
    assert response.status_code == 200
    if method != "head":
        assert response.content.decode().startswith("autocommit ")


def test_post_runs_inside_one_transaction(tech_client):
    response = tech_client.post("/_tx/state/")
    assert response.content.decode().startswith("atomic ")


def test_registration_form_still_writes_patient_and_audit_event(tech_client):
    """The real form flow (POST /administrations/patients/new/), end to end."""
    seq = _chain_length()
    response = tech_client.post(
        "/administrations/patients/new/",
        {"mrn": "TX-FORM-1", "family_name": "Form", "given_name": "Fiona", "birth_date": "1980-02-03", "sex": "F"},
    )
    assert response.status_code == 302, response.content[:300]
    patient = Patient.objects.get(mrn="TX-FORM-1")
    assert response["Location"].endswith(f"/administrations/patients/{patient.pk}/")
    assert _chain_length() == seq + 1
    assert tech_client.get(response["Location"]).status_code == 200


@pytest.fixture
def writer_holding_the_lock():
    """A second connection to the same SQLite file holding the write lock (BEGIN IMMEDIATE), and Django's
    connection made to give up after 1 s instead of the 20 s busy timeout, so that a request that wants the
    lock fails quickly rather than hangs."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's single write lock")
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 1000")
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()
        connection.close()  # the next use reconnects with the configured busy timeout


def test_sqlite_page_views_are_served_while_another_connection_writes(tech_client, writer_holding_the_lock):
    """Before: ATOMIC_REQUESTS + IMMEDIATE made every GET take the write lock and wait for any writer."""
    assert tech_client.get("/_tx/state/").content.decode().startswith("autocommit ")
    for page in ("/", "/administrations/patients/", "/administrations/", "/administrations/prescriptions/"):
        assert tech_client.get(page).status_code == 200, page
    # the control: the lock really is held, a POST (IMMEDIATE) cannot begin and fails after the 1 s timeout
    assert tech_client.post("/_tx/ok/").status_code == 500
    assert not Patient.objects.filter(mrn="TX-OK").exists()
