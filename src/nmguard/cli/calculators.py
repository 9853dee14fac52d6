"""Calculator commands: ``nuclide`` and ``decay`` (shared logic in :mod:`nmguard.calculators.nuclides`)."""

from __future__ import annotations

import typer

from nmguard.calculators import nuclides as calc
from nmguard.cli.output import emit_json, emit_table
from nmguard.physics.units import format_activity

JSON = typer.Option(False, "--json", help="Print one JSON object instead of a table.")


def _duration(seconds: float) -> str:
    s = abs(seconds)
    text = (
        f"{s / 86400:.4g} d"
        if s >= 2 * 86400
        else f"{s / 3600:.5g} h"
        if s >= 3600
        else f"{s / 60:.4g} min"
        if s >= 60
        else f"{s:.4g} s"
    )
    return ("−" if seconds < 0 else "") + text


def nuclide(name: str = typer.Argument(..., help="e.g. Tc-99m, Tc99m, 99mTc"), json: bool = JSON) -> None:
    """Half-life, decay modes, mean energies, main photon lines and air-kerma rate constant."""
    info = calc.nuclide_info(name)
    if json:
        emit_json(info)
        return
    v = info["values"]

    def src(key: str) -> str:
        return f"[{v[key]['source']}, {v[key]['status']}]"

    rows = [
        ("Half-life", f"{_duration(info['half_life_s'])} ({info['half_life_s']:.6g} s) {src('half_life')}"),
        (
            "Decay",
            ", ".join(
                f"{b['mode']} {b['fraction']:.4g}" + (f" → {b['daughter']}" if b["daughter"] else "")
                for b in info["decay_modes"]
            ),
        ),
        ("Mean electron energy", f"{info['mean_electron_energy_MeV']:.5g} MeV/decay {src('mean_electron_energy')}"),
        ("Mean photon energy", f"{info['mean_photon_energy_MeV']:.5g} MeV/decay {src('mean_photon_energy')}"),
        (
            "Air-kerma rate constant",
            f"{info['air_kerma_rate_constant_uGy_m2_per_MBq_h']:.4g} µGy·m²/(MBq·h) {src('air_kerma_rate_constant')}",
        ),
    ]
    lines = sorted(info["photon_lines"], key=lambda p: -p["yield_per_decay"])[:6]
    rows += [
        (
            "Photon line" if i == 0 else "",
            f"{p['energy_keV']:.2f} keV  {100 * p['yield_per_decay']:.3g} %  ({p['kind']})",
        )
        for i, p in enumerate(lines)
    ]
    rows += [("Source" if i == 0 else "", f"{c['id']}: {c['text']}") for i, c in enumerate(info["sources"])]
    emit_table(rows, title=info["name"])


def decay(
    nuclide: str = typer.Argument(..., help="e.g. Tc-99m"),
    activity: str = typer.Argument(..., help="e.g. '740 MBq', '20 mCi'"),
    start: str = typer.Option(..., "--from", help="ISO 8601 with offset, e.g. 2026-03-02T08:00:00+01:00"),
    end: str = typer.Option(..., "--to", help="ISO 8601 with offset; earlier than --from decays backwards"),
    json: bool = JSON,
) -> None:
    """Decay an activity from one instant to another (forwards or backwards)."""
    result = calc.decay(nuclide, activity, start, end)
    if json:
        emit_json(result)
        return
    emit_table(
        [
            ("Nuclide", f"{result['nuclide']} (T½ {_duration(result['half_life_s'])}, {result['half_life_source']})"),
            ("Activity at start", f"{format_activity(result['initial_activity_Bq'])} at {result['from']}"),
            ("Elapsed", _duration(result["elapsed_s"])),
            ("Decay factor", f"{result['decay_factor']:.6f}"),
            ("Activity at end", f"{format_activity(result['activity_Bq'])} at {result['to']}"),
        ],
        title="Decay",
    )


def register(app: typer.Typer) -> None:
    app.command()(nuclide)
    app.command()(decay)
