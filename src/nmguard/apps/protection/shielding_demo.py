"""Demo shielding design: a PET uptake room and the PET/CT scanner room with five points each (one point behind
the shared wall sees both rooms), and the hot lab, entered by the physicist through the same services."""

from __future__ import annotations

from nmguard.apps.core.roles import Role
from nmguard.apps.protection.room_models import ShieldingRoom
from nmguard.apps.protection.room_services import save_point, save_room

UPTAKE = {"name": "PET uptake 1", "kind": "pet_uptake", "nuclide": "F-18", "activity_MBq": 370.0, "per_week": 30,
          "uptake_min": 60.0}  # fmt: skip
SCANNER = {"name": "PET/CT scanner", "kind": "pet_imaging", "nuclide": "F-18", "activity_MBq": 370.0, "per_week": 30,
           "uptake_min": 60.0, "imaging_min": 20.0, "voiding": True}  # fmt: skip
HOT_LAB = {"name": "Hot lab (F-18 dispensing)", "kind": "hot_lab", "nuclide": "F-18", "activity_MBq": 15000.0,
           "per_week": 5, "stay_min": 120.0, "delay_min": 0.0,
           "notes": "The morning multi-dose vial in its dispensing shield is not modelled: an unshielded vial, an "
                    "upper bound."}  # fmt: skip

# (barrier, beyond, distance m, occupancy class, area, existing material, mm, other room, its distance m)
UPTAKE_POINTS = [
    ("wall N", "physicians' office", 2.5, "full", "uncontrolled", "lead", 12.0, None, None),
    ("wall E", "corridor", 2.0, "corridors", "uncontrolled", "", None, None, None),
    ("door", "corridor door", 2.2, "corridor_doors", "uncontrolled", "lead", 3.0, None, None),
    ("floor", "waiting room below", 3.5, "full", "uncontrolled", "concrete", 200.0, None, None),
    ("wall S", "PET/CT control room", 3.0, "full", "controlled", "", None, SCANNER["name"], 4.0),
]
SCANNER_POINTS = [
    ("wall W", "corridor", 3.0, "corridors", "uncontrolled", "", None, None, None),
    ("door", "corridor door", 3.5, "corridor_doors", "uncontrolled", "lead", 2.0, None, None),
    ("ceiling", "storage room above", 3.5, "occasional", "uncontrolled", "", None, None, None),
    ("wall E", "reporting room", 4.0, "full", "controlled", "lead", 6.0, None, None),
    ("floor", "car park below", 4.0, "transient", "uncontrolled", "concrete", 250.0, None, None),
]
HOT_LAB_POINTS = [
    ("wall N", "nurses' station", 2.0, "full", "controlled", "concrete", 150.0, None, None),
    ("door", "corridor door", 2.5, "corridor_doors", "uncontrolled", "", None, None, None),
]


def _points(room: ShieldingRoom, rows: list[tuple], user) -> None:
    for barrier, location, d, occupancy, area, material, mm, other, other_d in rows:
        save_point(
            room,
            None,
            {
                "barrier": barrier,
                "location": location,
                "distance_m": d,
                "occupancy_choice": occupancy,
                "area": area,
                "material": material,
                "thickness_mm": mm,
                "other_room": ShieldingRoom.objects.get(name=other) if other else None,
                "other_distance_m": other_d,
            },
            user,
        )


def load_shielding_demo(users: dict) -> None:
    """The physicist enters the PET suite and the hot lab (attributed and audited as any user's entries)."""
    physicist = users[Role.PHYSICIST]
    uptake = save_room(None, dict(UPTAKE), physicist)
    scanner = save_room(None, dict(SCANNER), physicist)
    lab = save_room(None, dict(HOT_LAB), physicist)
    _points(uptake, UPTAKE_POINTS, physicist)
    _points(scanner, SCANNER_POINTS, physicist)
    _points(lab, HOT_LAB_POINTS, physicist)
