"""Waste commands: ``nmguard waste release-date`` (shared logic in :mod:`nmguard.calculators.waste`)."""

from __future__ import annotations

import typer

from nmguard.calculators import waste as calc
from nmguard.cli.output import emit_json, emit_table
from nmguard.physics.units import format_activity

JSON = typer.Option(False, "--json", help="Print one JSON object instead of a table.")

waste_app = typer.Typer(help="Radioactive waste: decay-in-storage release dates.", no_args_is_help=True)


@waste_app.command("release-date")
def release_date(
    nuclide: str = typer.Option(..., "--nuclide", help="e.g. I-131, 99mTc"),
    activity: str = typer.Option(..., "--activity", help="activity at --at, e.g. '1 GBq', '20 mCi'"),
    at: str = typer.Option(..., "--at", help="ISO 8601 time with UTC offset, e.g. 2026-03-02T08:00:00+01:00"),
    limit: str = typer.Option(..., "--limit", help="activity to decay to, e.g. '1 MBq'"),
    profile: str = typer.Option("nrc", "--profile", help="jurisdiction profile: nrc, euratom or iaea"),
    hold_half_lives: str | None = typer.Option(
        None, "--hold-half-lives", help="hold at least this many half-lives (Agreement-State option, e.g. 10)"
    ),
    json: bool = JSON,
) -> None:
    """When a waste container may be released: decay to the limit, the jurisdiction's rule, the survey to do."""
    r = calc.release_date(nuclide, activity, at, limit, profile, hold_half_lives)
    if json:
        emit_json(r)
        return
    yes = {True: "yes", False: "NO", None: "not set by the profile"}
    rows = [
        ("Nuclide", f"{r['nuclide']} (T½ {r['half_life_d']:.5g} d) [{r['half_life_source']}, {r['half_life_status']}]"),
        ("Activity", f"{format_activity(r['activity_Bq'])} at {r['at']}"),
        ("Limit", format_activity(r["limit_Bq"])),
        ("Profile", r["profile"]),
        ("Decay-in-storage", yes[r["eligible_for_decay_in_storage"]]),
        ("Release at", r["release_at"] or "— (no release date)"),
        ("Storage", f"{r['days']:.2f} d = {r['half_lives']:.3f} half-lives"),
        ("Rule", r["rule"]),
        ("Survey", r["survey_required"]),
        ("Record", "; ".join(r["record_fields"])),
    ]
    rows += [("Source" if i == 0 else "", f"{s['id']} ({s['status']}, {s['for']})") for i, s in enumerate(r["sources"])]
    rows += [("Warning" if i == 0 else "", w) for i, w in enumerate(r["warnings"])]
    emit_table(rows, title="Waste release date")


def register(app: typer.Typer) -> None:
    app.add_typer(waste_app, name="waste")
