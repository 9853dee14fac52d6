"""Training and competence commands: ``nmguard training status``, ``check``, ``record`` and ``guard``.

They run on the department's database (``--data-dir``) through the quality app's services, so the CLI says what the
pages and the API say. ``check`` is the competence block's answer: a refused task prints one ``error:`` line
naming the competence and since when it lapsed, and exits 2. Django is imported inside each command.
"""

from __future__ import annotations

from pathlib import Path

import typer

from nmguard.cli.output import emit_json, emit_table
from nmguard.cli.service import DATA_DIR, setup_django
from nmguard.errors import InputError

JSON = typer.Option(False, "--json", help="Print one JSON object instead of a table.")
training_app = typer.Typer(help="Training and competence: a person's standing, the competence block, records.")


def active_user(username: str, option: str):
    """The active user named by a CLI option, or an InputError naming the option (one line, exit 2)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InputError(f"{option}: no active user {username[:60]!r}", option.lstrip("-"))
    return user


def _day(text: str | None):
    from django.utils import timezone

    from nmguard.apps.quality.training_services import parse_local_date

    return parse_local_date(text, "on") if text else timezone.localdate()


@training_app.command("status")
def status(
    person: str = typer.Option(..., "--person", help="username"),
    on: str | None = typer.Option(None, "--on", help="local date YYYY-MM-DD (default today)"),
    data_dir: Path | None = DATA_DIR,
    json: bool = JSON,
) -> None:
    """The person's required trainings and competences on a day: valid, expiring, lapsed or missing."""
    setup_django(data_dir)
    from nmguard.apps.quality.training_api import person_standing

    doc = person_standing(active_user(person, "--person"), _day(on))
    if json:
        emit_json(doc)
        return
    rows = [(v["name"], f"{v['state']} (expires on {v['expires_on'] or '–'})") for v in doc["trainings"].values()]
    rows += [
        (v["name"], f"{v['state']} (expires on {v['expires_on'] or '–'}), block {'on' if v['enforced'] else 'off'}")
        for v in doc["competences"].values()
    ]
    emit_table(rows, title=f"Training and competence of {doc['person']} on {doc['on']}")


@training_app.command("check")
def check(
    person: str = typer.Option(..., "--person", help="username"),
    task: str = typer.Option(..., "--task", help="qp_release, administration, qc_approval or dosimetry_signoff"),
    on: str | None = typer.Option(None, "--on", help="local date YYYY-MM-DD (default today)"),
    data_dir: Path | None = DATA_DIR,
) -> None:
    """May the person do the task on the day? Exit 0 and 'allowed', or exit 2 with the reason."""
    setup_django(data_dir)
    from nmguard.apps.core.competence import check_competence
    from nmguard.apps.quality.competence_services import task_of

    task_of(task)
    check_competence(active_user(person, "--person"), task, _day(on), field="person")
    print(f"allowed: {person} may do {task} on {_day(on)}")


@training_app.command("record")
def record(
    person: str = typer.Option(..., "--person", help="username"),
    training: str = typer.Option(..., "--training", help="training key (training_requirements.toml)"),
    completed_on: str = typer.Option(..., "--completed-on", help="local date YYYY-MM-DD"),
    evidence: str = typer.Option(..., "--evidence", help="certificate, course, attendance list"),
    as_user: str = typer.Option(..., "--as", help="username of the quality manager recording it"),
    data_dir: Path | None = DATA_DIR,
) -> None:
    """Record a completed training (attributed to ``--as``); prints when it expires."""
    setup_django(data_dir)
    from nmguard.apps.quality.training_services import parse_local_date, record_training, training_by_key

    r = record_training(
        active_user(person, "--person"),
        training_by_key(training),
        parse_local_date(completed_on, "completed_on"),
        evidence,
        active_user(as_user, "--as"),
    )
    print(f"recorded: {r.training.name} for {r.person}, expires on {r.expires_on}")


@training_app.command("guard")
def guard(
    task: str = typer.Option(..., "--task"),
    enforced: bool = typer.Option(..., "--on/--off", help="switch the competence block on or off"),
    reason: str = typer.Option("", "--reason", help="needed to switch it off"),
    as_user: str = typer.Option(..., "--as", help="username of the quality manager"),
    data_dir: Path | None = DATA_DIR,
) -> None:
    """Switch the competence block for a task on or off (audited)."""
    setup_django(data_dir)
    from nmguard.apps.quality.competence_services import set_task_guard

    g = set_task_guard(task, enforced, reason, active_user(as_user, "--as"))
    print(f"competence block for {g.task}: {'on' if g.enforced else 'off'}")


def register(app: typer.Typer) -> None:
    app.add_typer(training_app, name="training")
