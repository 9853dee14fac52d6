"""``nmguard dosimetry tia | stp | sphere | kernel`` (shared logic in :mod:`nmguard.calculators.dosimetry`).

The façade is imported inside each command: every ``nmguard`` process imports this module to list
its commands, and should not pay for what only these commands use (tests/cli/test_startup_imports.py).
"""

from __future__ import annotations

import typer

from nmguard.cli import dosimetry_run, sirt
from nmguard.cli.output import emit_json, emit_table

JSON = typer.Option(False, "--json", help="Print one JSON object instead of a table.")


def _g(value, fmt: str = ".4g", none: str = "—") -> str:
    return none if value is None else format(value, fmt)


def _warnings(rows: list[tuple[str, str]], warnings: list[str]) -> None:
    rows += [("Warning" if i == 0 else "", w) for i, w in enumerate(warnings)]


def tia(
    nuclide: str = typer.Option(..., "--nuclide", help="e.g. Lu-177, 177Lu, I-131"),
    times_h: str = typer.Option(..., "--times-h", help="hours after administration, e.g. 4,24,96,168"),
    activities_MBq: str = typer.Option(..., "--activities-MBq", help="MBq at those times, e.g. 120,300,180,90"),
    model: str = typer.Option("auto", "--model", help="auto, mono, bi, tri, bi_clearance, trapezoid or hybrid"),
    uncertainty: str | None = typer.Option(
        None, "--activity-uncertainty-percent", help="relative standard uncertainty of each activity (%)"
    ),
    json: bool = JSON,
) -> None:
    """Time-integrated activity from a time-activity curve: exponential fits chosen by AICc, or trapezoid."""
    from nmguard.calculators import dosimetry as calc  # SciPy (fits, statistics) only when run

    r = calc.tia(nuclide, times_h, activities_MBq, model, uncertainty)
    if json:
        emit_json(r)
        return
    unc = r["tia_uncertainty_percent"]
    rows = [
        ("Nuclide", str(r["inputs"]["nuclide"])),
        (
            "Points",
            ", ".join(
                f"{t:g} h: {a:g} MBq"
                for t, a in zip(r["inputs"]["times_h"], r["inputs"]["activities_MBq"], strict=True)
            ),
        ),
        ("Model", f"{r['model']} ({r['model_reason']})"),
        (
            "Parameters",
            ", ".join(f"{k} = {_g(v) if not isinstance(v, str) else v}" for k, v in r["parameters"].items()),
        ),
        ("TIA", f"{r['tia_MBq_h']:.5g} MBq·h" + (f" ± {unc:.2g} %" if unc is not None else "")),
        ("", f"= {r['tia_MBq_h'] * 3600:.5g} MBq·s"),
    ]
    for i, c in enumerate(r["candidates"]):
        line = (
            f"{c['model']:<9} k={c['n_params']}  TIA {_g(c['tia_MBq_h'], '.5g')}  AICc {_g(c['aicc'])}  "
            f"BIC {_g(c['bic'])}  weight {_g(c['aicc_weight'], '.3f')}"
        )
        if c["reason"]:
            line += f"  [{c['status']}: {c['reason']}]" if c["status"] != "fitted" else f"  [{c['reason']}]"
        rows.append(("Candidates" if i == 0 else "", line))
    _warnings(rows, r["warnings"])
    emit_table(rows, title="Time-integrated activity")


def stp(
    nuclide: str = typer.Option(..., "--nuclide", help="e.g. Lu-177"),
    time_h: str = typer.Option(..., "--time-h", help="measurement time, hours after administration"),
    activity: str = typer.Option(..., "--activity", help="measured activity with unit, e.g. '1200 MBq'"),
    method: str = typer.Option("haenscheid", "--method", help="haenscheid or madsen"),
    effective_half_life_h: str | None = typer.Option(
        None, "--effective-half-life-h", help="population effective half-life (h); required for madsen"
    ),
    json: bool = JSON,
) -> None:
    """Time-integrated activity from a single measurement (Hänscheid 2018 or Madsen 2018)."""
    from nmguard.calculators import dosimetry as calc  # SciPy (fits, statistics) only when run

    r = calc.stp(nuclide, time_h, activity, method, effective_half_life_h)
    if json:
        emit_json(r)
        return
    rows = [
        ("Nuclide", str(r["inputs"]["nuclide"])),
        ("Measurement", f"{r['inputs']['activity_MBq']:.5g} MBq at {r['inputs']['time_h']:g} h"),
        ("Method", f"{r['method']} [{r['parameters']['source']}]"),
    ]
    if r["inputs"]["effective_half_life_h"] is not None:
        rows.append(("Effective half-life", f"{r['inputs']['effective_half_life_h']:g} h"))
    rows += [("TIA", f"{r['tia_MBq_h']:.5g} MBq·h"), ("Assumptions", r["assumptions"])]
    _warnings(rows, r["warnings"])
    emit_table(rows, title="Single-time-point TIA")


def sphere(
    nuclide: str = typer.Option(..., "--nuclide", help="e.g. Lu-177, I-131, Y-90"),
    mass_g: str = typer.Option(..., "--mass-g", help="sphere mass in g"),
    density: str | None = typer.Option(None, "--density-g-cm3", help="density (default 1.0 g/cm³)"),
    json: bool = JSON,
) -> None:
    """Self-dose S-value of a uniform sphere (electrons + photons, point kernels in water)."""
    from nmguard.calculators import dosimetry as calc  # SciPy (fits, statistics) only when run

    r = calc.sphere(nuclide, mass_g, density)
    if json:
        emit_json(r)
        return
    rows = [
        ("Nuclide", r["nuclide"]),
        ("Sphere", f"{r['mass_g']:g} g at {r['density_g_cm3']:g} g/cm³ (radius {r['radius_cm'] * 10:.4g} mm)"),
        (
            "Electrons",
            f"{r['electron_energy_MeV']:.4g} MeV/decay, absorbed fraction {r['electron_absorbed_fraction']:.4f}",
        ),
        ("Photons", f"{r['photon_energy_MeV']:.4g} MeV/decay, absorbed fraction {r['photon_absorbed_fraction']:.4f}"),
        ("S-value", f"{r['s_value_mGy_per_MBq_s']:.4g} mGy/(MBq·s)"),
        ("Sources", ", ".join(r["sources"])),
    ]
    _warnings(rows, r["notes"])
    emit_table(rows, title="Sphere S-value")


def kernel(
    nuclide: str = typer.Option(..., "--nuclide", help="e.g. Lu-177"),
    voxel_mm: str = typer.Option(..., "--voxel-mm", help="voxel size in mm, one value or dz,dy,dx"),
    radius_mm: str | None = typer.Option(None, "--radius-mm", help="kernel extent (default: beta range + 1 voxel)"),
    json: bool = JSON,
) -> None:
    """Dose voxel kernel generated from the point kernels: centre-voxel S-value and energy kept inside."""
    from nmguard.calculators import dosimetry as calc  # SciPy (fits, statistics) only when run

    r = calc.kernel(nuclide, voxel_mm, radius_mm)
    if json:
        emit_json(r)
        return
    rows = [
        ("Nuclide", r["nuclide"]),
        ("Voxel", " x ".join(f"{v:g}" for v in r["voxel_mm"]) + f" mm ({r['mass_g']:.4g} g at unit density)"),
        ("Kernel size", " x ".join(str(n) for n in r["shape"]) + " voxels"),
        ("Centre voxel", f"{r['centre_voxel_mGy_per_MBq_s']:.4g} mGy/(MBq·s)"),
        (
            "Energy within kernel",
            f"{r['energy_fraction_within_kernel']:.4f} of {r['energy_per_decay_MeV']:.4g} MeV/decay",
        ),
        ("Sources", ", ".join(r["sources"])),
    ]
    _warnings(rows, r["notes"])
    emit_table(rows, title="Dose voxel kernel")


def register(app: typer.Typer) -> None:
    sub = typer.Typer(
        help="Therapy dosimetry: time-integrated activity, sphere S-values, voxel kernels, whole runs.",
        no_args_is_help=True,
    )
    sub.command("tia")(tia)
    sub.command("stp")(stp)
    sub.command("sphere")(sphere)
    sub.command("kernel")(kernel)
    sub.command("sirt")(sirt.sirt)
    dosimetry_run.add_commands(sub, app)
    app.add_typer(sub, name="dosimetry")
