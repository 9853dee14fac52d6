"""REST endpoints of the hot lab (the same services as the pages)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Status

from nmguard.apps.core.web import require_perm
from nmguard.apps.radiopharmacy import services
from nmguard.apps.radiopharmacy.models import Batch, BatchTest, Delivery, Generator, Recipe, WasteContainer
from nmguard.errors import InputError
from nmguard.input_bounds import parse_activity, parse_instant
from nmguard.web.input_bounds import BoundedSchema, object_or_404

router = Router(tags=["hot lab"])


class GeneratorIn(BoundedSchema):
    text_limits_from = (Generator,)
    name: str
    parent: str
    calibrated_activity: str
    calibrated_at: str
    received_at: str
    manufacturer: str = ""
    lot: str = ""


@router.post("/generators", response={201: dict})
def receive_generator(request: HttpRequest, payload: GeneratorIn):
    require_perm(request, "radiopharmacy.add_generator")
    g = services.receive_generator(
        name=payload.name,
        parent=payload.parent,
        calibrated_activity_Bq=parse_activity(payload.calibrated_activity, "calibrated_activity"),
        calibrated_at=parse_instant(payload.calibrated_at, "calibrated_at"),
        received_at=parse_instant(payload.received_at, "received_at"),
        user=request.user,
        manufacturer=payload.manufacturer,
        lot=payload.lot,
    )
    return Status(201, {"id": g.pk, "parent": g.parent, "daughter": g.daughter})


class ElutionIn(BoundedSchema):
    eluted_at: str
    eluted_activity: str
    volume_mL: float
    breakthrough_parent_activity: str | None = None
    # A safety answer without a default: true (passed), false (failed) or null (not tested), given explicitly.
    aluminium_ok: bool | None
    yield_reason: str = ""


@router.post("/generators/{generator_id}/elutions", response={201: dict})
def elute(request: HttpRequest, generator_id: int, payload: ElutionIn):
    require_perm(request, "radiopharmacy.add_elution")
    g = object_or_404(Generator, pk=generator_id)
    e = services.elute(
        g,
        eluted_at=parse_instant(payload.eluted_at, "eluted_at"),
        eluted_Bq=parse_activity(payload.eluted_activity, "eluted_activity"),
        volume_mL=payload.volume_mL,
        user=request.user,
        breakthrough_parent_Bq=parse_activity(
            payload.breakthrough_parent_activity, "breakthrough_parent_activity", allow_zero=True
        )
        if payload.breakthrough_parent_activity
        else None,
        aluminium_ok=payload.aluminium_ok,
        yield_reason=payload.yield_reason,
    )
    return Status(
        201,
        {
            "id": e.pk,
            "available_MBq": e.available_Bq / 1e6,
            "yield_percent": e.yield_percent,
            "breakthrough": e.breakthrough,
            "usable": e.usable,
        },
    )


class ComponentIn(BoundedSchema):
    name: str
    lot: str
    expiry: dt.date


class BatchIn(BoundedSchema):
    text_limits_from = (Batch,)
    recipe_id: int
    number: str
    prepared_at: str
    activity: str
    volume_mL: float
    components: list[ComponentIn]
    elution_id: int | None = None
    stock_id: int | None = None


def _batch_out(b: Batch) -> dict:
    return {
        "id": b.pk,
        "number": b.number,
        "status": b.status,
        "expires_at": b.expires_at.isoformat(),
        "activity_MBq": b.activity_Bq / 1e6,
        "volume_mL": b.volume_mL,
    }


@router.post("/batches", response={201: dict})
def prepare(request: HttpRequest, payload: BatchIn):
    from nmguard.apps.radiopharmacy.models import Delivery, Elution

    require_perm(request, "radiopharmacy.add_batch")
    recipe = Recipe.objects.filter(pk=payload.recipe_id).first()
    if recipe is None:
        raise InputError("unknown recipe", "recipe_id")
    elution = None
    if payload.elution_id is not None:
        elution = Elution.objects.filter(pk=payload.elution_id).first()
        if elution is None:
            raise InputError("unknown elution", "elution_id")
    stock = None
    if payload.stock_id is not None:
        stock = Delivery.objects.filter(pk=payload.stock_id).first()
        if stock is None:
            raise InputError("unknown stock vial (delivery)", "stock_id")
    b = services.prepare_batch(
        recipe,
        number=payload.number,
        prepared_at=parse_instant(payload.prepared_at, "prepared_at"),
        activity_Bq=parse_activity(payload.activity, "activity"),
        volume_mL=payload.volume_mL,
        components=[services.Component(c.name, c.lot, c.expiry) for c in payload.components],
        user=request.user,
        elution=elution,
        stock=stock,
    )
    return Status(201, _batch_out(b))


class TestIn(BoundedSchema):
    text_limits_from = (BatchTest,)
    test: str
    value: float | None = None
    text: str = ""
    waived_reason: str = ""


@router.post("/batches/{batch_id}/tests", response={201: dict})
def record_test(request: HttpRequest, batch_id: int, payload: TestIn):
    require_perm(request, "radiopharmacy.add_batchtest")
    b = object_or_404(Batch, pk=batch_id)
    services.record_test(
        b,
        test=payload.test,
        user=request.user,
        value=payload.value,
        text=payload.text,
        waived_reason=payload.waived_reason,
    )
    return Status(201, services.release_decision(b).to_dict())


class ReleaseIn(BoundedSchema):
    password: str
    statement: str = ""


@router.post("/batches/{batch_id}/release")
def release(request: HttpRequest, batch_id: int, payload: ReleaseIn) -> dict:
    require_perm(request, "radiopharmacy.change_batch")
    b = services.release(
        object_or_404(Batch, pk=batch_id),
        qualified_person=request.user,
        password=payload.password,
        statement=payload.statement,
    )
    return _batch_out(b)


class DispenseIn(BoundedSchema):
    prescription_id: int | None = None
    wanted_activity: str
    wanted_at: str
    activity_meter_id: int
    measured_activity: str
    measured_at: str


@router.post("/batches/{batch_id}/dispensings", response={201: dict})
def dispense(request: HttpRequest, batch_id: int, payload: DispenseIn):
    from nmguard.apps.equipment.models import Equipment
    from nmguard.apps.patients.models import Prescription

    require_perm(request, "radiopharmacy.add_dispensing")
    b = object_or_404(Batch, pk=batch_id)
    meter = Equipment.objects.filter(pk=payload.activity_meter_id).first()
    if meter is None:
        raise InputError("unknown activity meter", "activity_meter_id")
    prescription = None
    if payload.prescription_id is not None:
        prescription = Prescription.objects.filter(pk=payload.prescription_id).first()
        if prescription is None:
            raise InputError("unknown prescription", "prescription_id")
    d = services.dispense(
        b,
        prescription=prescription,
        wanted_Bq=parse_activity(payload.wanted_activity, "wanted_activity"),
        wanted_at=parse_instant(payload.wanted_at, "wanted_at"),
        meter=meter,
        measured_Bq=parse_activity(payload.measured_activity, "measured_activity"),
        measured_at=parse_instant(payload.measured_at, "measured_at"),
        user=request.user,
    )
    return Status(201, {"id": d.pk, "volume_mL": d.volume_mL, "label": f"/hotlab/dispensings/{d.pk}/label.pdf"})


class WasteIn(BoundedSchema):
    text_limits_from = (WasteContainer,)
    label: str
    nuclide: str
    activity: str
    limit: str
    sealed_at: str


@router.post("/waste", response={201: dict})
def seal(request: HttpRequest, payload: WasteIn):
    require_perm(request, "radiopharmacy.add_wastecontainer")
    c = services.seal_waste(
        label=payload.label,
        nuclide=payload.nuclide,
        activity_Bq=parse_activity(payload.activity, "activity"),
        limit_Bq=parse_activity(payload.limit, "limit"),
        sealed_at=parse_instant(payload.sealed_at, "sealed_at"),
        user=request.user,
    )
    return Status(201, {"id": c.pk, "release_at": c.release_at.isoformat() if c.release_at else None, "rule": c.rule})


@router.get("/waste")
def list_waste(request: HttpRequest) -> list[dict]:
    require_perm(request, "radiopharmacy.view_wastecontainer")
    return [
        {
            "id": c.pk,
            "label": c.label,
            "nuclide": c.nuclide,
            "release_at": c.release_at.isoformat() if c.release_at else None,
            "disposed_at": c.disposed_at.isoformat() if c.disposed_at else None,
        }
        for c in WasteContainer.objects.all()
    ]


class DeliveryIn(BoundedSchema):
    text_limits_from = (Delivery,)
    nuclide: str
    product: str
    activity: str
    calibrated_at: str
    received_at: str
    receipt_ok: bool
    supplier: str = ""
    package_surface_uSv_h: float | None = None
    package_1m_uSv_h: float | None = None
    wipe_Bq_per_cm2: float | None = None
    receipt_note: str = ""


@router.post("/deliveries", response={201: dict})
def receive_delivery(request: HttpRequest, payload: DeliveryIn):
    from nmguard.apps.radiopharmacy.inventory import receive_delivery as receive

    require_perm(request, "radiopharmacy.add_delivery")
    delivery, exceeded = receive(
        nuclide=payload.nuclide,
        product=payload.product,
        activity_Bq=parse_activity(payload.activity, "activity"),
        calibrated_at=parse_instant(payload.calibrated_at, "calibrated_at"),
        received_at=parse_instant(payload.received_at, "received_at"),
        receipt_ok=payload.receipt_ok,
        user=request.user,
        supplier=payload.supplier,
        package_surface_uSv_h=payload.package_surface_uSv_h,
        package_1m_uSv_h=payload.package_1m_uSv_h,
        wipe_Bq_per_cm2=payload.wipe_Bq_per_cm2,
        receipt_note=payload.receipt_note,
    )
    return Status(201, {"id": delivery.pk, "possession_limits_exceeded": [h.nuclide for h in exceeded]})


@router.get("/holdings")
def holdings(request: HttpRequest) -> list[dict]:
    """Activity on hand per nuclide now, against the licence's possession limits; ``flagged`` lists stored
    records whose activity now cannot be computed (left out of ``on_hand_Bq``)."""
    from nmguard.apps.radiopharmacy.inventory import holdings as current

    require_perm(request, "radiopharmacy.view_delivery")
    return [
        {
            "nuclide": h.nuclide,
            "on_hand_Bq": h.on_hand_Bq,
            "limit_Bq": h.limit_Bq,
            "licence": h.licence,
            "exceeded": h.exceeded,
            "flagged": list(h.flagged),
        }
        for h in current()
    ]
