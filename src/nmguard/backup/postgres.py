"""PostgreSQL: pg_dump (custom format) and pg_restore of the configured database. Pure: subprocesses only.

The tools come from PATH, else the newest /usr/lib/postgresql/*/bin (Debian's layout); a pg_dump older than
the server refuses to run and says so. Connection details go to the tools in libpq's environment variables
(PGHOST, PGPASSWORD, ...), never on the command line where other users could read them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nmguard.errors import InputError


def find_tool(name: str) -> str:
    """``name`` on PATH, else the newest PostgreSQL's bin folder; a clear error if neither has it."""
    if found := shutil.which(name):
        return found

    def version(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", p.parent.parent.name)) or (0,)

    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=version)
    if candidates:
        return str(candidates[-1])
    raise InputError(
        f"{name} not found on PATH or in /usr/lib/postgresql/*/bin: install the PostgreSQL client tools "
        "(e.g. apt install postgresql-client) of the server's version or newer",
        name,
    )


def libpq_env(db: Mapping[str, Any]) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: this process's, plus the database settings as PG* variables."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    if sslmode := (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run(args: Sequence[str], db: Mapping[str, Any], what: str) -> None:
    done = subprocess.run(list(args), env=libpq_env(db), capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        detail = lines[-1] if lines else f"exit status {done.returncode}"
        errors = [line for line in lines if "error" in line.lower()]
        raise InputError(f"{what} failed: {(errors[0] if errors else detail)}", Path(args[0]).name)


def dump(db: Mapping[str, Any], dest: Path, snapshot: str | None = None) -> None:
    """``pg_dump -Fc`` of the configured database to ``dest``; with ``snapshot``, exactly the state that an
    open transaction exported (so the manifest read in that transaction describes the dump)."""
    args = [find_tool("pg_dump"), "--format=custom", "--no-password", f"--file={dest}"]
    if snapshot:
        args.append(f"--snapshot={snapshot}")
    _run(args, db, "pg_dump")


def restore(db: Mapping[str, Any], dump_file: Path) -> None:
    """``pg_restore --clean --if-exists`` into the configured database, in one transaction: it all goes in,
    or nothing changes. Objects are owned by the configured user (``--no-owner``, ``--no-privileges``)."""
    _run(
        [
            find_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={db['NAME']}",
            str(dump_file),
        ],
        db,
        "pg_restore",
    )
