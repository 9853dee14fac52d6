"""A request that meets a database that is away (a PostgreSQL restart, drill of 2026-12-06: 47 HTTP 500s) or a
full data disk gets "503 Service Unavailable" with Retry-After and says that nothing was stored; every other
unhandled error is still a 500. The failure is raised where the drill met it: loading the session."""

from __future__ import annotations

import errno

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(physicist) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(physicist)
    return client


def _fail_session_load(monkeypatch, exc: BaseException) -> None:
    def load(self):
        raise exc

    monkeypatch.setattr(SessionStore, "load", load)


def test_a_page_while_the_database_restarts_is_503_with_retry_after(signed_in, monkeypatch):
    _fail_session_load(monkeypatch, OperationalError("FATAL:  the database system is shutting down"))
    response = signed_in.get("/administrations/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    text = response.content.decode()
    assert "The database cannot be reached" in text and "Nothing from this request was stored" in text
    assert "shutting down" not in text  # the driver's words stay in the log
    assert "Content-Security-Policy" in response  # still behind the security headers


def test_the_api_answers_503_in_json(signed_in, monkeypatch):
    _fail_session_load(monkeypatch, OperationalError("connection refused"))
    response = signed_in.post("/api/v1/patients", data={}, content_type="application/json")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["detail"].startswith("The database cannot be reached")


def test_a_full_data_disk_is_503_too(signed_in, monkeypatch):
    _fail_session_load(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    response = signed_in.get("/administrations/")
    assert response.status_code == 503 and "data disk is full" in response.content.decode()


@pytest.mark.parametrize("exc", [ValueError("a bug"), OSError(errno.EACCES, "Permission denied")])
def test_any_other_error_stays_a_500(signed_in, monkeypatch, exc):
    _fail_session_load(monkeypatch, exc)
    response = signed_in.get("/administrations/")
    assert response.status_code == 500 and "Retry-After" not in response
