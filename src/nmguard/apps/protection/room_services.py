"""Adding and changing shielding rooms and points of interest: checked, attributed, audited (one place for the
pages, the API and the demo). A refusal is an InputError naming the form's field."""

from __future__ import annotations

import math
from typing import Any

from django.db import IntegrityError, transaction

from nmguard.apps.core.actor import acting_as
from nmguard.apps.protection.room_models import PointOfInterest, ShieldingRoom
from nmguard.apps.protection.shielding_results import OTHER, check_room, point_result, renamed
from nmguard.errors import InputError
from nmguard.reference.nuclides import get_nuclide
from nmguard.reference.shielding import occupancy_choices, shielding_data

WRITE_PERMISSION = "protection.add_shieldingroom"
MAX_THICKNESS_MM = 5000.0  # 5 m of anything stops 511 keV; beyond it a typing error (and exp() would overflow)
PET_FIELDS = ("uptake_min", "imaging_min", "voiding")
SOURCE_FIELDS = ("stay_min", "delay_min")


def check_may_write(user) -> None:
    """Refuse a person whose role may not write protection records (the RPO and the physicist may)."""
    if user is None or not user.is_active or not user.has_perm(WRITE_PERMISSION):
        name = getattr(user, "username", "nobody")
        raise InputError(
            f"{name} may not change shielding records (roles: radiation protection officer, medical physicist)",
            "user",
        )


def _text(value: Any, field: str, limit: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise InputError(f"{field}: required", field)
    if len(text) > limit:
        raise InputError(f"{field}: at most {limit} characters", field)
    return text


def _whole(value: Any, field: str) -> int:
    """A whole number of patients a week (1 or more): 12.5 patients a week is a typing error, not a workload."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{field}: a whole number, e.g. 20", field) from None
    if not math.isfinite(number) or not number.is_integer() or number < 1:
        raise InputError(f"{field}: a whole number of 1 or more, e.g. 20 (got {value!r})", field)
    return int(number)


def _positive(value: Any, field: str, *, zero: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{field}: a number", field) from None
    if not math.isfinite(number) or number < 0 or (number == 0 and not zero):
        raise InputError(f"{field}: must be more than 0" if not zero else f"{field}: must be 0 or more", field)
    return number


def _fill_room(room: ShieldingRoom, data: dict[str, Any]) -> None:
    room.name = _text(data.get("name"), "name", 120)
    kind = data.get("kind")
    if kind not in ShieldingRoom.Kind.values:
        raise InputError(f"kind: one of {', '.join(ShieldingRoom.Kind.values)}", "kind")
    room.kind = kind
    room.nuclide = get_nuclide(_text(data.get("nuclide"), "nuclide", 16)).name
    pet_nuclide = shielding_data().pet.nuclide
    if room.is_pet and room.nuclide != pet_nuclide:
        raise InputError(
            f"nuclide: a PET room follows TG-108 for {pet_nuclide}; use a SPECT or hot-lab room", "nuclide"
        )
    room.activity_MBq = _positive(data.get("activity_MBq"), "activity")
    room.per_week = _whole(data.get("per_week"), "per_week")
    room.notes = str(data.get("notes") or "").strip()
    if room.is_pet:  # the fields of the other kind are cleared, not kept unseen
        room.uptake_min = data.get("uptake_min")
        room.imaging_min = data.get("imaging_min")
        room.voiding = bool(data.get("voiding", True))
        room.stay_min, room.delay_min = None, 0.0
    else:
        room.stay_min = data.get("stay_min")
        room.delay_min = _positive(data.get("delay_min") or 0.0, "delay_min", zero=True)
        room.uptake_min = room.imaging_min = None
        room.voiding = False
    check_room(room)


@transaction.atomic
def save_room(room: ShieldingRoom | None, data: dict[str, Any], user, reason: str = "") -> ShieldingRoom:
    """Create (``room`` None) or change a room; a change needs a reason, as every design-record change."""
    check_may_write(user)
    new = room is None
    room = room or ShieldingRoom()
    if not new and not reason.strip():
        raise InputError("reason: say why the room changes", "reason")
    _fill_room(room, data)
    if ShieldingRoom.objects.filter(name=room.name).exclude(pk=room.pk).exists():
        raise InputError(f"name: a room named {room.name!r} exists", "name")
    with acting_as(user, reason=reason.strip() or "shielding room added"):
        room.save()
    return room


def _fill_point(point: PointOfInterest, data: dict[str, Any]) -> None:
    point.barrier = _text(data.get("barrier"), "barrier", 60)
    point.location = _text(data.get("location"), "location", 120)
    point.distance_m = _positive(data.get("distance_m"), "distance_m")
    choice = data.get("occupancy_choice") or ""
    choices = occupancy_choices()
    if choice == OTHER:
        t = data.get("occupancy")
        if t is None or t == "":
            raise InputError("occupancy: type the occupancy factor (0 < T <= 1) for 'other'", "occupancy")
        t = _positive(t, "occupancy")
        if t > 1:
            raise InputError(f"occupancy: {t:g} is outside 0 < T <= 1", "occupancy")
        point.occupancy = t
    elif choice in choices:
        point.occupancy = choices[choice].factor.value
    else:
        raise InputError(f"occupancy_choice: one of {', '.join([*choices, OTHER])}", "occupancy_choice")
    point.occupancy_choice = choice
    area = data.get("area")
    if area not in PointOfInterest.Area.values:
        raise InputError(f"area: one of {', '.join(PointOfInterest.Area.values)}", "area")
    point.area = area
    material, thickness = data.get("material") or "", data.get("thickness_mm")
    if material not in PointOfInterest.Material.values:
        raise InputError("material: one of lead, concrete, iron (or none)", "material")
    if bool(material) != (thickness not in (None, "")):
        field = "thickness_mm" if material else "material"
        raise InputError(f"{field}: give the existing barrier's material and thickness together", field)
    point.material = material
    point.thickness_mm = _positive(thickness, "thickness_mm", zero=True) if material else None
    if point.thickness_mm is not None and point.thickness_mm > MAX_THICKNESS_MM:
        raise InputError(f"thickness_mm: at most {MAX_THICKNESS_MM:g} mm", "thickness_mm")
    other, other_d = data.get("other_room"), data.get("other_distance_m")
    if other is not None and other.pk == point.room_id:
        raise InputError("other_room: the point's own room counts already; choose another room", "other_room")
    if (other is None) != (other_d in (None, "")):
        field = "other_distance_m" if other is not None else "other_room"
        raise InputError(f"{field}: give the other room and its distance to the point together", field)
    point.other_room = other
    point.other_distance_m = _positive(other_d, "other_distance_m") if other is not None else None


@transaction.atomic
def save_point(
    room: ShieldingRoom, point: PointOfInterest | None, data: dict[str, Any], user, reason: str = ""
) -> PointOfInterest:
    """Create (``point`` None) or change a point of ``room``; refused unless its result can be computed."""
    check_may_write(user)
    new = point is None
    point = point or PointOfInterest(room=room)
    if not new and not reason.strip():
        raise InputError("reason: say why the point changes", "reason")
    _fill_point(point, data)
    try:
        point_result(point)
    except InputError as exc:
        raise renamed(exc, {"distance_m": "distance_m", "occupancy": "occupancy"}) from None
    try:
        with transaction.atomic(), acting_as(user, reason=reason.strip() or "point of interest added"):
            point.save()
    except IntegrityError:
        raise InputError(f"location: {point.barrier} ({point.location}) exists in this room", "location") from None
    return point
