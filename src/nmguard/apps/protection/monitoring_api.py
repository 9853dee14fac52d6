"""REST endpoints of workplace monitoring (same services as the pages): instruments, locations with their
schedule state, surveys and wipe tests. Mounted under /api/v1/protection/monitoring."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Status

from nmguard.apps.core.web import require_perm
from nmguard.apps.protection import survey_services as services
from nmguard.apps.protection.survey_models import Instrument, Survey, SurveyLocation, WipeTest
from nmguard.input_bounds import parse_instant
from nmguard.web.input_bounds import BoundedSchema, object_or_404

router = Router(tags=["protection: monitoring"])
LIST_LIMIT = 500


def _instrument(i: Instrument) -> dict:
    return {
        "id": i.pk, "name": i.name, "kind": i.kind, "serial": i.serial, "status": i.status,
        "calibrated_on": i.calibrated_on.isoformat(), "calibration_due": i.calibration_due.isoformat(),
        "efficiencies": i.efficiencies,
    }  # fmt: skip


def _survey(s: Survey) -> dict:
    return {
        "id": s.pk, "location_id": s.location_id, "instrument_id": s.instrument_id,
        "performed_at": s.performed_at.isoformat(), "performed_by": s.performed_by.username, "readings": s.readings,
        "background": s.background, "net_max": s.net_max, "unit": s.unit, "action_level": s.action_level,
        "level_source": s.level_source, "above_action_level": s.above_action_level,
    }  # fmt: skip


def _wipe(w: WipeTest) -> dict:
    return {
        "id": w.pk, "location_id": w.location_id, "counter_id": w.counter_id, "nuclide": w.nuclide,
        "performed_at": w.performed_at.isoformat(), "performed_by": w.performed_by.username,
        "gross_counts": w.gross_counts, "gross_time_s": w.gross_time_s, "background_counts": w.background_counts,
        "background_time_s": w.background_time_s, "area_cm2": w.area_cm2, "efficiency": w.efficiency,
        "removal_fraction": w.removal_fraction, "activity_Bq_cm2": w.activity_Bq_cm2, "mda_Bq_cm2": w.mda_Bq_cm2,
        "below_mda": w.below_mda, "action_level_Bq_cm2": w.action_level, "level_source": w.level_source,
        "above_action_level": w.above_action_level,
    }  # fmt: skip


@router.get("/instruments")
def list_instruments(request: HttpRequest) -> list[dict]:
    require_perm(request, services.VIEW_PERMISSION)
    return [_instrument(i) for i in Instrument.objects.all()[:LIST_LIMIT]]


@router.get("/locations")
def list_locations(request: HttpRequest) -> list[dict]:
    """Active locations with their action level and schedule state today (the department's date)."""
    require_perm(request, services.VIEW_PERMISSION)
    out = []
    for row in services.schedule(timezone.localdate()):
        loc, level = row.location, services.action_level(row.location)
        out.append({
            "id": loc.pk, "name": loc.name, "area_kind": loc.area_kind, "survey_kind": loc.survey_kind,
            "frequency": loc.frequency, "nuclide": loc.nuclide, "action_level": level[0], "level_source": level[1],
            "last_done": row.state.last_done.isoformat() if row.state.last_done else None,
            "due": row.state.due.isoformat(), "state": row.state.state,
        })  # fmt: skip
    return out


class SurveyIn(BoundedSchema):
    location_id: int
    instrument_id: int
    performed_at: str = Field(description="ISO 8601 with a UTC offset")
    readings: list[float] = Field(min_length=1, max_length=100)
    background: float | None = None
    note: str = ""


class WipeIn(BoundedSchema):
    location_id: int
    counter_id: int
    performed_at: str = Field(description="ISO 8601 with a UTC offset")
    nuclide: str = ""
    gross_counts: float
    gross_time_s: float
    background_counts: float
    background_time_s: float
    area_cm2: float
    removal_fraction: float | None = None
    note: str = ""


@router.get("/surveys")
def list_surveys(request: HttpRequest, location_id: int | None = None) -> list[dict]:
    require_perm(request, services.VIEW_PERMISSION)
    qs = Survey.objects.select_related("performed_by")
    if location_id is not None:
        qs = qs.filter(location=object_or_404(SurveyLocation, pk=location_id))
    return [_survey(s) for s in qs[:LIST_LIMIT]]


@router.post("/surveys", response={201: dict})
def create_survey(request: HttpRequest, payload: SurveyIn):
    require_perm(request, services.WRITE_PERMISSION)
    location = object_or_404(SurveyLocation, pk=payload.location_id)
    instrument = object_or_404(Instrument, pk=payload.instrument_id)
    when = parse_instant(payload.performed_at, "performed_at")
    survey = services.record_survey(
        request.user, location, instrument, when, payload.readings, payload.background, payload.note
    )
    return Status(201, _survey(survey))


@router.get("/wipe-tests")
def list_wipes(request: HttpRequest, location_id: int | None = None) -> list[dict]:
    require_perm(request, services.VIEW_PERMISSION)
    qs = WipeTest.objects.select_related("performed_by")
    if location_id is not None:
        qs = qs.filter(location=object_or_404(SurveyLocation, pk=location_id))
    return [_wipe(w) for w in qs[:LIST_LIMIT]]


@router.post("/wipe-tests", response={201: dict})
def create_wipe(request: HttpRequest, payload: WipeIn):
    require_perm(request, services.WRITE_PERMISSION)
    location = object_or_404(SurveyLocation, pk=payload.location_id)
    counter = object_or_404(Instrument, pk=payload.counter_id)
    data = payload.dict(exclude={"location_id", "counter_id", "performed_at"})
    wipe = services.record_wipe(
        request.user, location, counter, parse_instant(payload.performed_at, "performed_at"), **data
    )
    return Status(201, _wipe(wipe))
