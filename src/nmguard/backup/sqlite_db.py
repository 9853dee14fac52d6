"""SQLite: a consistent copy of the live database through the online backup API, and checks. Pure."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from nmguard.backup.state import DatabaseState, read_state
from nmguard.errors import InputError

COMPANIONS = ("-wal", "-shm", "-journal")


def online_copy(source: Path, dest: Path) -> DatabaseState:
    """Copy ``source`` to ``dest`` with SQLite's online backup API: one consistent snapshot, taken while the
    server may be writing (WAL: writers go on while it is read). Returns the copy's state, read from the
    copy itself so that the manifest describes exactly what was archived."""
    source = Path(source)
    if not source.is_file():
        raise InputError(f"no database at {source}: nothing to back up (run `nmguard migrate` first?)", "database")
    try:
        uri = f"{source.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=30)) as src, closing(sqlite3.connect(dest)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # the archived file alone is the database
        check_integrity(dest)
        return state_of(dest)
    except sqlite3.Error as exc:
        raise InputError(f"cannot copy the database {source}: {exc}", "database") from None


def state_of(path: Path) -> DatabaseState:
    with closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)) as db:
        return read_state(db.cursor(), "sqlite")


def check_integrity(path: Path) -> None:
    """SQLite's own full check of the file (b-trees, indexes, free list)."""
    with closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)) as db:
        rows = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
    if rows != ["ok"]:
        raise InputError(f"{path.name}: SQLite integrity check failed: {rows[0]}", "database")


def settle(path: Path) -> None:
    """Fold the live database's write-ahead log into the file, so the file alone is the database.

    SQLite removes the ``-wal`` file when its last connection closes; if it is still there after ours
    closed, another process (a server, worker or listener) has the database open, and replacing the file
    under it would corrupt what it writes: refused.
    """
    path = Path(path)
    if not path.exists():
        return
    with closing(sqlite3.connect(path, timeout=30)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if Path(f"{path}-wal").exists():
        raise InputError(
            f"the database {path} is open in another process (nmguard serve, worker or a listener): "
            "stop it, then restore",
            "database",
        )
