"""REST endpoints of the sealed sources (the same services as the pages): the register, leak tests, inventories.

Activities are texts as on the page ("370 MBq", "10 mCi"), read by the units module's parser; times carry their
UTC offset; bad input is a 422 whose ``loc`` names the field.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Router, Status

from nmguard.apps.core.web import require_perm
from nmguard.apps.equipment.models import CheckSource
from nmguard.apps.protection import source_services as svc
from nmguard.apps.protection.source_models import LeakTest, SealedSource, SourceInventory
from nmguard.errors import InputError
from nmguard.physics.units import parse_activity
from nmguard.web.input_bounds import BoundedSchema, object_or_404

router = Router(tags=["sealed sources"])


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{field}: give the time with its UTC offset", field)
    return value


def source_dict(s: SealedSource) -> dict[str, object]:
    leak = svc.leak_state(s)
    return {
        "id": s.pk,
        "nuclide": s.nuclide,
        "serial_number": s.serial_number,
        "model_number": s.model_number,
        "activity_Bq": s.activity_Bq,
        "reference_at": s.reference_at.isoformat(),
        "activity_now_Bq": svc.activity_now(s),
        "form": s.form,
        "gaseous": s.gaseous,
        "emission": s.emission,
        "use": s.use,
        "location": s.location,
        "custodian": s.custodian.username,
        "received_on": s.received_on.isoformat(),
        "status": s.status,
        "status_reason": s.status_reason,
        "check_source": s.check_source_id,
        "leak_test": leak.to_dict(),
    }


def test_dict(t: LeakTest) -> dict[str, object]:
    return {
        "id": t.pk,
        "source": t.source_id,
        "wiped_at": t.wiped_at.isoformat(),
        "wiped_by": t.wiped_by.username,
        "removable_Bq": t.removable_Bq,
        "mda_Bq": t.mda_Bq,
        "limit_Bq": t.limit_Bq,
        "passed": t.passed,
        "reason": t.reason,
    }


def inventory_dict(i: SourceInventory) -> dict[str, object]:
    return {
        "id": i.pk,
        "performed_on": i.performed_on.isoformat(),
        "performed_by": i.performed_by.username,
        "signed_by": i.signature.signer_name if i.signature_id else None,
        "items": [{"source": it.source_id, "present": it.present, "location": it.location} for it in i.items.all()],
    }


class SourceIn(BoundedSchema):
    text_limits_from = (SealedSource,)
    nuclide: str
    serial_number: str
    model_number: str = ""
    activity: str
    reference_at: dt.datetime
    form: str = ""
    gaseous: bool = False
    emission: str = SealedSource.Emission.BETA_GAMMA
    use: str
    location: str
    custodian: str
    received_on: dt.date
    check_source: int | None = None


class LeakTestIn(BoundedSchema):
    wiped_at: dt.datetime
    mda_Bq: float
    removable_Bq: float | None = None
    gross_cpm: float | None = None
    background_cpm: float | None = None
    efficiency: float | None = None
    comment: str = ""


class InventoryItemIn(BoundedSchema):
    source: int
    present: bool
    location: str = ""


class InventoryIn(BoundedSchema):
    performed_on: dt.date
    password: str
    items: list[InventoryItemIn]
    comment: str = ""


@router.get("/sources", response=list[dict])
def list_sources(request: HttpRequest, include_disposed: bool = False):
    """The register: each source with its activity now and its leak-test state."""
    require_perm(request, "protection.view_sealedsource")
    qs = SealedSource.objects.select_related("custodian")
    if not include_disposed:
        qs = qs.exclude(status=SealedSource.Status.DISPOSED)
    return [source_dict(s) for s in qs[:500]]


@router.post("/sources", response={201: dict})
def create_source(request: HttpRequest, payload: SourceIn):
    require_perm(request, "protection.add_sealedsource")
    if payload.use not in SealedSource.Use.values:
        raise InputError(f"use: one of {', '.join(SealedSource.Use.values)}", "use")
    if payload.emission not in SealedSource.Emission.values:
        raise InputError(f"emission: one of {', '.join(SealedSource.Emission.values)}", "emission")
    custodian = get_user_model().objects.filter(username=payload.custodian, is_active=True).first()
    if custodian is None:
        raise InputError(f"custodian: no active user {payload.custodian!r}", "custodian")
    check = None
    if payload.check_source is not None:
        check = CheckSource.objects.filter(pk=payload.check_source).first()
        if check is None:
            raise InputError(f"check_source: no check source {payload.check_source}", "check_source")
    data = payload.dict(exclude={"activity", "custodian", "check_source"})
    data["reference_at"] = _aware(payload.reference_at, "reference_at")
    data["activity_Bq"] = parse_activity(payload.activity, "activity")
    source = svc.register_source(request.user, custodian=custodian, check_source=check, **data)
    return Status(201, source_dict(source))


@router.get("/sources/{pk}", response=dict)
def get_source(request: HttpRequest, pk: int):
    require_perm(request, "protection.view_sealedsource")
    s = object_or_404(SealedSource.objects.select_related("custodian"), pk=pk)
    return {**source_dict(s), "leak_tests": [test_dict(t) for t in s.leak_tests.select_related("wiped_by")]}


@router.post("/sources/{pk}/leak-tests", response={201: dict})
def create_leak_test(request: HttpRequest, pk: int, payload: LeakTestIn):
    """A leak test; a result at or above the limit withdraws the source (``source_status`` in the answer)."""
    require_perm(request, svc.WRITE_PERMISSION)
    source = object_or_404(SealedSource.objects.all(), pk=pk)
    data = payload.dict()
    data["wiped_at"] = _aware(payload.wiped_at, "wiped_at")
    test = svc.record_leak_test(source, user=request.user, **data)
    source.refresh_from_db()
    return Status(201, {**test_dict(test), "source_status": source.status})


@router.get("/inventories", response=list[dict])
def list_inventories(request: HttpRequest):
    require_perm(request, "protection.view_sourceinventory")
    qs = SourceInventory.objects.select_related("performed_by", "signature").prefetch_related("items")
    return [inventory_dict(i) for i in qs[:100]]


@router.post("/inventories", response={201: dict})
def create_inventory(request: HttpRequest, payload: InventoryIn):
    """A signed physical inventory: every source not disposed listed as present or not."""
    require_perm(request, "protection.add_sourceinventory")
    seen = {i.source: (i.present, i.location, "") for i in payload.items}
    if len(seen) != len(payload.items):
        raise InputError("items: a source is listed twice", "items")
    inventory = svc.record_inventory(
        seen, performed_on=payload.performed_on, user=request.user, password=payload.password, comment=payload.comment
    )
    return Status(201, inventory_dict(inventory))
