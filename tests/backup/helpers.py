"""What the backup tests compare, computed without NMGuard's backup code: every table's rows, every data file's
SHA-256, and the CLI run as a user runs it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from contextlib import closing
from pathlib import Path

NMGUARD = [sys.executable, "-m", "nmguard"]
# What is not a data file of the folder (the live database, its journal files, the audit key kept apart,
# the collected static files, the restore tool's own folder).
NOT_DATA = ("nmguard.sqlite3", "nmguard.sqlite3-wal", "nmguard.sqlite3-shm", "audit_key", "static")


def nmguard(*args: str, data_dir: Path, database_url: str | None = None, stdin: str | None = None, cwd=None):
    env = {k: v for k, v in os.environ.items() if k not in ("NMGUARD_DATABASE_URL", "NMGUARD_AUDIT_KEY")}
    env["NMGUARD_DATA_DIR"] = str(data_dir)
    if database_url:
        env["NMGUARD_DATABASE_URL"] = database_url
    return subprocess.run([*NMGUARD, *args], capture_output=True, text=True, env=env, input=stdin, timeout=600, cwd=cwd)


def ok_json(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """A refused command: exit 2, nothing on stdout, one ``error:`` line on stderr, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def sqlite_rows(db: Path) -> dict[str, list[str]]:
    """Every table's rows (as text, sorted): equal dicts mean equal records."""
    with closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{t}"')) for t in tables}


def data_files(folder: Path) -> dict[str, str]:
    """Every file of the data folder that a backup should hold, with its SHA-256."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or rel.parts[0] in NOT_DATA or any(p.startswith(".") for p in rel.parts):
            continue
        found[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def flip_byte(archive: Path, member: str, out: Path) -> None:
    """A copy of ``archive`` with one byte of ``member``'s content inverted (the tar header left intact)."""
    with tarfile.open(archive) as tar:
        info = tar.getmember(member)
        offset = info.offset_data + info.size // 2
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0xFF
    out.write_bytes(bytes(data))


def consistent_copy(archive: Path, out: Path, edit=lambda manifest: None, add: dict[str, bytes] | None = None) -> None:
    """A copy of ``archive`` made by hand, with ``add`` members and the manifest passed through ``edit``, whose
    checksums all hold (as a careless or hostile tool could write one)."""
    add = add or {}
    with tarfile.open(archive) as tar:
        contents = {info.name: tar.extractfile(info).read() for info in tar.getmembers()}
    manifest = json.loads(contents.pop("manifest.json"))
    contents.pop("manifest.sha256")
    for name, data in add.items():
        contents[name] = data
        manifest["members"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    edit(manifest)
    text = json.dumps(manifest).encode()
    contents["manifest.json"] = text
    contents["manifest.sha256"] = f"{hashlib.sha256(text).hexdigest()}  manifest.json\n".encode()
    with tarfile.open(out, "w") as new:
        for name, data in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))


AUDIT_TABLES = ("core_auditevent", "core_audithead")


def without_trail(rows: dict[str, list[str]]) -> dict[str, list[str]]:
    """``sqlite_rows`` less the audit trail, which a backup and a restore each extend by one event (and less
    the trail's row in SQLite's id counters)."""
    out = {table: r for table, r in rows.items() if table not in AUDIT_TABLES}
    if "sqlite_sequence" in out:
        out["sqlite_sequence"] = [r for r in out["sqlite_sequence"] if not r.startswith("('core_auditevent'")]
    return out


def trail(db: Path) -> list[tuple[int, str, str, dict | None]]:
    """The audit events (seq, action, hash, after) in order."""
    with closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        rows = conn.execute('SELECT seq, action, hash, "after" FROM core_auditevent ORDER BY seq').fetchall()
    return [(seq, action, digest, json.loads(after) if after else None) for seq, action, digest, after in rows]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
