"""Shielding commands: ``nmguard shielding pet`` (AAPM TG-108) and ``nmguard shielding source`` (SPECT room,
hot lab). The calculation is :mod:`nmguard.protection.shielding`; this module parses, calls and prints."""

from __future__ import annotations

import typer

from nmguard.cli.output import emit_json, emit_table
from nmguard.errors import InputError
from nmguard.input_bounds import check_text, parse_activity
from nmguard.physics.display import format_sig
from nmguard.physics.units import parse_dose
from nmguard.protection.shielding import MATERIALS, BarrierResult, barrier_dict, pet_barrier, source_barrier
from nmguard.reference.shielding import design_goal

JSON = typer.Option(False, "--json", help="Print one JSON object instead of a table.")
GOAL = typer.Option(None, "--design-goal", help="weekly design goal P at the point, e.g. '20 uSv/week'")
AREA = typer.Option(None, "--area", help="instead of --design-goal: controlled | uncontrolled, from --profile's data")
PROFILE = typer.Option("nrc", "--profile", help="jurisdiction profile for --area: nrc, euratom or iaea")
DISTANCE = typer.Option(..., "--distance-m", help="source to the point of interest, metres")
OCCUPANCY = typer.Option(..., "--occupancy", help="occupancy factor T of the point, 0 < T <= 1")

shielding_app = typer.Typer(
    help="Shielding design: transmission and barrier thickness per point.", no_args_is_help=True
)


def _goal(text: str | None, area: str | None, profile: str) -> tuple[float, dict[str, object]]:
    """The weekly design goal in µSv from the user's text or from the profile's data, and where it came from."""
    for value, name in ((text, "design_goal"), (area, "area"), (profile, "profile")):
        if value is not None:
            check_text(value, name, max_length=100)
    if text is not None and area is not None:
        raise InputError("design_goal: give --design-goal or --area, not both", "design_goal")
    if text is not None:
        return parse_dose(text, "design_goal", per="week") * 1e6, {"basis": "given", "text": text}
    if area is None:
        raise InputError("design_goal: give --design-goal (e.g. '20 uSv/week') or --area with --profile", "design_goal")
    g = design_goal(profile, area)
    return g.weekly_uSv.value, {
        "basis": g.basis,
        "profile": g.profile,
        "area": g.area,
        "wording": g.wording,
        "annual_mSv": g.annual_mSv.value,
        "annual_source": g.annual_mSv.source.id,
        "annual_status": g.annual_mSv.status.value,
        "weeks_per_year": g.weeks_per_year.value,
    }


def _emit(result: BarrierResult, goal: dict[str, object], title: str, json: bool) -> None:
    out = {**barrier_dict(result), "design_goal": goal}
    if json:
        emit_json(out)
        return
    rows = [
        (
            f"{s.symbol}  {s.name}",
            f"{format_sig(s.value, 4)} {s.unit}" + (f"  [{s.source}, {s.status}]" if s.source else ""),
        )
        for s in result.steps
    ]
    rows.append(("Result", "shielding needed" if result.shielding_needed else "no barrier needed (B >= 1)"))
    rows += [(m, f"{format_sig(result.thickness_mm[m], 3)} mm") for m in MATERIALS if m in result.thickness_mm]
    rows += [("Warning" if i == 0 else "", w) for i, w in enumerate(result.warnings)]
    emit_table(rows, title=title)


@shielding_app.command("pet")
def pet(
    room: str = typer.Option(..., "--room", help="uptake | imaging"),
    activity: str = typer.Option(..., "--activity", help="F-18 activity administered, e.g. '555 MBq'"),
    patients_per_week: float = typer.Option(..., "--patients-per-week", help="patients a week in this room"),
    uptake_min: float = typer.Option(..., "--uptake-min", help="uptake time, minutes from injection"),
    imaging_min: float | None = typer.Option(None, "--imaging-min", help="scan time, minutes (imaging room)"),
    distance_m: float = DISTANCE,
    occupancy: float = OCCUPANCY,
    design_goal_text: str | None = GOAL,
    area: str | None = AREA,
    profile: str = PROFILE,
    voiding: bool = typer.Option(True, "--voiding/--no-voiding", help="imaging room: patient voids first (0.85)"),
    json: bool = JSON,
) -> None:
    """AAPM TG-108: weekly unshielded dose at a point, transmission required, lead/concrete/iron thickness."""
    goal, basis = _goal(design_goal_text, area, profile)
    result = pet_barrier(
        room=room,
        activity_Bq=parse_activity(activity, "activity"),
        patients_per_week=patients_per_week,
        uptake_s=uptake_min * 60.0,
        imaging_s=None if imaging_min is None else imaging_min * 60.0,
        distance_m=distance_m,
        occupancy=occupancy,
        design_goal_uSv_week=goal,
        voiding=voiding,
    )
    _emit(result, basis, f"PET {room} room barrier (AAPM TG-108)", json)


@shielding_app.command("source")
def source(
    nuclide: str = typer.Option(..., "--nuclide", help="e.g. Tc-99m, F-18"),
    activity: str = typer.Option(..., "--activity", help="activity of one source at the start of the delay"),
    per_week: float = typer.Option(..., "--per-week", help="patients or sources a week at this position"),
    stay_min: float = typer.Option(..., "--stay-min", help="minutes each stays at the position"),
    delay_min: float = typer.Option(0.0, "--delay-min", help="minutes from the activity's time to the stay"),
    distance_m: float = DISTANCE,
    occupancy: float = OCCUPANCY,
    design_goal_text: str | None = GOAL,
    area: str | None = AREA,
    profile: str = PROFILE,
    transmission_only: bool = typer.Option(
        False, "--transmission-only", help="B alone, for nuclides without cited transmission data (not yet)"
    ),
    json: bool = JSON,
) -> None:
    """SPECT room or hot lab: a point source with the nuclide's air-kerma-rate constant, no body attenuation."""
    goal, basis = _goal(design_goal_text, area, profile)
    result = source_barrier(
        nuclide=nuclide,
        activity_Bq=parse_activity(activity, "activity"),
        sources_per_week=per_week,
        stay_s=stay_min * 60.0,
        delay_s=delay_min * 60.0,
        distance_m=distance_m,
        occupancy=occupancy,
        design_goal_uSv_week=goal,
        thickness=not transmission_only,
    )
    _emit(result, basis, f"{nuclide} source barrier", json)


def register(app: typer.Typer) -> None:
    app.add_typer(shielding_app, name="shielding")
