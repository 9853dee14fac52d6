"""The REST API under /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Authentication: the browser session (with CSRF) for every endpoint except health. Bad input is a
422 whose ``detail`` names the field, the same shape ninja uses for schema errors.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import django_auth

import nmguard
from nmguard.apps.patients.api import router as patients_router
from nmguard.apps.protection.api import router as protection_router
from nmguard.apps.protection.monitoring_api import router as monitoring_router
from nmguard.apps.protection.shielding_api import router as shielding_router
from nmguard.apps.protection.sources_api import router as sources_router
from nmguard.apps.quality.audit_api import router as quality_audits_router
from nmguard.apps.quality.document_api import router as quality_documents_router
from nmguard.apps.quality.incident_api import router as quality_incidents_router
from nmguard.apps.quality.indicators_api import router as quality_indicators_router
from nmguard.apps.quality.review_meeting_api import router as quality_review_meetings_router
from nmguard.apps.quality.training_api import router as training_router
from nmguard.apps.radiopharmacy.api import router as hotlab_router
from nmguard.apps.therapy.api import router as dosimetry_router
from nmguard.apps.therapy.release_api import router as release_router
from nmguard.errors import InputError
from nmguard.web.api_calculators import router as calculators_router

api = NinjaAPI(
    title="NMGuard API",
    version="1",
    description="Radiation protection, safety and quality for nuclear medicine.",
    urls_namespace="api-v1",
    auth=django_auth,
)


@api.exception_handler(InputError)
def _input_error(request: HttpRequest, exc: InputError):
    loc = ["body", exc.field] if exc.field else ["body"]
    return api.create_response(
        request, {"detail": [{"loc": loc, "msg": exc.message, "type": "value_error"}]}, status=422
    )


class Health(Schema):
    status: str
    database: str
    version: str


@api.get("/health", response=Health, auth=None, tags=["system"])
def health(request: HttpRequest) -> dict:
    """Liveness and database reachability, for monitoring."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "database": connection.vendor, "version": nmguard.__version__}


class Me(Schema):
    username: str
    display_name: str
    roles: list[str]


@api.get("/me", response=Me, tags=["system"])
def me(request: HttpRequest) -> dict:
    user = request.user
    return {"username": user.username, "display_name": str(user), "roles": user.role_names()}


api.add_router("/calculators", calculators_router)
api.add_router("/", patients_router)
api.add_router("/hotlab", hotlab_router)
api.add_router("/dosimetry", dosimetry_router)
api.add_router("/protection", protection_router)  # staff doses, investigations, events
api.add_router("/protection", sources_router)  # sealed sources, leak tests, inventories
api.add_router("/protection/monitoring", monitoring_router)
api.add_router("/protection/shielding", shielding_router)
api.add_router("/release", release_router)
api.add_router("/quality", training_router)  # training and competence
api.add_router("/quality", quality_indicators_router)  # indicators, readiness
api.add_router("/quality", quality_review_meetings_router)  # management-review meetings
api.add_router("/quality", quality_audits_router)  # audits, clinical audits
api.add_router("/quality", quality_documents_router)  # documents, peer review
api.add_router("/quality", quality_incidents_router)  # incidents, corrective and preventive actions
