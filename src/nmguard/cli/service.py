"""Service commands: demo, serve, migrate, createuser, audit verify."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import typer

from nmguard.cli.output import emit_json, emit_table
from nmguard.errors import InputError

DATA_DIR = typer.Option(None, "--data-dir", help="Data folder (default: NMGUARD_DATA_DIR or the per-user data folder).")


def setup_django(data_dir: Path | None) -> None:
    """Point NMGuard at ``data_dir`` and start Django (once per process)."""
    if data_dir is not None:
        os.environ["NMGUARD_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nmguard.web.settings")
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def proxy_options() -> dict[str, object]:
    """waitress's reverse-proxy options from the settings (``NMGUARD_TRUSTED_PROXY``): trust the
    forwarded scheme, client address and host from that proxy only. With none configured waitress
    drops every ``X-Forwarded-*`` header, so no client can pass for HTTPS or for another address."""
    from django.conf import settings

    if not settings.NMGUARD_TRUSTED_PROXY:
        return {}
    return {
        "trusted_proxy": settings.NMGUARD_TRUSTED_PROXY,
        "trusted_proxy_headers": set(settings.NMGUARD_TRUSTED_PROXY_HEADERS),
        "clear_untrusted_proxy_headers": True,
    }


def _serve(host: str, port: int) -> None:
    from django.conf import settings
    from waitress import serve as waitress_serve

    from nmguard.web.wsgi import application

    proxy = proxy_options()
    if proxy:
        print(f"Trusting {', '.join(sorted(proxy['trusted_proxy_headers']))} from {proxy['trusted_proxy']}", flush=True)
    elif settings.SECURE_SSL_REDIRECT:
        print(
            "Plain HTTP is redirected to https; behind an HTTPS proxy set NMGUARD_TRUSTED_PROXY to its address "
            "(docs/deployment.md), or every request is redirected again",
            flush=True,
        )
    _resume_jobs()
    waitress_serve(application, host=host, port=port, threads=8, ident="NMGuard", **proxy)


def _resume_jobs() -> None:
    """On every start: jobs abandoned by a stopped process go back to the queue (or end failed after their
    attempts), and queued jobs start now in the embedded default, not when the next job is submitted."""
    from nmguard.apps.therapy.dosimetry_jobs import recover_interrupted_jobs, start_background_worker

    if recovered := recover_interrupted_jobs():
        print(f"{recovered} interrupted dosimetry job(s) put back in the queue", flush=True)
    start_background_worker()


def migrate(data_dir: Path | None = DATA_DIR) -> None:
    """Create or update the database schema."""
    setup_django(data_dir)
    _migrate()
    print("database is up to date")


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    data_dir: Path | None = DATA_DIR,
) -> None:
    """Serve NMGuard (waitress) on an existing database."""
    setup_django(data_dir)
    print(f"NMGuard at http://{host}:{port}/", flush=True)
    _serve(host, port)


def demo(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    data_dir: Path | None = DATA_DIR,
    no_serve: bool = typer.Option(False, "--no-serve", help="Set up the demo data and stop."),
) -> None:
    """Create (or reuse) a demo department, print the URL and logins, and serve until interrupted."""
    setup_django(data_dir)
    _migrate()
    from django.conf import settings

    from nmguard.apps.core.demo import DEMO_USERS, example_files, load_demo

    created = load_demo()
    print(("Created" if created else "Reusing") + f" the demo department in {settings.DATA_DIR}")
    print("Demo logins (user name / password):")
    for username, password, role in DEMO_USERS:
        print(f"  {username:<16} {password:<24} {role.label}")
    print("Files for the README's command-line examples:")
    for name, path in example_files().items():
        print(f"  {name:<16} {path}")
    if no_serve:
        return
    print(f"\nNMGuard demo at http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    _serve(host, port)


def _read_password(from_stdin: bool) -> str:
    """The new password: one line of standard input, or typed twice at a terminal (never echoed)."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise InputError("password: standard input gave an empty line", "password")
        return password
    if not sys.stdin.isatty():
        raise InputError(
            "password: no terminal to ask on; give it on standard input with --password-stdin "
            "(e.g. printf '%s\\n' \"$PASSWORD\" | nmguard createuser NAME --role ROLE --password-stdin)",
            "password",
        )
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise InputError("password: the two entries differ; nothing was created", "password")
    return password


def createuser(
    username: str = typer.Argument(..., help="Sign-in name."),
    role: list[str] = typer.Option(
        ...,
        "--role",
        help="Role (repeatable): technologist, radiopharmacist, physicist, physician, rpo, "
        "quality_manager, administrator, read_only.",
    ),
    display_name: str = typer.Option("", "--name", help="Name shown in the UI and on signatures."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    own_password: bool = typer.Option(
        False,
        "--own-password",
        help="The person typing the password is the new user (e.g. the first administrator): no change of "
        "password is asked at the first sign-in.",
    ),
    data_dir: Path | None = DATA_DIR,
) -> None:
    """Create a user with one or more roles (the password is checked against the password rules). A password
    typed for someone else must be changed by them at their first sign-in, and cannot sign before."""
    setup_django(data_dir)
    from nmguard.apps.core.users import check_new_user, create_user

    check_new_user(username, role)
    password = _read_password(password_stdin)
    user = create_user(
        username,
        password,
        role,
        display_name=display_name,
        actor=f"cli:{getpass.getuser()}",
        must_change_password=not own_password,
    )
    forced = "" if own_password else "; the password must be changed at the first sign-in"
    print(f"created {user.username} ({', '.join(user.role_names())}){forced}")


audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(data_dir: Path | None = DATA_DIR, json: bool = typer.Option(False, "--json")) -> None:
    """Check the audit trail: the hash chain, the seals and checkpoints made with the key kept outside the
    database, the append-only triggers; an intact trail is checkpointed. Exit 1 when anything is wrong."""
    setup_django(data_dir)
    from nmguard.apps.core.audit import verify_all

    result = verify_all(checkpoint=True)
    doc = result.as_dict()
    if json:
        emit_json(doc)
    else:
        emit_table(
            [
                ("Trail", "intact" if result.ok else "BROKEN"),
                ("Events", str(doc["events"])),
                ("Sealed events", str(doc["sealed_events"])),
                ("Checkpoints", str(doc["checkpoints"])),
                ("Triggers", ", ".join(doc["triggers"]) or "none"),
            ]
            + [("Problem", p) for p in doc["problems"]],
            title="Audit trail",
        )
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(data_dir: Path | None = DATA_DIR, json: bool = typer.Option(False, "--json")) -> None:
    """Write the chain head, signed, to the checkpoint file outside the database (also done every 100 events
    and by every passing `audit verify`)."""
    setup_django(data_dir)
    from nmguard.apps.core.audit import write_checkpoint

    cp = write_checkpoint()
    if cp is None:
        raise InputError("the audit trail is empty: nothing to checkpoint", "audit")
    doc = {"seq": cp.seq, "hash": cp.hash, "at": cp.at, "database": cp.database}
    if json:
        emit_json(doc)
    else:
        emit_table([(k, str(v)) for k, v in doc.items()], title="Audit checkpoint")


def register(app: typer.Typer) -> None:
    for command in (demo, serve, migrate, createuser):
        app.command()(command)
    app.add_typer(audit_app, name="audit")


__all__ = ["InputError", "register", "setup_django"]
