"""REST endpoints of the shielding rooms (the same services and results as the pages): the rooms with their
points and results, adding a room and a point. A refusal is 422 naming the field, as everywhere in the API."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from nmguard.apps.core.web import require_perm
from nmguard.apps.protection import room_services
from nmguard.apps.protection.room_models import PointOfInterest, ShieldingRoom
from nmguard.apps.protection.shielding_results import point_result, renamed, result_dict
from nmguard.apps.protection.staff_sums import check_profile
from nmguard.errors import InputError
from nmguard.input_bounds import parse_activity
from nmguard.web.input_bounds import BoundedSchema, object_or_404

router = Router(tags=["shielding"])
VIEW = "protection.view_shieldingroom"


class RoomIn(BoundedSchema):
    text_limits_from = (ShieldingRoom,)
    name: str
    kind: str
    nuclide: str
    activity: str  # e.g. "555 MBq"
    per_week: float  # checked as a whole number by the service (12.5 is refused by its field)
    uptake_min: float | None = None
    imaging_min: float | None = None
    voiding: bool = True
    stay_min: float | None = None
    delay_min: float = 0.0
    notes: str = ""


class PointIn(BoundedSchema):
    text_limits_from = (PointOfInterest,)
    barrier: str
    location: str
    distance_m: float
    occupancy_choice: str
    occupancy: float | None = None
    area: str
    material: str = ""
    thickness_mm: float | None = None
    other_room_id: int | None = None
    other_distance_m: float | None = None


def room_dict(room: ShieldingRoom, profile: str) -> dict[str, object]:
    fields = ("name", "kind", "nuclide", "activity_MBq", "per_week", "uptake_min", "imaging_min", "voiding")
    points = room.points.select_related("room", "other_room").order_by("barrier", "location")
    return {
        "id": room.pk,
        **{f: getattr(room, f) for f in fields},
        "stay_min": room.stay_min,
        "delay_min": room.delay_min,
        "points": [
            {
                "id": p.pk,
                "barrier": p.barrier,
                "location": p.location,
                "distance_m": p.distance_m,
                "occupancy_choice": p.occupancy_choice,
                "material": p.material,
                "thickness_mm": p.thickness_mm,
                "other_room_id": p.other_room_id,
                "other_distance_m": p.other_distance_m,
                "result": result_dict(point_result(p, profile)),
            }
            for p in points
        ],
    }


@router.get("/rooms", response=dict)
def list_rooms(request: HttpRequest, profile: str | None = None):
    """Every room with its points and their results (computed now) under the department's or a what-if profile."""
    require_perm(request, VIEW)
    profile = check_profile(profile)
    return {"profile": profile, "rooms": [room_dict(r, profile) for r in ShieldingRoom.objects.all()]}


@router.get("/rooms/{room_id}", response=dict)
def get_room(request: HttpRequest, room_id: int, profile: str | None = None):
    require_perm(request, VIEW)
    return room_dict(object_or_404(ShieldingRoom, pk=room_id), check_profile(profile))


@router.post("/rooms", response={201: dict})
def add_room(request: HttpRequest, payload: RoomIn):
    require_perm(request, room_services.WRITE_PERMISSION)
    data = payload.dict()
    data["activity_MBq"] = parse_activity(data.pop("activity"), "activity") / 1e6
    room = room_services.save_room(None, data, request.user)
    return Status(201, room_dict(room, check_profile(None)))


@router.post("/rooms/{room_id}/points", response={201: dict})
def add_point(request: HttpRequest, room_id: int, payload: PointIn):
    require_perm(request, "protection.add_pointofinterest")
    room = object_or_404(ShieldingRoom, pk=room_id)
    data = payload.dict()
    other_id = data.pop("other_room_id")
    data["other_room"] = ShieldingRoom.objects.filter(pk=other_id).first() if other_id is not None else None
    if other_id is not None and data["other_room"] is None:
        raise InputError(f"other_room_id: no room {other_id}", "other_room_id")
    try:
        point = room_services.save_point(room, None, data, request.user)
    except InputError as exc:
        raise renamed(exc, {"other_room": "other_room_id"}) from None
    return Status(201, {"id": point.pk, "result": result_dict(point_result(point))})
