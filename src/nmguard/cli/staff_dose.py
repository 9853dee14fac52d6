"""Staff dosimetry commands: ``nmguard staff-dose import`` and ``staff-dose report``.

Both run on the department's database (``--data-dir``); the import is attributed to ``--as USERNAME``, who
must hold a role that writes protection records (RPO, physicist, administrator). The rules are the app's
services (:mod:`nmguard.apps.protection.dose_import`, :mod:`~nmguard.apps.protection.staff_sums`), so the
CLI, the pages and the dashboard say the same. Django is imported inside each command (startup time).
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from nmguard.cli.output import emit_json, emit_table
from nmguard.cli.service import DATA_DIR, setup_django
from nmguard.errors import InputError

JSON = typer.Option(False, "--json", help="Print one JSON object instead of a table.")

staff_dose_app = typer.Typer(help="Staff dosimetry: import the dosimetry service's file, the annual report.")


def _user(username: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise InputError(f"--as: no user {username[:60]!r}", "as")
    return user


def _mSv(value: float | None) -> str:
    return "not measured" if value is None else f"{value:g} mSv"


@staff_dose_app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="CSV in the generic format (docs/protection.md)"),
    as_user: str = typer.Option(..., "--as", help="the user the import is recorded under (RPO or physicist)"),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="store the good rows and report the rejected ones (default: all or nothing)"
    ),
    data_dir: Path | None = DATA_DIR,
    json: bool = JSON,
) -> None:
    """Import dosimeter readings; any bad row stores nothing unless --skip-invalid (exit 2 with the rows)."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"FILE: cannot read {str(file)[:200]} ({exc.strerror or exc})", "file") from None
    setup_django(data_dir)
    from nmguard.apps.protection.dose_import import ImportRefused, check_may_write, import_readings

    user = _user(as_user)
    check_may_write(user)
    try:
        result = import_readings(data, file.name, user, skip_invalid=skip_invalid)
    except ImportRefused as refused:
        if json:
            emit_json(refused.result.as_dict())
        else:
            _print_rejected(refused.result.rejected, sys.stdout)
        raise
    doc = result.as_dict()
    if json:
        emit_json(doc)
        return
    rows = [
        ("File", f"{doc['file']} ({doc['rows']} rows)"),
        ("Imported", str(doc["imported"])),
        ("Duplicates (already held)", str(doc["duplicates"])),
        ("New workers", ", ".join(result.new_workers) or "none"),
    ]
    emit_table(rows, title="Staff dose import")
    _print_rejected(result.rejected, sys.stdout)


def _print_rejected(rejected: list[dict[str, object]], out) -> None:
    for r in rejected:
        print(f"row {r['row']}: {r['reason']}", file=out)


@staff_dose_app.command("report")
def report(
    year: int = typer.Option(..., "--year", help="calendar year (a reading counts in the year its period ends)"),
    profile: str | None = typer.Option(
        None, "--profile", help="iaea, euratom or nrc (default: the department's jurisdiction)"
    ),
    data_dir: Path | None = DATA_DIR,
    json: bool = JSON,
) -> None:
    """Each worker's annual and five-year effective dose, lens and extremity dose, and status, for a year."""
    setup_django(data_dir)
    from nmguard.apps.protection.staff_sums import check_profile, evaluate_year

    chosen = check_profile(profile)
    rows = evaluate_year(year, chosen)
    doc = {"year": year, "profile": chosen, "workers": [r.row for r in rows]}
    if json:
        emit_json(doc)
        return
    table = []
    for r in doc["workers"]:
        table.append(
            (
                str(r["worker_id"]),
                f"E {_mSv(r['effective_mSv_year'])} (5 y {_mSv(r['effective_mSv_5y'])}) · lens "
                f"{_mSv(r['lens_mSv_year'])} · extremity {_mSv(r['extremity_mSv_year'])} · {r['status']}",
            )
        )
        table += [("", reason) for reason in r["reasons"]]
    emit_table(table or [("", "no readings")], title=f"Staff doses {year} ({chosen})")


def register(app: typer.Typer) -> None:
    app.add_typer(staff_dose_app, name="staff-dose")
