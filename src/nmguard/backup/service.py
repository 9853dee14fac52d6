"""Backup and restore of an installation: its database and its data folder's files (Django side).

:func:`make_backup` takes one consistent snapshot of the database (SQLite: online backup API; PostgreSQL:
pg_dump of a snapshot exported by the transaction that reads the manifest's state), then the data folder's
files, and writes one archive (:mod:`nmguard.backup.archive`).

:func:`restore_backup` checks every member against the manifest before it changes anything, refuses to replace
a database that holds data unless forced, puts files and database in place keeping what they replace, runs
the audit verification (chain, seals, checkpoints, triggers) on the restored database and compares the chain
with the manifest. Any failure puts back what was there: nothing is left half-restored.

Keys: the ``secret_key`` file is a data-folder file and goes into the archive (sessions, and the stable DICOM
UIDs NMGuard derives from it, stay valid after a restore). The audit key (``audit_key``) does not: it must stay
apart from copies of the database, or whoever holds a backup could rewrite its trail unseen. The manifest
names it by a fingerprint; a restore needs it in the data folder, in ``NMGUARD_AUDIT_KEY``, or given with
``--audit-key``.

Why one module of about 480 lines: backup and restore are one contract (what one writes the other checks and
restores); kept together so that a change to one is seen against the other.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

from nmguard import __version__
from nmguard.backup import postgres, sqlite_db
from nmguard.backup.archive import (
    FILES_PREFIX,
    POSTGRES_MEMBER,
    SQLITE_MEMBER,
    Manifest,
    data_files,
    is_temporary,
    key_fingerprint,
    read_archive,
    sha256_file,
    write_archive,
)
from nmguard.backup.state import DatabaseState, empty_state, read_state
from nmguard.backup.swap import Swap
from nmguard.errors import InputError
from nmguard.integrity.seal import KEY_FILE, AuditKeyError, load_key

RESTORE_FOLDER = ".nmguard-restore"  # staging and kept previous state, inside the data folder (same disk)


def _data_dir() -> Path:
    return Path(settings.DATA_DIR).expanduser().resolve()


def _engine() -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise InputError(f"backup supports SQLite and PostgreSQL, not {connection.vendor}", "database")
    return connection.vendor


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"]).expanduser().resolve()


def left_out() -> set[str]:
    """Top-level names of the data folder that are not copied as files: the live SQLite database (copied
    through the online backup API instead), the audit key (kept apart) and the collected static files
    (rebuilt from the installed NMGuard)."""
    data = _data_dir()
    names = {KEY_FILE}
    static = Path(settings.STATIC_ROOT).resolve()
    if static.parent == data:
        names.add(static.name)
    if _engine() == "sqlite" and _sqlite_path().parent == data:
        names.update(_sqlite_path().name + end for end in ("", *sqlite_db.COMPANIONS))
    return names


def _audit_key(data: Path) -> bytes | None:
    try:
        return load_key(data, create=False)
    except AuditKeyError as exc:
        raise InputError(str(exc), "audit_key") from None


def default_name(now: dt.datetime) -> str:
    return f"nmguard-backup-{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}.tar"


def destination(to: Path | None, now: dt.datetime) -> Path:
    """Where the archive goes: ``to`` (a file, or a folder for the default name), else the current folder.
    Never over another file, never inside the data folder (lost with it; and the next backup would hold it)."""
    dest = Path(to).expanduser() if to is not None else Path.cwd()
    if dest.is_dir():
        dest = dest / default_name(now)
    dest = dest.resolve()
    if not dest.parent.is_dir():
        raise InputError(f"--to: the folder {dest.parent} does not exist", "to")
    if dest.exists():
        raise InputError(f"--to: {dest} exists already (a backup never replaces another)", "to")
    data = _data_dir()
    if dest.is_relative_to(data):
        raise InputError(f"--to: {dest} is inside the data folder {data}: keep backups elsewhere", "to")
    return dest


@contextmanager
def _postgres_snapshot():
    """A read-only REPEATABLE READ transaction whose snapshot is exported for pg_dump, and the state read in it:
    the manifest describes exactly what pg_dump writes, while the server goes on working."""
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        yield read_state(cursor, "postgresql"), snapshot


def make_backup(to: Path | None = None, *, actor: str | None = None) -> tuple[Path, Manifest, list[str]]:
    """Write one archive of the database and the data folder; returns its path, its manifest and warnings.

    The backup is then an audit event (``backup_written``, by ``actor``, default the operating-system user),
    recorded after the snapshot: the archive holds the trail up to just before it."""
    now = dt.datetime.now(dt.UTC)
    dest = destination(to, now)
    data, engine = _data_dir(), _engine()
    key = _audit_key(data)
    warnings: list[str] = []
    inbox = str(getattr(settings, "NMGUARD_DICOM_INBOX", "") or "")
    if inbox and not Path(inbox).resolve().is_relative_to(data):
        warnings.append(f"the DICOM inbox {inbox} lies outside the data folder and is not in the archive")
    if os.environ.get("NMGUARD_SECRET_KEY"):
        warnings.append("the secret key comes from NMGUARD_SECRET_KEY: keep that value with the backup")
    with tempfile.TemporaryDirectory(prefix=".nmguard-backup-", dir=dest.parent) as tmp:
        if engine == "sqlite":
            db_file, member = Path(tmp) / "nmguard.sqlite3", SQLITE_MEMBER
            state = sqlite_db.online_copy(_sqlite_path(), db_file)
        else:
            db_file, member = Path(tmp) / "nmguard.pgdump", POSTGRES_MEMBER
            with _postgres_snapshot() as (state, snapshot):
                postgres.dump(settings.DATABASES["default"], db_file, snapshot)
        if "django_migrations" not in state.tables:
            raise InputError(
                "the database has no NMGuard tables: nothing to back up; run `nmguard migrate`", "database"
            )
        files = data_files(data, left_out())
        manifest = Manifest(
            nmguard_version=__version__,
            created_utc=now.isoformat(timespec="seconds"),
            engine=engine,
            migrations=list(state.migrations),
            audit=state.audit,
            audit_key_id=key_fingerprint(key) if key else None,
            secret_key_included="secret_key" in files,
            source_data_dir=str(data),
        )
        members = [(member, db_file)] + [(FILES_PREFIX + name, data / name) for name in files]
        written = write_archive(dest, members, manifest, now.timestamp())
    _record(
        "backup_written",
        actor,
        archive=dest,
        manifest=written,
        reason=f"backup {dest.name} written (audit trail up to event {written.audit.events})",
    )
    return dest, written, warnings


def _cli_actor() -> str:
    """Who ran the command, for the audit trail: the operating-system account (backups run from cron too)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # a container user without a passwd entry
        return f"cli:uid-{os.getuid()}"


def _record(action: str, actor: str | None, *, archive: Path, manifest: Manifest, reason: str) -> None:
    """One audit event for a backup or a restore: which archive (name, size, SHA-256) and which trail it holds."""
    from nmguard.apps.core.audit import record_event

    record_event(
        action,
        after={
            "archive": archive.name,
            "archive_bytes": archive.stat().st_size,
            "archive_sha256": sha256_file(archive),
            "backup_created_utc": manifest.created_utc,
            "audit_events_in_backup": manifest.audit.events,
            "audit_head_in_backup": manifest.audit.head_hash,
        },
        reason=reason,
        actor_username=actor or _cli_actor(),
    )


# --- restore ---------------------------------------------------------------------------------------------


def _known_migrations() -> set[str]:
    from django.db.migrations.loader import MigrationLoader

    return {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}


def _target_state(engine: str) -> DatabaseState:
    if engine == "sqlite":
        live = _sqlite_path()
        if not live.exists():
            return empty_state()
        return sqlite_db.state_of(live)
    with connection.cursor() as cursor:
        return read_state(cursor, "postgresql")


def _check_compatible(manifest: Manifest, engine: str, target: DatabaseState) -> list[str]:
    """Refuse what cannot work; return the migrations this NMGuard has beyond the backup's (to apply after)."""
    if manifest.engine != engine:
        raise InputError(
            f"the archive holds a {manifest.engine} database; this installation uses {engine} "
            "(restore it into an installation of the same kind)",
            "archive",
        )
    known = _known_migrations()
    unknown = sorted(set(manifest.migrations) - known)
    if unknown:
        raise InputError(
            f"the backup was made by a newer NMGuard ({manifest.nmguard_version}; migration {unknown[0]} "
            f"is unknown here): install that version, then restore",
            "archive",
        )
    if engine == "postgresql":
        beyond = sorted(set(target.migrations) - set(manifest.migrations))
        if beyond:
            raise InputError(
                f"the database has migrations the backup lacks ({beyond[0]}, ...): pg_restore --clean would leave "
                "their tables behind; restore into an empty database (dropdb, createdb), then migrate",
                "database",
            )
    return sorted(known - set(manifest.migrations))


def _place_key(manifest: Manifest, data: Path, given: Path | None, staging: Path) -> Path | None:
    """Check that the audit key the backup's trail was sealed with is at hand; return a staged copy of the
    given key file to put in the data folder, or None."""
    have = _audit_key(data)
    key, staged = have, None
    if given is not None:
        try:
            text = Path(given).expanduser().read_text().strip()
            key = bytes.fromhex(text)
        except (OSError, ValueError) as exc:
            raise InputError(f"--audit-key: {given} is not a readable hexadecimal key ({exc})", "audit_key") from None
        if have is not None and have != key:
            raise InputError(
                "--audit-key: the data folder (or NMGUARD_AUDIT_KEY) has another audit key already", "audit_key"
            )
        if have is None:
            staged = staging / KEY_FILE
            staged.write_text(text)
            staged.chmod(0o600)
    if manifest.audit_key_id is None:
        return staged
    if key is None:
        raise InputError(
            "the backup's audit trail is sealed: give its audit key with --audit-key FILE "
            "(or set NMGUARD_AUDIT_KEY); without it the restored trail cannot be verified",
            "audit_key",
        )
    if key_fingerprint(key) != manifest.audit_key_id:
        raise InputError("the audit key at hand is not the one the backup's trail was sealed with", "audit_key")
    return staged


def _swap_files(swap: Swap, manifest: Manifest, staging: Path, data: Path) -> tuple[int, int]:
    """The data folder's files become exactly the archive's; files the archive lacks are moved aside."""
    wanted = set(manifest.files())
    never = left_out()
    for name in sorted(wanted):
        parts = PurePosixPath(name).parts
        if parts[0] in never or any(is_temporary(part) for part in parts):
            raise InputError(f"member {FILES_PREFIX}{name}: not a file a backup holds (refused)", "archive")
    moved = 0
    for name in data_files(data, left_out()):
        if name not in wanted:
            swap.remove(data / name)
            moved += 1
    for name in sorted(wanted):
        target, member = data / name, FILES_PREFIX + name
        if target.is_file() and sha256_file(target) == manifest.members[member]["sha256"]:
            continue  # already as in the backup: nothing to replace, nothing to keep
        swap.place(staging / member, target)
    return len(wanted), moved


def _swap_sqlite(manifest: Manifest, staging: Path, keep: Path) -> Callable[[], None]:
    live = _sqlite_path()
    connections.close_all()
    sqlite_db.settle(live)  # refuses while another process has it open
    db_swap = Swap(live.parent, keep / "database")
    for end in sqlite_db.COMPANIONS:
        db_swap.remove(Path(f"{live}{end}"))
    db_swap.place(staging / SQLITE_MEMBER, live)

    def undo() -> None:
        connections.close_all()  # before the file moves: a connection left open would write into the wrong one
        for end in sqlite_db.COMPANIONS:  # the restored database's journal files, never the previous one's
            Path(f"{live}{end}").unlink(missing_ok=True)
        db_swap.undo()

    return undo


def _table_names() -> set[str]:
    with connection.cursor() as cursor:
        return set(read_state(cursor, "postgresql").tables)


def _swap_postgres(manifest: Manifest, staging: Path, keep: Path, target: DatabaseState) -> Callable[[], None]:
    db = settings.DATABASES["default"]
    keep.mkdir(parents=True, exist_ok=True)
    safety = keep / "database.pgdump"
    if target.tables:
        postgres.dump(db, safety)
    connections.close_all()
    postgres.restore(db, staging / POSTGRES_MEMBER)  # one transaction: on failure nothing changed

    def undo() -> None:
        connections.close_all()
        added = sorted(_table_names() - set(target.tables))
        if added:
            with transaction.atomic(), connection.cursor() as cursor:
                for table in added:
                    cursor.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
        if target.tables:
            postgres.restore(db, safety)
            safety.unlink()  # the previous database is back in place
        connections.close_all()

    return undo


def _verify(manifest: Manifest) -> dict[str, Any]:
    """The audit verification on the restored database, and its chain against the manifest's."""
    from nmguard.apps.core.audit import verify_all

    connections.close_all()
    result = verify_all(checkpoint=False)
    with connection.cursor() as cursor:
        state = read_state(cursor, connection.vendor)
    doc = result.as_dict()
    if not result.ok:
        raise InputError(f"audit verification of the restored database failed: {doc['problems'][0]}", "archive")
    if state.audit != manifest.audit or result.chain.events != manifest.audit.events:
        raise InputError(
            f"the restored audit chain ({state.audit.events} events, head {state.audit.head_hash[:12]}) is not the "
            f"one the backup recorded ({manifest.audit.events} events, head {manifest.audit.head_hash[:12]})",
            "archive",
        )
    if set(state.migrations) != set(manifest.migrations):
        raise InputError("the restored database's migrations differ from the backup's manifest", "archive")
    return doc


def _moved_paths_warning(manifest: Manifest, data: Path) -> list[str]:
    """Dosimetry jobs store their folders as absolute paths: restored elsewhere, they name the old folder."""
    source = manifest.source_data_dir.rstrip("/")
    if Path(source) == data:
        return []
    from nmguard.apps.therapy.models import DosimetryJob

    n = DosimetryJob.objects.filter(input_dir__startswith=source + "/").count()
    if not n:
        return []
    return [
        f"{n} dosimetry job(s) name their files under the backup's data folder {source}: their inputs and results "
        f"are restored under {data}, but those jobs' pages look in the old place until the paths are updated"
    ]


def restore_backup(
    archive: Path, *, force: bool = False, audit_key: Path | None = None, actor: str | None = None
) -> dict[str, Any]:
    """Restore ``archive`` into this installation; returns a summary. Raises :class:`InputError` (nothing
    changed) on a damaged archive, a refused target or a failed verification.

    The restored trail, once verified, gets one more event (``backup_restored``, by ``actor``): whoever reads
    it later sees that the database was put back, from which archive and when."""
    archive = Path(archive).expanduser().resolve()
    data, engine = _data_dir(), _engine()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    work = data / RESTORE_FOLDER / stamp
    staging, keep = work / "staging", work / "previous"
    staging.mkdir(parents=True)
    try:
        manifest = read_archive(archive, staging)
        target = _target_state(engine)
        pending = _check_compatible(manifest, engine, target)
        staged_key = _place_key(manifest, data, audit_key, staging)
        if target.holds_data and not force:
            raise InputError(
                f"the database holds data ({target.users} users, {target.audit.events} audit events): "
                "restoring replaces it; add --force to do so (what it replaces is kept)",
                "force",
            )
        if engine == "sqlite":
            connections.close_all()
            sqlite_db.settle(_sqlite_path())  # refused while a server holds it, before anything moves
        swap = Swap(data, keep)
        undo_database: Callable[[], None] | None = None
        try:
            restored, moved = _swap_files(swap, manifest, staging, data)
            if staged_key is not None:
                swap.place(staged_key, data / KEY_FILE)
            if engine == "sqlite":
                undo_database = _swap_sqlite(manifest, staging, keep)
            else:
                undo_database = _swap_postgres(manifest, staging, keep, target)
            verification = _verify(manifest)
            warnings = _moved_paths_warning(manifest, data)
            _record(
                "backup_restored",
                actor,
                archive=archive,
                manifest=manifest,
                reason=f"database and data folder restored from {archive.name} (made {manifest.created_utc})",
            )
        except BaseException as exc:
            connections.close_all()
            try:
                if undo_database is not None:
                    undo_database()
                swap.undo()
            except Exception as undo_exc:
                raise RuntimeError(
                    f"the restore failed ({exc}) and putting the previous state back failed too ({undo_exc}): "
                    f"the previous database and files are in {keep}"
                ) from exc
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if not _holds_files(keep):  # never remove what could not be put back
            shutil.rmtree(work, ignore_errors=True)
            _remove_if_empty(data / RESTORE_FOLDER)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    if not target.holds_data:  # an empty database is not worth keeping
        shutil.rmtree(keep / "database", ignore_errors=True)
        (keep / "database.pgdump").unlink(missing_ok=True)
    kept = keep if _holds_files(keep) else None
    if kept is None:
        shutil.rmtree(work, ignore_errors=True)
        _remove_if_empty(data / RESTORE_FOLDER)
    if pending:
        warnings.append(f"this NMGuard has {len(pending)} migration(s) beyond the backup's: run `nmguard migrate`")
    return {
        "archive": str(archive),
        "backup_created_utc": manifest.created_utc,
        "backup_nmguard_version": manifest.nmguard_version,
        "engine": engine,
        "data_dir": str(data),
        "audit_events": manifest.audit.events,
        "audit_head_hash": manifest.audit.head_hash,
        "audit_verify": verification,
        "files_restored": restored,
        "files_moved_aside": moved,
        "previous_state_kept_in": str(kept) if kept else None,
        "pending_migrations": pending,
        "warnings": warnings,
    }


def _holds_files(folder: Path) -> bool:
    return folder.exists() and any(p.is_file() for p in folder.rglob("*"))


def _remove_if_empty(folder: Path) -> None:
    with suppress(OSError):
        folder.rmdir()
