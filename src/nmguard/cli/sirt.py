"""``nmguard dosimetry sirt``: Y-90 microsphere planning from a Tc-99m MAA SPECT/CT (:mod:`nmguard.dosimetry.sirt`)."""

from __future__ import annotations

from pathlib import Path

import typer

from nmguard.cli.output import emit_json, emit_table


def _g(value, digits: int = 4) -> str:
    """Significant figures in plain notation (no exponent), a dash for a value that does not apply."""
    from nmguard.physics.display import format_sig

    return "—" if value is None else format_sig(value, digits)


def sirt(
    study_dir: Path = typer.Argument(..., help="folder of the MAA SPECT/CT with its RTSTRUCT or SEG"),
    activity: str = typer.Option(..., "--activity", help="planned Y-90 activity with unit, e.g. '2.5 GBq'"),
    microspheres: str | None = typer.Option(None, "--microspheres", help="glass or resin (default: both)"),
    voi_liver: str | None = typer.Option(None, "--voi-liver", help="whole-liver VOI name(s), comma-separated"),
    voi_tumour: str | None = typer.Option(None, "--voi-tumour", help="tumour VOI name(s), comma-separated"),
    voi_lungs: str | None = typer.Option(None, "--voi-lungs", help="lung VOI name(s) (default: names with 'lung')"),
    lsf: float | None = typer.Option(None, "--lsf", help="lung shunt fraction 0-1 (e.g. from planar images)"),
    method: str = typer.Option("ld", "--method", help="ld (local deposition) or dvk (dose voxel kernel)"),
    lung_mass_kg: float | None = typer.Option(None, "--lung-mass-kg", help="lung mass (default: reference data)"),
    target_Gy: float | None = typer.Option(None, "--target-Gy", help="tumour target dose (default: reference)"),
    prior_lung_Gy: float | None = typer.Option(None, "--prior-lung-Gy", help="lung dose of earlier sessions"),
    height_cm: float | None = typer.Option(None, "--height-cm", help="for the resin BSA method"),
    weight_kg: float | None = typer.Option(None, "--weight-kg", help="for the resin BSA method"),
    bsa_formula: str = typer.Option("dubois", "--bsa-formula", help="dubois or mosteller"),
    uncertainty: float | None = typer.Option(
        None, "--activity-uncertainty-percent", help="activity calibration, k = 1 (default: reference data)"
    ),
    out: Path | None = typer.Option(None, "--out", help="output folder (default: STUDY_DIR-sirt-<time>)"),
    json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
) -> None:
    """Y-90 microsphere plan: per-VOI doses and DVHs, lung shunt, T/N, partition model, activities for targets;
    writes RT Dose, results.json and report.html."""
    from nmguard.cli.dosimetry_run import read_json
    from nmguard.dosimetry.sirt import SirtOptions
    from nmguard.outputs.dosimetry_run import check_out_dir, default_out_dir
    from nmguard.outputs.sirt_plan import plan_study_result, write_sirt_outputs
    from nmguard.physics.units import parse_activity

    options = SirtOptions(
        activity_GBq=parse_activity(activity, "activity") / 1e9,
        method=method,
        microspheres=microspheres,
        voi_liver=voi_liver,
        voi_tumour=voi_tumour,
        voi_lungs=voi_lungs,
        lsf=lsf,
        lung_mass_kg=lung_mass_kg,
        target_tumour_Gy=target_Gy,
        prior_lung_Gy=prior_lung_Gy,
        height_cm=height_cm,
        weight_kg=weight_kg,
        bsa_formula=bsa_formula,
        activity_uncertainty_percent=uncertainty,
    ).checked()
    out_dir = check_out_dir(out or default_out_dir(study_dir, "sirt"))  # refused before planning
    result = plan_study_result(study_dir, options)
    plan = result.plan
    paths = write_sirt_outputs(result, out_dir)
    if json:
        doc = read_json(paths["results"])  # what was stored, exactly
        emit_json({**doc, "outputs": {k: str(v) for k, v in paths.items()}})
        return
    rows = [("Activity", f"{_g(options.activity_GBq)} GBq Y-90, {options.method}")]
    for v in plan.vois:
        rows.append(
            (
                v["name"],
                f"{_g(v['volume_mL'])} mL, {_g(100 * v['count_fraction'], 3)} % of counts, mean {_g(v['mean_Gy'])} Gy "
                f"± {_g(v['mean_uncertainty_percent'], 2)} %, D50 {_g(v['d50_Gy'])}, max {_g(v['max_Gy'])} Gy",
            )
        )
    if plan.lung_shunt_fraction is not None:
        rows.append(("Lung shunt", f"{_g(100 * plan.lung_shunt_fraction, 3)} % ({plan.lsf_source})"))
    if plan.tumour_to_normal is not None:
        rows.append(("T/N", f"{_g(plan.tumour_to_normal, 3)}"))
    if plan.partition:
        p = plan.partition
        rows.append(
            (
                "Partition",
                f"tumour {_g(p['tumour_Gy'])} Gy, normal liver {_g(p['normal_liver_Gy'])} Gy, "
                f"lungs {_g(p['lung_Gy'])} Gy",
            )
        )
    for key, s in ((plan.planning or {}).get("microspheres") or {}).items():
        rows.append(
            (
                key,
                f"target {_g(s['tumour_target_Gy'])} Gy: {_g(s['activity_for_tumour_target_GBq'])} GBq; "
                f"proposed {_g(s['proposed_activity_GBq'])} GBq ({s['limited_by']})",
            )
        )
    if plan.planning and "resin_bsa_method" in plan.planning:
        b = plan.planning["resin_bsa_method"]
        rows.append(("BSA method", f"BSA {_g(b['bsa_m2'], 3)} m², {_g(b['activity_GBq'], 3)} GBq"))
    rows += [("Warning", w) for w in plan.warnings]
    rows += [("RT Dose", str(paths["rt_dose"])), ("Results", str(paths["results"])), ("Report", str(paths["report"]))]
    emit_table(rows, title="Y-90 microsphere plan")
