"""Hot-lab calculators: ``breakthrough``, ``draw-volume``, ``elution-yield`` (shared logic in
:mod:`nmguard.calculators.hotlab`)."""

from __future__ import annotations

import os

import typer

from nmguard.calculators import hotlab as calc
from nmguard.cli.output import emit_json, emit_table
from nmguard.errors import InputError

JSON = typer.Option(False, "--json", help="Print one JSON object instead of a table.")
ISO = "ISO 8601 with offset, e.g. 2026-03-02T08:00:00+01:00"


def _future_margin() -> float:
    """Minutes a breakthrough test may lie in the future (clock skew): NMGUARD_FUTURE_MARGIN_MINUTES, default 10."""
    raw = os.environ.get("NMGUARD_FUTURE_MARGIN_MINUTES", "").strip()
    if not raw:
        return calc.DEFAULT_FUTURE_MARGIN_MINUTES
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"NMGUARD_FUTURE_MARGIN_MINUTES={raw!r} is not a number of minutes") from None
    if value < 0:
        raise InputError("NMGUARD_FUTURE_MARGIN_MINUTES cannot be negative")
    return value


def _src(v: dict) -> str:
    return f"[{v['source']}, {v['status']}]" if v.get("source") else ""


def _warnings(rows: list[tuple[str, str]], warnings: list[str]) -> None:
    rows += [("Warning" if i == 0 else "", w) for i, w in enumerate(warnings)]


def breakthrough(
    parent: str = typer.Option(..., "--parent", help="Mo-99, Sr-82, Sr-85 or Ge-68"),
    parent_activity: str = typer.Option(..., "--parent-activity", help="parent in the eluate, e.g. '37 kBq'"),
    daughter_activity: str = typer.Option(..., "--daughter-activity", help="daughter in the eluate, e.g. '740 MBq'"),
    measured_at: str = typer.Option(..., "--measured-at", help=ISO),
    profile: str = typer.Option("nrc", "--profile", help="jurisdiction profile: nrc, euratom or iaea"),
    product: str | None = typer.Option(None, "--product", help="e.g. fission / non-fission (Ph. Eur. Mo-99)"),
    json: bool = JSON,
) -> None:
    """Generator breakthrough against the profile's limit, and when the eluate stops meeting it."""
    r = calc.breakthrough(
        parent,
        parent_activity,
        daughter_activity,
        measured_at,
        profile,
        product=product,
        future_margin_minutes=_future_margin(),
    )
    if json:
        emit_json(r)
        return
    v, inputs, params = r["values"], r["inputs"], r["parameters"]
    limit = v["limit_kBq_per_MBq"]
    yes = {True: "yes", False: "NO", None: "no limit in the profile"}
    rows = [
        ("Profile", f"{params['profile']} ({params['rule']}, {params['product']})"),
        ("Eluate", f"{inputs['parent']} in {inputs['daughter']}, measured {inputs['measured_at']}"),
        ("Ratio", f"{r['ratio_kBq_per_MBq']:.4g} kBq/MBq"),
        ("Limit", (f"{limit['value']:g} kBq/MBq " if limit["value"] is not None else "none ") + _src(limit)),
        ("Within limit", yes[r["within_limit"]]),
        ("Usable until", str(r["usable_until"])),
    ]
    _warnings(rows, r["warnings"])
    emit_table(rows, title="Breakthrough")


def draw_volume(
    nuclide: str = typer.Option(..., "--nuclide", help="e.g. Tc-99m"),
    stock_activity: str = typer.Option(..., "--stock-activity", help="stock at calibration, e.g. '10 GBq'"),
    stock_volume: str = typer.Option(..., "--stock-volume", help="stock volume, e.g. '5 mL'"),
    calibrated_at: str = typer.Option(..., "--calibrated-at", help="calibration time of the stock; " + ISO),
    want: str = typer.Option(..., "--want", help="activity wanted at the injection time, e.g. '740 MBq'"),
    at: str = typer.Option(..., "--at", help="injection time (may be in the future); " + ISO),
    drawn_at: str | None = typer.Option(None, "--drawn-at", help="when the syringe is filled (optional); " + ISO),
    json: bool = JSON,
) -> None:
    """Volume to draw so that the syringe holds the wanted activity at the injection time."""
    r = calc.draw_volume(nuclide, stock_activity, stock_volume, calibrated_at, want, at, drawn_at)
    if json:
        emit_json(r)
        return
    rows = [
        ("Nuclide", r["inputs"]["nuclide"]),
        ("Concentration at injection", f"{r['concentration_at_injection_MBq_per_mL']:.4g} MBq/mL"),
        ("Volume to draw", f"{r['volume_mL']:.3f} mL"),
    ]
    if r.get("activity_at_draw_MBq") is not None:
        rows.append(("Syringe reading when filled", f"{r['activity_at_draw_MBq']:.4g} MBq"))
    _warnings(rows, r["warnings"])
    emit_table(rows, title="Draw volume")


def elution_yield(
    generator_activity: str = typer.Option(..., "--generator-activity", help="parent at calibration, e.g. '20 GBq'"),
    calibrated_at: str = typer.Option(..., "--calibrated-at", help="generator calibration time; " + ISO),
    last_elution: str | None = typer.Option(
        None, "--last-elution", help="previous elution; if left out, ingrowth from calibration. " + ISO
    ),
    eluted: str = typer.Option(..., "--eluted", help="daughter activity eluted, e.g. '15 GBq'"),
    at: str = typer.Option(..., "--at", help="time of this elution; " + ISO),
    parent: str = typer.Option("Mo-99", "--parent", help="Mo-99, Sr-82 or Ge-68"),
    efficiency: str | None = typer.Option(None, "--efficiency", help="stated elution efficiency, e.g. 0.9 or 90"),
    json: bool = JSON,
) -> None:
    """Elution yield against the theoretical available daughter activity (Bateman ingrowth)."""
    r = calc.elution_yield(generator_activity, calibrated_at, last_elution, eluted, at, parent, efficiency)
    if json:
        emit_json(r)
        return
    rows = [
        ("Generator", f"{r['inputs']['parent']} → {r['inputs']['daughter']}"),
        ("Parent at elution", f"{r['parent_activity_at_elution_Bq'] / 1e6:.5g} MBq"),
        ("Ingrowth", f"{r['ingrowth_h']:.4g} h"),
        ("Available", f"{r['available_MBq']:.5g} MBq"),
        ("Eluted", f"{r['eluted_MBq']:.5g} MBq"),
        ("Yield", f"{r['yield_percent']:.1f} %"),
    ]
    if r.get("expected_eluted_MBq") is not None:
        rows.append(("Expected eluted", f"{r['expected_eluted_MBq']:.5g} MBq"))
    _warnings(rows, r["warnings"])
    emit_table(rows, title="Elution yield")


def register(app: typer.Typer) -> None:
    app.command("breakthrough")(breakthrough)
    app.command("draw-volume")(draw_volume)
    app.command("elution-yield")(elution_yield)
