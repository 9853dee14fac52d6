"""Shared set-up of the API fuzzers: a small department with records to point ids at, a client per role,
and a request runner that turns any server error (5xx or an exception out of a view) into a finding."""

from __future__ import annotations

import datetime as dt
import json
import traceback
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from nmguard.apps.core.actor import acting_as

# Roles that use the API: each operation is fuzzed signed in as those that may use it (the writer of its area
# and the administrator) and as one that may not (read-only), so that refusals are exercised as well.
FUZZ_ROLES = (
    "administrator",
    "technologist",
    "radiopharmacist",
    "physician",
    "physicist",
    "rpo",
    "quality_manager",
    "read_only",
)
ROLE_FOR_TAG = {
    "administrations": ("technologist", "physician"),
    "hot lab": ("radiopharmacist",),
    "dosimetry": ("physicist",),
    "calculators": ("technologist",),
    "system": ("read_only",),
    "protection": ("rpo",),
    "protection: monitoring": ("rpo",),
    "shielding": ("physicist",),
    "sealed sources": ("rpo",),
    "release": ("physician",),
    "quality audits": ("quality_manager",),
    "quality: documents and peer review": ("quality_manager",),
    "quality incidents": ("quality_manager", "technologist"),
    "quality: indicators": ("quality_manager",),
    "quality: management review meetings": ("quality_manager",),
    "quality: training": ("quality_manager",),
}


@dataclass
class Findings:
    """Server errors seen, one line each (method, path, status, cause)."""

    errors: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        if line not in self.errors:
            self.errors.append(line)


def openapi() -> dict:
    from nmguard.web.api import api

    return api.get_openapi_schema(path_prefix="/api/v1/")


def operations() -> list[tuple[str, str, dict]]:
    """(method, path, operation) for every operation of the OpenAPI document."""
    return [(m, p, op) for p, ops in openapi()["paths"].items() for m, op in ops.items()]


@pytest.fixture
def fuzz_department(dept, make_user):
    """The shared test department plus a generator, an elution and a prescription, so that small ids
    point at real records."""
    from nmguard.apps.patients import services as patient_services
    from nmguard.apps.radiopharmacy import services as hotlab_services

    rp = make_user("radiopharmacist", "fuzz-fixture-rp")
    now = timezone.now()
    with acting_as(rp, reason="fuzz fixture"):
        generator = hotlab_services.receive_generator(
            name="Gen 1",
            parent="Mo-99",
            calibrated_activity_Bq=20e9,
            calibrated_at=now - dt.timedelta(hours=20),
            received_at=now - dt.timedelta(hours=2),
            user=rp,
        )
        hotlab_services.elute(
            generator,
            eluted_at=now - dt.timedelta(hours=1),
            eluted_Bq=10e9,
            volume_mL=5.0,
            user=rp,
            aluminium_ok=True,
        )
        patient_services.prescribe(
            patient=dept["adult"],
            protocol=dept["mdp_protocol"],
            scheduled_for=now + dt.timedelta(hours=1),
            weight_kg=70.0,
            prescriber=dept["physician"],
        )
    return dept


def clients(make_user) -> dict[str, Client]:
    """A signed-in client per role of :data:`FUZZ_ROLES`; exceptions out of views are kept in the response."""
    out = {}
    for role in FUZZ_ROLES:
        client = Client(raise_request_exception=False)
        client.force_login(make_user(role, f"fuzz-{role}"))
        out[role] = client
    return out


def send(client: Client, method: str, path: str, body, content_type: str | None) -> tuple[int, str]:
    """One request in its own savepoint (rolled back, so that examples do not pile up records), returning
    the status and, for a server error, the cause (exception type and innermost frame)."""
    caught: list[BaseException] = []

    def keep(sender, request=None, **kwargs):
        import sys

        caught.append(sys.exc_info()[1])

    from django.core.signals import got_request_exception

    got_request_exception.connect(keep)
    try:
        with transaction.atomic():
            if method == "get":
                response = client.get(path)
            elif method == "form":  # a browser's form post, bytes as a raw client may send them
                import urllib.parse

                data = urllib.parse.urlencode(body, errors="surrogatepass")
                response = client.post(path, data, content_type="application/x-www-form-urlencoded")
            elif content_type == "multipart/form-data":
                response = client.post(path, body)
            else:
                # a body schemathesis sends as raw bytes (not JSON at all) goes as it is
                data = body if isinstance(body, bytes) else json.dumps(body) if body is not None else ""
                response = client.generic(method.upper(), path, data, content_type="application/json")
            transaction.set_rollback(True)
    finally:
        got_request_exception.disconnect(keep)
    cause = ""
    if response.status_code >= 500:
        if caught and caught[0] is not None:
            exc = caught[0]
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            cause = (
                f"{type(exc).__name__}: {str(exc)[:120]} at {frame.filename.split('site-packages/')[-1]}:{frame.lineno}"
            )
        else:
            cause = response.content[:200].decode("utf-8", "replace")
    return response.status_code, cause
