"""``nmguard release``: may a patient go home after therapy, and with which instructions (issue 15 item 4).

The decision is :func:`nmguard.protection.release.assess_release`; this module only reads the command line and
prints. ``--json`` keys ``releasable``, ``dose_to_others_mSv``, ``instructions_required`` and ``basis`` are a
contract; ``restrictions``, ``breastfeeding``, ``record_required``, ``inputs`` and ``warnings`` are added.
"""

from __future__ import annotations

import typer

from nmguard.cli.output import emit_json, emit_table
from nmguard.physics.units import parse_activity, parse_dose
from nmguard.protection.release import assess_release

JSON = typer.Option(False, "--json", help="Print one JSON object instead of a table.")


def release(
    nuclide: str = typer.Option(..., "--nuclide", help="e.g. I-131, 131I"),
    activity: str = typer.Option(..., "--activity", help="activity in the patient at release, e.g. '1.1 GBq'"),
    method: str = typer.Option("table", "--method", help="table | patient-specific"),
    condition: str | None = typer.Option(None, "--condition", help="I-131 uptake model: hyperthyroid | thyroid-cancer"),
    dose_rate_1m: str | None = typer.Option(None, "--dose-rate-1m", help="measured at 1 m, e.g. '20 uSv/h'"),
    occupancy: float | None = typer.Option(None, "--occupancy", help="occupancy factor at 1 m (default: the guide's)"),
    effective_half_life: float | None = typer.Option(
        None, "--effective-half-life-d", help="effective half-life in days in place of the physical one"
    ),
    profile: str = typer.Option("nrc", "--profile", help="nrc | iaea"),
    radiopharmaceutical: str | None = typer.Option(
        None, "--radiopharmaceutical", help="product id for the breast-feeding advice, e.g. i131-iodide"
    ),
    retained: bool = typer.Option(False, "--retained", help="the activity is retained, not administered"),
    json: bool = JSON,
) -> None:
    """Release after therapy: NUREG-1556 Volume 9 Appendix U / RG 8.39 tables or equations, or IAEA constraints."""
    rate = None if dose_rate_1m is None else parse_dose(dose_rate_1m, "dose_rate_1m", per="h") * 1e6
    decision = assess_release(
        nuclide,
        parse_activity(activity, "activity"),
        method,
        condition=condition,
        dose_rate_1m_uSv_h=rate,
        occupancy=occupancy,
        effective_half_life_d=effective_half_life,
        profile=profile,
        radiopharmaceutical=radiopharmaceutical,
        retained_activity=retained,
    )
    result = decision.as_dict()
    if json:
        emit_json(result)
        return
    dose = decision.dose_to_others_mSv
    rows = [
        ("Releasable", "yes" if decision.releasable else "no"),
        ("Dose to others", "not assessed" if dose is None else f"{dose:.3g} mSv"),
        ("Instructions required", "yes" if decision.instructions_required else "no"),
        ("Basis", decision.basis.rule),
        ("Sources", ", ".join(f"{c}" for c in decision.basis.citations)),
    ]
    rows += [
        (
            "Restriction" if i == 0 else "",
            f"{r.label}: {r.days} d" if r.days is not None else f"{r.label}: not within 10 years",
        )
        for i, r in enumerate(decision.restrictions)
    ]
    if decision.breastfeeding:
        b = decision.breastfeeding
        text = "stop for this child" if b["cessation"] else f"interrupt {b['interruption_h']:g} h"
        rows.append(("Breast-feeding", f"{text} ({b['source']}, {b['status']})"))
    rows += [("Warning" if i == 0 else "", w) for i, w in enumerate(decision.warnings)]
    emit_table(rows, title=f"Release of a patient: {decision.inputs['nuclide']}")


def register(app: typer.Typer) -> None:
    app.command(short_help="Patient release after therapy: decision, dose to others, instructions.")(release)
