"""``nmguard backup`` and ``nmguard restore``: the installation's database and data folder in one checked archive."""

from __future__ import annotations

from pathlib import Path

import typer

from nmguard.cli.output import emit_json, emit_table
from nmguard.cli.service import DATA_DIR, setup_django


def _human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def backup(
    to: Path | None = typer.Option(
        None,
        "--to",
        help="Archive file, or a folder for nmguard-backup-<UTC time>.tar (default: the current folder).",
    ),
    data_dir: Path | None = DATA_DIR,
    json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
) -> None:
    """Back up the database (consistent while NMGuard runs) and the data folder's files into one archive."""
    setup_django(data_dir)
    from nmguard.backup.service import make_backup

    path, manifest, warnings = make_backup(to)  # audited as the operating-system user
    files = manifest.files()
    doc = {
        "archive": str(path),
        "size_bytes": path.stat().st_size,
        "created_utc": manifest.created_utc,
        "engine": manifest.engine,
        "audit_events": manifest.audit.events,
        "audit_head_hash": manifest.audit.head_hash,
        "files": len(files),
        "secret_key_included": manifest.secret_key_included,
        "audit_key_included": False,
        "audit_key_id": manifest.audit_key_id,
        "warnings": warnings,
    }
    if json:
        emit_json(doc)
        return
    emit_table(
        [
            ("Archive", str(path)),
            ("Size", _human_bytes(doc["size_bytes"])),
            ("Database", manifest.engine),
            ("Audit trail", f"{manifest.audit.events} events, head {manifest.audit.head_hash[:16]}"),
            ("Files", str(len(files))),
            ("Secret key", "included" if manifest.secret_key_included else "not in the data folder"),
            (
                "Audit key",
                "NOT included: keep a copy of it apart from the backups" if manifest.audit_key_id else "none yet",
            ),
        ]
        + [("Warning", w) for w in warnings],
        title="Backup written",
    )


def restore(
    archive: Path = typer.Argument(..., help="The archive written by `nmguard backup`."),
    data_dir: Path | None = DATA_DIR,
    force: bool = typer.Option(False, "--force", help="Replace a database that holds data (what it replaces is kept)."),
    audit_key: Path | None = typer.Option(
        None, "--audit-key", help="The audit key file the backup's trail was sealed with (if the data folder lacks it)."
    ),
    json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
) -> None:
    """Restore an archive: every checksum checked first, then database and files, then the audit trail verified."""
    setup_django(data_dir)
    from nmguard.backup.service import restore_backup

    doc = restore_backup(archive, force=force, audit_key=audit_key)
    if json:
        emit_json(doc)
        return
    verify = doc["audit_verify"]
    emit_table(
        [
            ("Archive", doc["archive"]),
            ("Backup made", f"{doc['backup_created_utc']} (NMGuard {doc['backup_nmguard_version']})"),
            ("Database", f"{doc['engine']}, restored"),
            (
                "Audit trail",
                f"intact: {verify['events']} events ({verify['sealed_events']} sealed), "
                f"head {doc['audit_head_hash'][:16]} as in the backup",
            ),
            ("Files", f"{doc['files_restored']} restored, {doc['files_moved_aside']} not in the backup moved aside"),
            ("Previous state", doc["previous_state_kept_in"] or "nothing to keep"),
        ]
        + [("Warning", w) for w in doc["warnings"]],
        title="Restored",
    )


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
