"""Quality-system commands: ``nmguard quality escalate``, ``send`` and ``overdue``.

``escalate`` is the overdue-action escalation a department puts in cron (once a day, e.g. ``15 6 * * *``): it
writes the e-mail-ready notification rows due that day through the quality app's service, so the CLI, the API
(``POST /api/v1/quality/actions/escalate``) and the demo write the same rows, once per action, step and recipient.
The rows are attributed to ``--as`` (a user who may raise actions, as the API requires) and audited. ``send`` is
the mail job that follows it in cron: it mails the unsent rows (``apps/quality/notification_mail``). ``overdue``
lists the open actions past their due date. Both judge the department's local day (``--on``, default today; a day
in the future is refused). Django is imported inside each command (start-up time).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer

from nmguard.cli.output import emit_json, emit_table
from nmguard.cli.service import DATA_DIR, setup_django
from nmguard.errors import InputError

JSON = typer.Option(False, "--json", help="Print one JSON object instead of lines.")
ON = typer.Option(None, "--on", help="the local day to judge, YYYY-MM-DD (default today; not in the future)")
ESCALATE_PERM = "quality.add_correctiveaction"  # the permission the API's escalate endpoint requires

quality_app = typer.Typer(help="Quality system: escalate overdue corrective actions, list them.")


def judged_day(text: str | None) -> dt.date:
    """The local day given by ``--on`` (YYYY-MM-DD), default today; a day not yet begun is refused."""
    from django.utils import timezone

    from nmguard.apps.quality.training_services import parse_local_date

    today = timezone.localdate()
    if text is None:
        return today
    day = parse_local_date(text, "on")
    if day > today:
        raise InputError(f"on: {day.isoformat()} is in the future (today is {today.isoformat()})", "on")
    return day


def _escalating_user(username: str, doing: str = "escalating overdue actions"):
    """The active user the rows are written (or marked sent) under; must hold the permission the API requires."""
    from nmguard.apps.core.permissions import refusal
    from nmguard.cli.training import active_user

    user = active_user(username, "--as")
    if not user.has_perm(ESCALATE_PERM):
        raise InputError(f"--as: {refusal(ESCALATE_PERM, doing)}", "as")
    return user


def _row(action, recipient, step_days: int, late: int) -> dict[str, Any]:
    return {
        "ref": f"CAPA {action.pk}",
        "action_id": action.pk,
        "title": action.title,
        "step_days": step_days,
        "recipient": recipient.get_username(),
        "days_late": late,
    }


def _line(verb: str, r: dict[str, Any]) -> str:
    return (
        f"{verb}: {r['ref']} step {r['step_days']} d -> {r['recipient']} ({r['days_late']} d late): {r['title'][:80]}"
    )


@quality_app.command("escalate")
def escalate(
    as_user: str | None = typer.Option(
        None, "--as", help="username the notifications are written under (a quality manager or administrator)"
    ),
    on: str | None = ON,
    dry_run: bool = typer.Option(False, "--dry-run", help="say what would be written; write nothing"),
    data_dir: Path | None = DATA_DIR,
    json: bool = JSON,
) -> None:
    """Write the day's notifications for open overdue actions, at the steps of incident_taxonomy.toml
    [[escalation]] (shipped: the owner the day after the due date and 7 days late, the quality manager 30 days
    late); a second run the same day writes nothing. Prints one line per notification, then a summary.

    Cron, once a day: 15 6 * * * nmguard quality escalate --as qm1 --data-dir /srv/nmguard
    """
    setup_django(data_dir)
    from nmguard.apps.quality.capa_escalation import days_late, due_notifications, run_escalation

    day = judged_day(on)
    if dry_run:
        if as_user is not None:
            _escalating_user(as_user)
        due, overdue_actions = due_notifications(day)
        rows = [_row(d.action, d.recipient, d.step_days, d.days_late) for d in due]
    else:
        if as_user is None:
            raise InputError("--as: the username the notifications are written under is needed (or --dry-run)", "as")
        run = run_escalation(_escalating_user(as_user), day)
        overdue_actions = run.overdue_actions
        rows = [_row(n.action, n.recipient, n.step_days, days_late(n.action, day)) for n in run.created]
    if json:
        emit_json(
            {"on": day.isoformat(), "dry_run": dry_run, "overdue_actions": overdue_actions, "notifications": rows}
        )
        return
    for r in rows:
        print(_line("would write" if dry_run else "written", r))
    summary = f"{len(rows)} notification(s) for {overdue_actions} overdue action(s) on {day.isoformat()}"
    print(f"dry run: {summary} would be written; nothing written" if dry_run else f"{summary} written as {as_user}")


@quality_app.command("send")
def send(
    as_user: str | None = typer.Option(
        None, "--as", help="username the rows are marked sent under (a quality manager or administrator)"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="say what would be sent; send and change nothing"),
    data_dir: Path | None = DATA_DIR,
    json: bool = JSON,
) -> None:
    """Send the unsent notification rows by e-mail (SMTP from NMGUARD_EMAIL_HOST etc.), one message per row to
    the recipient's address, each row at most once. A recipient without an address, or a message the server
    refuses, keeps its row unsent for the next run (reported; exit 0). Prints one line per row, then a summary.

    Cron, after escalate: 20 6 * * * nmguard quality send --as qm1 --data-dir /srv/nmguard
    """
    setup_django(data_dir)
    from nmguard.apps.quality.notification_mail import send_notifications

    if as_user is None and not dry_run:
        raise InputError("--as: the username the rows are marked sent under is needed (or --dry-run)", "as")
    user = _escalating_user(as_user, "sending the notifications") if as_user is not None else None
    outcomes = send_notifications(user, dry_run=dry_run)
    sent = sum(o.status in ("sent", "would send") for o in outcomes)
    kept = len(outcomes) - sent
    if json:
        emit_json({"dry_run": dry_run, "sent": sent, "kept": kept, "notifications": [o.as_dict() for o in outcomes]})
        return
    for o in outcomes:
        to = f"{o.recipient} <{o.address}>" if o.address else o.recipient
        print(
            f"{o.status}: notification {o.notification_id} -> {to}: {o.subject[:80]}" + (f" ({o.why})" if o.why else "")
        )
    if dry_run:
        print(f"dry run: {sent} notification(s) would be sent, {kept} kept; nothing sent")
    else:
        print(f"{sent} notification(s) sent, {kept} kept unsent, as {as_user}")


@quality_app.command("overdue")
def overdue_actions(on: str | None = ON, data_dir: Path | None = DATA_DIR, json: bool = JSON) -> None:
    """Open corrective/preventive actions past their due date: reference, owner, due date, days late."""
    setup_django(data_dir)
    from nmguard.apps.quality.capa_escalation import days_late
    from nmguard.apps.quality.capa_services import overdue

    day = judged_day(on)
    rows = [
        {
            "ref": f"CAPA {a.pk}",
            "action_id": a.pk,
            "title": a.title,
            "source": f"{a.source} {a.source_ref}".strip(),
            "owner": a.owner.get_username(),
            "due_on": a.due_on.isoformat(),
            "days_late": days_late(a, day),
        }
        for a in overdue(day).select_related("owner")
    ]
    if json:
        emit_json({"on": day.isoformat(), "actions": rows})
        return
    if not rows:
        print(f"no open action past its due date on {day.isoformat()}")
        return
    emit_table(
        [
            (r["ref"], f"owner {r['owner']} · due {r['due_on']} · {r['days_late']} d late · {r['title'][:80]}")
            for r in rows
        ],
        title=f"Overdue actions on {day.isoformat()} ({len(rows)})",
    )


def register(app: typer.Typer) -> None:
    app.add_typer(quality_app, name="quality")
