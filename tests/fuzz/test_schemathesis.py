"""Schemathesis over every operation of /api/v1/openapi.json (its pytest integration): no request that it
generates from the schema makes a server error. Requests go through Django's test client signed in as the
administrator (every area's permissions), derandomized with a bounded number of examples per operation."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.fuzz.conftest import openapi, send

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_dict(openapi())


@pytest.fixture
def admin_client(fuzz_department, make_user):
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(make_user("administrator", "st-admin"))
    return client


@schema.parametrize()
@settings(max_examples=15, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case, admin_client):
    path = case.formatted_path
    if case.query:
        from urllib.parse import urlencode

        path += "?" + urlencode(case.query, doseq=True)
    method = case.method.lower()
    if method == "get":
        status, cause = send(admin_client, "get", path, None, None)
    elif case.media_type == "multipart/form-data":
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = (case.body or {}).get("file", b"") if isinstance(case.body, dict) else b""
        data = upload if isinstance(upload, bytes) else str(upload).encode("utf-8", "surrogatepass")
        status, cause = send(
            admin_client, method, path, {"file": SimpleUploadedFile("x.dcm", data)}, "multipart/form-data"
        )
    else:
        body = case.body if case.body is not schemathesis.core.NOT_SET else None
        status, cause = send(admin_client, method, path, body, "application/json")
    assert status < 500, f"{case.method} {path} {json.dumps(case.body, default=str)[:300]}: {status} {cause}"
