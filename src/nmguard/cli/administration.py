"""Administration calculators: ``radiopharmaceuticals``, ``effective-dose``, ``paediatric-activity``,
``medical-event`` (shared logic in :mod:`nmguard.calculators.administration`).

The façade is imported inside each command: every ``nmguard`` process imports this module to list
its commands, and should not pay for what only these commands use (tests/cli/test_startup_imports.py).
"""

from __future__ import annotations

import typer

from nmguard.cli.output import emit_json, emit_table
from nmguard.physics.display import format_sig

JSON = typer.Option(False, "--json", help="Print one JSON object instead of a table.")
RP_HELP = "catalogue id or common name, e.g. 18F-FDG, FDG, 99mTc-MDP"


def _src(source: str, status: str) -> str:
    return f"[{source}, {status}]"


def _warnings(rows: list[tuple[str, str]], warnings: list[str]) -> None:
    rows += [("Warning" if i == 0 else "", w) for i, w in enumerate(warnings)]


def radiopharmaceuticals(json: bool = JSON) -> None:
    """The radiopharmaceutical catalogue: id, name, nuclide, route, therapy and aliases."""
    from nmguard.calculators import administration as calc  # the rules and reference tables load only when run

    result = calc.radiopharmaceuticals()
    if json:
        emit_json(result)
        return
    rows = []
    for rp in result["radiopharmaceuticals"]:
        typical = rp["typical_adult_activity_MBq"] or rp["typical_adult_activity_MBq_per_kg"]
        activity = (
            f"typical {format_sig(typical['value'], 6)} {typical['unit']} {_src(typical['source'], typical['status'])}"
        )
        kind = "therapy" if rp["therapy"] else "diagnostic"
        rows.append((rp["id"], f"{rp['name']} · {rp['nuclide']} · {rp['route']} · {kind} · {activity}"))
        if rp["aliases"]:
            rows.append(("", "aliases: " + "; ".join(rp["aliases"])))
    emit_table(rows, title=f"Radiopharmaceuticals ({result['count']})")


def effective_dose(
    radiopharmaceutical: str = typer.Argument(..., help=RP_HELP),
    activity: str = typer.Argument(..., help="e.g. '370 MBq', '10 mCi' (unit required)"),
    age: str = typer.Option("adult", "--age", help="ICRP 128 age group: adult, 15, 10, 5 or 1"),
    publication: str = typer.Option(
        None, "--publication", help="publication the department follows: ICRP 128 or ICRP 80 (default: catalogue)"
    ),
    json: bool = JSON,
) -> None:
    """Patient effective dose: coefficient for the age group x administered activity (publication named)."""
    from nmguard.calculators import administration as calc  # the rules and reference tables load only when run

    r = calc.effective_dose(radiopharmaceutical, activity, age, publication)
    if json:
        emit_json(r)
        return
    rows = [
        ("Radiopharmaceutical", f"{r['radiopharmaceutical']} ({r['radiopharmaceutical_id']})"),
        ("Activity", f"{format_sig(r['activity_MBq'], 4)} MBq"),
        ("Age group", r["age_group"]),
        (
            "Coefficient",
            f"{format_sig(r['coefficient_mSv_per_MBq'], 6)} mSv/MBq ({r['edition']}) {_src(r['source'], r['status'])}",
        ),
        ("Effective dose", f"{format_sig(r['effective_dose_mSv'], 3)} mSv"),
        ("Source", f"{r['source']}: {r['source_text']}"),
    ]
    _warnings(rows, r["warnings"])
    emit_table(rows, title="Effective dose")


def paediatric_activity(
    radiopharmaceutical: str = typer.Argument(..., help=RP_HELP),
    weight: str = typer.Option(..., "--weight", help="body weight in kg, e.g. 20"),
    card: str = typer.Option("eanm-2016", "--card", help="eanm-2016 or na-2016"),
    indication: str | None = typer.Option(None, "--indication", help="card indication, e.g. brain (optional)"),
    json: bool = JSON,
) -> None:
    """Paediatric administered activity from the EANM dosage card 2016 or North American consensus 2016."""
    from nmguard.calculators import administration as calc  # the rules and reference tables load only when run

    r = calc.paediatric_activity(radiopharmaceutical, weight, card, indication)
    if json:
        emit_json(r)
        return
    src = _src(r["source"], r["status"])
    rows = [
        ("Radiopharmaceutical", f"{r['radiopharmaceutical']} ({r['radiopharmaceutical_id']})"),
        ("Card", f"{r['card']}, indication {r['indication']}"),
        ("Weight", f"{format_sig(r['weight_kg'], 6)} kg" + (f" (row {r['weight_band']})" if r["weight_band"] else "")),
    ]
    if r["eanm_class"]:
        rows.append(("Class / multiple", f"{r['eanm_class']} / {r['multiple'] if r['multiple'] is not None else '—'}"))
    if r["baseline_MBq"] is not None:
        rows.append(("Baseline activity", f"{format_sig(r['baseline_MBq'], 6)} MBq {src}"))
    if r["MBq_per_kg"] is not None:
        rows.append(("Activity per kg", f"{format_sig(r['MBq_per_kg'], 6)} MBq/kg {src}"))
    if r["minimum_MBq"] is not None:
        rows.append(
            ("Minimum", f"{format_sig(r['minimum_MBq'], 6)} MBq {src}" + (" (applied)" if r["minimum_applied"] else ""))
        )
    if r["maximum_MBq"] is not None:
        rows.append(
            ("Maximum", f"{format_sig(r['maximum_MBq'], 6)} MBq {src}" + (" (applied)" if r["maximum_applied"] else ""))
        )
    rows += [
        ("Activity", f"{format_sig(r['activity_MBq'], 4)} MBq"),
        ("Rule", r["explanation"]),
        ("Source", f"{r['source']}: {r['source_text']}"),
    ]
    _warnings(rows, r["warnings"])
    emit_table(rows, title="Paediatric activity")


def medical_event(
    radiopharmaceutical: str = typer.Option(..., "--radiopharmaceutical", help="prescribed; " + RP_HELP),
    prescribed: str = typer.Option(..., "--prescribed", help="prescribed activity, e.g. '370 MBq'"),
    administered: str = typer.Option(..., "--administered", help="administered activity, e.g. '481 MBq'"),
    profile: str = typer.Option("nrc", "--profile", help="jurisdiction profile: nrc, euratom or iaea"),
    administered_radiopharmaceutical: str | None = typer.Option(
        None, "--administered-radiopharmaceutical", help="if another product was given"
    ),
    route: str | None = typer.Option(None, "--route", help="prescribed route (default: the catalogue route)"),
    administered_route: str | None = typer.Option(None, "--administered-route", help="if given by another route"),
    wrong_patient: bool = typer.Option(False, "--wrong-patient", help="given to the wrong individual"),
    age: str = typer.Option("adult", "--age", help="ICRP 128 age group: adult, 15, 10, 5 or 1"),
    json: bool = JSON,
) -> None:
    """Is an administration outside tolerance, and a medical event / unintended exposure under the profile?"""
    from nmguard.calculators import administration as calc  # the rules and reference tables load only when run

    r = calc.medical_event(
        radiopharmaceutical,
        prescribed,
        administered,
        profile,
        administered_radiopharmaceutical=administered_radiopharmaceutical,
        route=route,
        administered_route=administered_route,
        wrong_patient=wrong_patient,
        age=age,
    )
    if json:
        emit_json(r)
        return
    yes = {True: "yes", False: "no"}
    wrong = [
        n
        for n, f in (
            ("radiopharmaceutical", r["wrong_radiopharmaceutical"]),
            ("route", r["wrong_route"]),
            ("individual", r["wrong_individual"]),
        )
        if f
    ]
    rows = [
        ("Profile", f"{r['profile_name']} ({r['profile_id']})"),
        (
            "Radiopharmaceutical",
            r["radiopharmaceutical"]
            + (f" → given {r['administered_radiopharmaceutical']}" if r["wrong_radiopharmaceutical"] else ""),
        ),
        (
            "Prescribed / given",
            f"{format_sig(r['prescribed_activity_MBq'], 4)} MBq / {format_sig(r['administered_activity_MBq'], 4)} MBq",
        ),
        ("Deviation", f"{r['deviation_percent']:+.1f} %"),
        (
            "Tolerance",
            f"±{format_sig(r['tolerance_percent'], 6)} % {_src(r['tolerance_source'], r['tolerance_status'])}",
        ),
        ("Outside tolerance", yes[r["outside_tolerance"]]),
        ("Wrong", ", ".join(wrong) if wrong else "none"),
    ]
    if r["effective_dose_difference_mSv"] is not None:
        rows.append(("Effective dose counted", f"{format_sig(r['effective_dose_difference_mSv'], 3)} mSv"))
    if r["organ"] is not None:
        rows.append(("Largest organ dose", f"{format_sig(r['organ_dose_difference_mGy'], 4)} mGy ({r['organ']})"))
    rows.append(
        (
            r["event_term"].capitalize(),
            yes[r["medical_event"]] + (" (needs a dose assessment)" if r["needs_dose_assessment"] else ""),
        )
    )
    rows += [
        ("Criterion met" if i == 0 else "", f"{c['description']} — {c['citation']} {_src(c['source'], c['status'])}")
        for i, c in enumerate(r["criteria"])
    ]
    rows += [
        ("Report" if i == 0 else "", f"{s['action']}: {s['deadline']} ({s['citation']})")
        for i, s in enumerate(r["reporting_steps"])
    ]
    rows += [("Not evaluated" if i == 0 else "", n) for i, n in enumerate(r["not_evaluated"])]
    _warnings(rows, r["warnings"])
    emit_table(rows, title="Medical event evaluation")


def register(app: typer.Typer) -> None:
    app.command()(radiopharmaceuticals)
    app.command("effective-dose")(effective_dose)
    app.command("paediatric-activity")(paediatric_activity)
    app.command("medical-event")(medical_event)
