"""``nmguard backup`` / ``restore`` on PostgreSQL (pg_dump -Fc / pg_restore), run as a user runs them.

Runs in the suite's PostgreSQL pass (``scripts/run-tests.sh``: ``-m "django_db and not browser"`` on a
throw-away server, NMGUARD_DATABASE_URL set); skipped on SQLite. It makes two databases of its own on that
server, so the CLI's processes never touch the test database of the process running the tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from tests.backup.helpers import consistent_copy, data_files, nmguard, ok_json, one_error_line, without_trail

URL = os.environ.get("NMGUARD_DATABASE_URL", "")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not URL.startswith(("postgres://", "postgresql://")),
        reason="needs NMGUARD_DATABASE_URL on PostgreSQL (scripts/run-tests.sh's second pass)",
    ),
]

PASSWORD = "a-long-enough-passphrase-42\n"


def _admin():
    import psycopg

    return psycopg.connect(URL, autocommit=True)


@pytest.fixture
def databases():
    """Two new databases on the test server: URLs for them, dropped afterwards."""
    names = [f"nmguard_backup_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with _admin() as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(URL)
    yield [urlunsplit(parts._replace(path="/" + name)) for name in names]
    with _admin() as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_rows(url: str) -> dict[str, list[str]]:
    """Every table's rows (as text, sorted), read here without the backup code."""
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {t: sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}


def test_backup_and_restore_round_trip_on_postgresql(databases, tmp_path):
    url_a, url_b = databases
    live = tmp_path / "live"
    assert nmguard("migrate", data_dir=live, database_url=url_a).returncode == 0
    for name, role in (("alice", "physicist"), ("bob", "technologist")):
        made = nmguard(
            "createuser", name, "--role", role, "--password-stdin", data_dir=live, database_url=url_a, stdin=PASSWORD
        )
        assert made.returncode == 0, made.stderr
    (live / "inbox").mkdir(exist_ok=True)
    (live / "inbox" / "study-1.dcm").write_bytes(b"DICOM-ish" * 50)
    rows_at_backup = pg_rows(url_a)
    events = ok_json(nmguard("audit", "verify", "--json", data_dir=live, database_url=url_a))["events"]
    files_at_backup = data_files(live)  # after verify's checkpoint line

    (tmp_path / "backups").mkdir()
    doc = ok_json(nmguard("backup", "--to", str(tmp_path / "backups"), "--json", data_dir=live, database_url=url_a))
    assert doc["engine"] == "postgresql" and doc["audit_events"] == events > 0
    archive = Path(doc["archive"])

    made = nmguard(
        "createuser", "carol", "--role", "rpo", "--password-stdin", data_dir=live, database_url=url_a, stdin=PASSWORD
    )
    assert made.returncode == 0, made.stderr
    (live / "inbox" / "study-2.dcm").write_bytes(b"later")
    rows_changed = pg_rows(url_a)
    assert rows_changed != rows_at_backup

    # an archive whose checksums hold but whose chain head is not its database's: swapped in, found out by
    # the verification, and the previous state put back (an empty database: the restored tables dropped)
    fresh = tmp_path / "fresh"
    key = ["--audit-key", str(live / "audit_key")] if (live / "audit_key").exists() else []
    inconsistent = tmp_path / "inconsistent.tar"
    consistent_copy(archive, inconsistent, edit=lambda manifest: manifest["audit"].update(head_hash="f" * 64))
    line = one_error_line(nmguard("restore", str(inconsistent), *key, data_dir=fresh, database_url=url_b))
    assert "is not the one the backup recorded" in line
    assert pg_rows(url_b) == {} and not (fresh / ".nmguard-restore").exists()
    files_changed = data_files(live)
    line = one_error_line(nmguard("restore", str(inconsistent), "--force", data_dir=live, database_url=url_a))
    assert "is not the one the backup recorded" in line
    assert pg_rows(url_a) == rows_changed and data_files(live) == files_changed
    assert not (live / ".nmguard-restore").exists()

    # into a new database and data folder
    summary = ok_json(nmguard("restore", str(archive), "--json", *key, data_dir=fresh, database_url=url_b))
    assert summary["audit_verify"]["ok"] is True and summary["audit_events"] == events
    assert without_trail(pg_rows(url_b)) == without_trail(rows_at_backup)
    assert data_files(fresh) == files_at_backup
    verified = ok_json(nmguard("audit", "verify", "--json", data_dir=fresh, database_url=url_b))
    assert verified["ok"] is True and verified["events"] == events + 1  # the backup's trail and the restore

    # over the changed one: refused without --force, then the backup's state exactly
    line = one_error_line(nmguard("restore", str(archive), data_dir=live, database_url=url_a))
    assert "--force" in line
    assert pg_rows(url_a) == rows_changed
    summary = ok_json(nmguard("restore", str(archive), "--force", "--json", data_dir=live, database_url=url_a))
    assert without_trail(pg_rows(url_a)) == without_trail(rows_at_backup)
    assert data_files(live) == files_at_backup
    assert (Path(summary["previous_state_kept_in"]) / "database.pgdump").is_file()
    verified = ok_json(nmguard("audit", "verify", "--json", data_dir=live, database_url=url_a))
    assert verified["ok"] is True and verified["events"] == events + 1
    shutil.rmtree(live / ".nmguard-restore")
