"""QC analysis commands: ``nmguard qc uniformity|resolution|spatial-linearity|cor|linearity|earl|suv-calibration``.

Each prints the analysis's numbers as one JSON object with ``--json`` (its flat keys at the top
level, every value with unit and source under ``values``) or a readable table, and can save the
analysis figure as SVG.
"""

from __future__ import annotations

from pathlib import Path

import typer

from nmguard.analysis import AnalysisResult
from nmguard.cli.output import emit_json, emit_table
from nmguard.errors import InputError

JSON = typer.Option(False, "--json", help="Print one JSON object instead of a table.")
FIGURE = typer.Option(None, "--figure", help="Write the analysis figure (SVG) to this file.")

qc_app = typer.Typer(help="QC analyses of DICOM images and activity-meter data.", no_args_is_help=True)


def _existing(path: Path, what: str) -> Path:
    if not path.exists():
        raise InputError(f"{what} {path} does not exist", "path")
    return path


def _show(result: AnalysisResult, json: bool, figure: Path | None) -> None:
    if figure is not None and result.figure_svg:
        figure.write_text(result.figure_svg, encoding="utf-8")
    if json:
        emit_json(result.to_dict())
        return
    rows = []
    for name, q in result.values.items():
        value = q.value
        if value is None:
            rows.append((name, "not reported"))
            continue
        if isinstance(value, float):
            text = f"{value:.4g}"
        elif isinstance(value, list | dict):
            continue  # tables stay in --json
        else:
            text = str(value)
        rows.append(
            (name, f"{text} {q.unit}".strip() + (f"  [{q.source}, {q.status}]" if q.source and q.status else ""))
        )
    if result.passed is not None:
        rows.append(("passed", str(result.passed)))
    rows += [("warning", w) for w in result.warnings]
    emit_table(rows, title=result.analysis)


@qc_app.command("uniformity")
def uniformity(
    file: Path = typer.Argument(..., help="NM/PT DICOM flood (single or multi-frame)"),
    frame: int | None = typer.Option(None, help="Frame index (default 0)"),
    detector: int | None = typer.Option(None, help="Detector number (multi-detector files)"),
    json: bool = JSON,
    figure: Path | None = FIGURE,
) -> None:
    """NEMA NU 1 planar integral and differential uniformity (UFOV/CFOV)."""
    from nmguard.qc.nm.uniformity import analyze_uniformity

    _show(analyze_uniformity(_existing(file, "file"), frame=frame, detector=detector), json, figure)


@qc_app.command("resolution")
def resolution(
    file: Path = typer.Argument(..., help="NM DICOM image of line sources"),
    json: bool = JSON,
    figure: Path | None = FIGURE,
) -> None:
    """Planar spatial resolution (FWHM/FWTM of the line spread functions) and linearity."""
    from nmguard.qc.nm.resolution import analyze_resolution

    _show(analyze_resolution(_existing(file, "file")), json, figure)


@qc_app.command("spatial-linearity")
def spatial_linearity(
    file: Path = typer.Argument(..., help="NM DICOM image of parallel line sources across the field"),
    json: bool = JSON,
    figure: Path | None = FIGURE,
) -> None:
    """Planar spatial linearity (absolute and differential) from parallel line sources; refuses too few lines."""
    from nmguard.qc.nm.resolution import analyze_resolution

    _show(analyze_resolution(_existing(file, "file"), require_linearity=True), json, figure)


@qc_app.command("cor")
def cor(
    file: Path = typer.Argument(..., help="Multi-frame NM projection set of a point source"),
    json: bool = JSON,
    figure: Path | None = FIGURE,
) -> None:
    """SPECT centre of rotation from a point-source acquisition."""
    from nmguard.qc.nm.cor import analyze_cor

    _show(analyze_cor(_existing(file, "file")), json, figure)


@qc_app.command("linearity")
def linearity(
    file: Path = typer.Argument(..., help="CSV with columns time (ISO 8601) and activity"),
    nuclide: str = typer.Option(..., "--nuclide", help="Nuclide of the decaying source, e.g. Tc-99m"),
    json: bool = JSON,
    figure: Path | None = FIGURE,
) -> None:
    """Activity-meter linearity by the decay method: per-point deviation and the maximum."""
    from nmguard.qc.activity_meter import linearity_from_csv

    _show(linearity_from_csv(_existing(file, "file"), nuclide), json, figure)


def _kbq_per_ml(value: float | None, field: str) -> float | None:
    if value is None:
        return None
    if not value > 0:
        raise InputError(f"{field} must be a positive concentration in kBq/mL", field)
    return value * 1e3


def _centre(text: str | None) -> list[float] | None:
    if not text:
        return None
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise InputError(f"--centre {text!r}: give x,y,z in mm", "centre") from None
    if len(values) != 3:
        raise InputError(f"--centre {text!r}: give x,y,z in mm", "centre")
    return values


@qc_app.command("earl")
def earl(
    directory: Path = typer.Argument(..., help="Folder with the PET DICOM series of the IEC body phantom"),
    standard: str = typer.Option("earl1", "--standard", help="earl1 or earl2"),
    sphere_kbq_ml: float = typer.Option(..., "--sphere-kbq-ml", help="Sphere activity concentration, kBq/mL"),
    background_kbq_ml: float | None = typer.Option(None, "--background-kbq-ml", help="Background, kBq/mL"),
    at: str | None = typer.Option(None, "--at", help="Time the concentrations refer to (ISO 8601 with offset)"),
    centre: str | None = typer.Option(None, "--centre", help="Phantom centre x,y,z in mm (default: found)"),
    json: bool = JSON,
    figure: Path | None = FIGURE,
) -> None:
    """NEMA NU 2 / IEC image quality: per-sphere recovery coefficients and EARL compliance."""
    from nmguard.physics.units import parse_instant
    from nmguard.qc.pet.earl import earl_qc

    if standard not in ("earl1", "earl2"):
        raise InputError(f"unknown standard {standard!r}: use earl1 or earl2", "standard")
    result = earl_qc(
        _existing(directory, "folder"),
        standard=standard,
        sphere_concentration_Bq_per_mL=_kbq_per_ml(sphere_kbq_ml, "sphere_kbq_ml"),
        background_concentration_Bq_per_mL=_kbq_per_ml(background_kbq_ml, "background_kbq_ml"),
        concentration_datetime=parse_instant(at, "at") if at else None,
        phantom_centre_mm=_centre(centre),
    )
    _show(result, json, figure)


@qc_app.command("suv-calibration")
def suv_calibration(
    directory: Path = typer.Argument(..., help="Folder with the PET series of a uniform cylinder"),
    volume_ml: float = typer.Option(..., "--volume-ml", help="Phantom volume, mL"),
    activity: str | None = typer.Option(None, "--activity", help="Activity put in, e.g. '70 MBq'"),
    at: str | None = typer.Option(None, "--at", help="Time of that activity (ISO 8601 with offset)"),
    json: bool = JSON,
    figure: Path | None = FIGURE,
) -> None:
    """SUV calibration bias from a uniform cylinder (activity and time from the header unless given)."""
    from nmguard.physics.units import parse_activity, parse_instant
    from nmguard.qc.pet.suv_calibration import suv_calibration as analyse

    result = analyse(
        _existing(directory, "folder"),
        phantom_volume_mL=volume_ml,
        injected_activity_Bq=parse_activity(activity, "activity") if activity else None,
        activity_datetime=parse_instant(at, "at") if at else None,
    )
    _show(result, json, figure)


def register(app: typer.Typer) -> None:
    app.add_typer(qc_app, name="qc")
