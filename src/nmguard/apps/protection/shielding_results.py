"""The results of a point of interest, computed when shown from the stored inputs and the pure layer.

Why computed and not stored: the inputs (workload, distance, occupancy, area) are the design record; the weekly
dose, transmission and thicknesses follow from them and the reference data of the day, so a data update or a
change of the department's profile shows at once. Nothing here recomputes physics: the pure
:mod:`nmguard.protection.shielding` gives every number and step; this module only chooses its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from nmguard.apps.protection.room_models import PointOfInterest, ShieldingRoom
from nmguard.apps.protection.staff_sums import check_profile
from nmguard.errors import InputError
from nmguard.protection.shielding import (
    BarrierResult,
    Step,
    combine_at_point,
    fit_energy,
    pet_barrier,
    source_barrier,
)
from nmguard.protection.shielding_transmission import archer_transmission
from nmguard.reference.shielding import DesignGoal, archer_fit, design_goal, occupancy_choices

OTHER = "other"
# the pure layer's field names, as the room's fields are called on the form and in the API
FIELD_NAMES = {"patients_per_week": "per_week", "duration": "stay_min", "distance_m": "distance_m"}


def renamed(exc: InputError, names: dict[str, str] | None = None) -> InputError:
    """``exc`` with the pure layer's field name changed to the form's (the message is kept)."""
    field = (names or FIELD_NAMES).get(exc.field or "", exc.field)
    return InputError(exc.message, field)


def source_result(room: ShieldingRoom, distance_m: float, occupancy: float, goal_uSv: float) -> BarrierResult:
    """The room's source seen from a point at ``distance_m`` (thicknesses where cited fits exist: else B alone)."""
    if room.is_pet:
        imaging = room.kind == ShieldingRoom.Kind.PET_IMAGING
        return pet_barrier(  # the pure layer refuses a scan time for the uptake room and needs one for imaging
            room="imaging" if imaging else "uptake",
            activity_Bq=room.activity_MBq * 1e6,
            patients_per_week=room.per_week,
            uptake_s=(room.uptake_min or 0.0) * 60.0,
            imaging_s=None if room.imaging_min is None else room.imaging_min * 60.0,
            distance_m=distance_m,
            occupancy=occupancy,
            design_goal_uSv_week=goal_uSv,
            voiding=room.voiding,
        )
    return source_barrier(
        nuclide=room.nuclide,
        activity_Bq=room.activity_MBq * 1e6,
        sources_per_week=room.per_week,
        stay_s=(room.stay_min or 0.0) * 60.0,
        delay_s=(room.delay_min or 0.0) * 60.0,
        distance_m=distance_m,
        occupancy=occupancy,
        design_goal_uSv_week=goal_uSv,
        thickness=room.is_pet or fit_energy(room.nuclide) is not None,
    )


def not_yet_note(room: ShieldingRoom) -> str | None:
    """The pure layer's own "not yet" refusal when the room's nuclide has no cited transmission fit, else None."""
    if room.is_pet or fit_energy(room.nuclide) is not None:
        return None
    try:
        source_barrier(
            nuclide=room.nuclide,
            activity_Bq=room.activity_MBq * 1e6,
            sources_per_week=room.per_week,
            stay_s=(room.stay_min or 1.0) * 60.0,
            distance_m=1.0,
            occupancy=1.0,
            design_goal_uSv_week=1.0,
        )
    except InputError as exc:
        return exc.message
    return None


def check_room(room: ShieldingRoom) -> None:
    """Refuse (InputError on the form's field) a workload the pure layer cannot compute."""
    try:
        source_result(room, 1.0, 1.0, 1.0)
    except InputError as exc:
        raise renamed(exc) from None


def occupancy_of(point: PointOfInterest) -> tuple[float, Step]:
    """T of the point: the suggested value from data for a chosen class (so a data update shows), else typed."""
    choice = occupancy_choices().get(point.occupancy_choice)
    if choice is None:
        return point.occupancy, Step("T", "occupancy factor (entered by the department)", point.occupancy, "1")
    f = choice.factor
    return f.value, Step("T", f"occupancy factor: {choice.label}", f.value, "1", "", f.source.id, f.status.value)


@dataclass(frozen=True)
class PointResult:
    """One point's answer under one profile, with the existing barrier judged when one is entered."""

    point: PointOfInterest
    profile: str
    goal: DesignGoal
    result: BarrierResult
    occupancy_step: Step
    thickness_note: str | None  # the pure layer's "not yet" when no cited fit covers the nuclide
    barrier_steps: tuple[Step, ...] = ()
    barrier_transmission: float | None = None
    shielded_uSv_week: float | None = None  # T x D_week x B of the existing barrier
    passes: bool | None = None
    barrier_note: str | None = None

    @property
    def steps(self) -> tuple[Step, ...]:
        """Every step, the occupancy's citation in place of the pure layer's bare T, then the barrier's."""
        steps = tuple(self.occupancy_step if s.symbol == "T" else s for s in self.result.steps)
        return steps + self.barrier_steps


def _contributions(point: PointOfInterest, occupancy: float, goal: float) -> list[tuple[str, BarrierResult]]:
    parts = [(point.room.name, source_result(point.room, point.distance_m, occupancy, goal))]
    if point.other_room is not None and point.other_distance_m is not None:
        parts.append((point.other_room.name, source_result(point.other_room, point.other_distance_m, occupancy, goal)))
    return parts


def point_result(point: PointOfInterest, profile: str | None = None) -> PointResult:
    """The point's result under ``profile`` (None: the department's)."""
    profile = check_profile(profile)
    goal = design_goal(profile, point.area)
    occupancy, t_step = occupancy_of(point)
    parts = _contributions(point, occupancy, goal.weekly_uSv.value)
    result = (
        parts[0][1]
        if len(parts) == 1
        else combine_at_point(parts, occupancy=occupancy, design_goal_uSv_week=goal.weekly_uSv.value)
    )
    rooms = [point.room] + ([point.other_room] if len(parts) > 1 else [])
    note = next((n for n in (not_yet_note(r) for r in rooms) if n), None)
    common = dict(point=point, profile=profile, goal=goal, result=result, occupancy_step=t_step, thickness_note=note)
    if not point.material or point.thickness_mm is None:
        return PointResult(**common)
    if note is not None:
        return PointResult(**common, barrier_note=f"existing barrier not judged: {note}")
    fit = archer_fit(point.material, "511keV")
    b = archer_transmission(fit, point.thickness_mm)
    shielded = occupancy * result.weekly_dose_uSv * b
    steps = (
        Step(
            "B_x",
            f"transmission of the existing {point.thickness_mm:g} mm of {point.material} (511 keV broad beam)",
            b,
            "1",
            "[(1 + β/α) exp(αγx) − β/α]^(−1/γ)",
            fit.alpha.source.id,
            fit.alpha.status.value,
        ),
        Step("D_x", "weekly dose behind the existing barrier, times T", shielded, "µSv/week", "T × D_week × B_x"),
    )
    return PointResult(
        **common,
        barrier_steps=steps,
        barrier_transmission=b,
        shielded_uSv_week=shielded,
        passes=shielded <= goal.weekly_uSv.value,
    )


def result_dict(r: PointResult) -> dict[str, object]:
    """The API's and the report's plain values (the pure layer's keys plus the profile and the barrier)."""
    res = r.result
    return {
        "profile": r.profile,
        "area": r.point.area,
        "design_goal_uSv_week": r.goal.weekly_uSv.value,
        "design_goal_note": r.goal.weekly_uSv.note,
        "occupancy": r.occupancy_step.value,
        "weekly_dose_uSv": res.weekly_dose_uSv,
        "transmission_required": res.transmission_required,
        "shielding_needed": res.shielding_needed,
        **{f"{m}_mm": res.thickness_mm.get(m) for m in ("lead", "concrete", "iron")},
        "thickness_note": r.thickness_note,
        "existing_barrier_transmission": r.barrier_transmission,
        "shielded_weekly_uSv": r.shielded_uSv_week,
        "passes": r.passes,
        "barrier_note": r.barrier_note,
        "steps": [
            {"symbol": s.symbol, "name": s.name, "value": s.value, "unit": s.unit, "source": s.source} for s in r.steps
        ],
    }
