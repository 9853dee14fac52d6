"""The backup's plain-Python parts: which files go in, the archive and its checks, SQLite's online copy,
undoing a swap; and that none of them imports Django."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import tarfile
from contextlib import closing
from pathlib import Path

import pytest

from nmguard.backup.archive import (
    ArchiveError,
    AuditState,
    Manifest,
    data_files,
    read_archive,
    write_archive,
)
from nmguard.backup.sqlite_db import online_copy
from nmguard.backup.swap import Swap


def _manifest() -> Manifest:
    return Manifest(
        nmguard_version="test",
        created_utc="2026-12-06T00:00:00+00:00",
        engine="sqlite",
        migrations=["core.0001_initial"],
        audit=AuditState(2, 2, "ab" * 32),
        audit_key_id=None,
        secret_key_included=False,
        source_data_dir="/data",
    )


def test_data_files_leave_out_work_in_progress_links_and_named_top_level_entries(tmp_path):
    for rel in ["inbox/s1/a.dcm", "dosimetry/job/output-1/results.json", "secret_key", "nmguard.sqlite3",
                "nmguard.sqlite3-wal", "static/app.css", "inbox/.dicom-x.dcm", "dosimetry/.out.partial-1/r.json",
                "inbox/upload.part", "inbox/sub/static/kept.txt"]:  # fmt: skip
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    (tmp_path / "inbox" / "link.dcm").symlink_to(tmp_path / "secret_key")
    found = data_files(tmp_path, {"nmguard.sqlite3", "nmguard.sqlite3-wal", "static"})
    assert found == [
        "dosimetry/job/output-1/results.json",
        "inbox/s1/a.dcm",
        "inbox/sub/static/kept.txt",
        "secret_key",
    ]


def _write(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "db").write_bytes(b"database bytes")
    (src / "f.dcm").write_bytes(bytes(range(256)) * 40)
    dest = tmp_path / "backup.tar"
    write_archive(
        dest, [("database/nmguard.sqlite3", src / "db"), ("files/inbox/f.dcm", src / "f.dcm")], _manifest(), 0
    )
    return dest


def test_archive_round_trip_with_independent_checksums(tmp_path):
    dest = _write(tmp_path)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left beside it
    assert dest.stat().st_mode & 0o077 == 0  # readable by its owner only
    with tarfile.open(dest) as tar:
        raw = json.loads(tar.extractfile("manifest.json").read())
        sidecar = tar.extractfile("manifest.sha256").read().decode()
        manifest_bytes = tar.extractfile("manifest.json").read()
    assert raw["members"]["files/inbox/f.dcm"] == {
        "sha256": hashlib.sha256(bytes(range(256)) * 40).hexdigest(),
        "size": 10240,
    }
    assert sidecar.split()[0] == hashlib.sha256(manifest_bytes).hexdigest()
    staging = tmp_path / "staging"
    manifest = read_archive(dest, staging)
    assert manifest.audit == AuditState(2, 2, "ab" * 32) and manifest.files() == ["inbox/f.dcm"]
    assert (staging / "files/inbox/f.dcm").read_bytes() == bytes(range(256)) * 40


def _rewrite(dest: Path, out: Path, change) -> None:
    """A copy of the archive with its members passed through ``change(name, data) -> [(name, data)]``."""
    with tarfile.open(dest) as tar, tarfile.open(out, "w") as new:
        for info in tar.getmembers():
            for name, data in change(info.name, tar.extractfile(info).read()):
                item = tarfile.TarInfo(name)
                item.size = len(data)
                new.addfile(item, io.BytesIO(data))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda n, d: [(n, d)] if n != "files/inbox/f.dcm" else [], "member files/inbox/f.dcm: listed"),
        (lambda n, d: [(n, d), ("files/extra", b"x")] if n == "files/inbox/f.dcm" else [(n, d)], "member files/extra"),
        (lambda n, d: [("../evil" if n == "files/inbox/f.dcm" else n, d)], "member ../evil"),
        (
            lambda n, d: [(n, d.replace(b'"sqlite"', b'"oracle"') if n == "manifest.json" else d)],
            "member manifest.json: checksum",
        ),
    ],
    ids=["missing", "extra", "escaping-name", "edited-manifest"],
)
def test_altered_archives_are_refused_naming_the_member(tmp_path, change, expected):
    altered = tmp_path / "altered.tar"
    _rewrite(_write(tmp_path), altered, change)
    with pytest.raises(ArchiveError, match="^" + expected.replace(".", r"\.")):
        read_archive(altered, tmp_path / "staging")
    assert not (tmp_path / "evil").exists()


def test_online_copy_holds_what_is_still_in_the_write_ahead_log(tmp_path):
    live = tmp_path / "live.sqlite3"
    writer = sqlite3.connect(live)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # keep every commit in the -wal file
    writer.execute("CREATE TABLE core_auditevent (id INTEGER PRIMARY KEY)")
    writer.execute("CREATE TABLE core_audithead (id INTEGER PRIMARY KEY, last_seq INTEGER, last_hash TEXT)")
    writer.executemany("INSERT INTO core_auditevent (id) VALUES (?)", [(i,) for i in range(1, 51)])
    writer.execute("INSERT INTO core_audithead VALUES (1, 50, 'head50')")
    writer.commit()
    assert Path(f"{live}-wal").stat().st_size > 0
    try:
        state = online_copy(live, tmp_path / "copy.sqlite3")
    finally:
        writer.close()
    assert (state.audit.events, state.audit.head_seq, state.audit.head_hash) == (50, 50, "head50")
    with closing(sqlite3.connect(tmp_path / "copy.sqlite3")) as copy:
        assert copy.execute("SELECT COUNT(*) FROM core_auditevent").fetchone()[0] == 50
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file


def test_swap_undo_puts_everything_back(tmp_path):
    root, staged = tmp_path / "data", tmp_path / "staged"
    (root / "inbox").mkdir(parents=True)
    staged.mkdir()
    (root / "inbox" / "a.dcm").write_text("old a")
    (root / "inbox" / "b.dcm").write_text("old b")
    (staged / "a").write_text("new a")
    (staged / "c").write_text("new c")
    swap = Swap(root, tmp_path / "keep")
    swap.place(staged / "a", root / "inbox" / "a.dcm")
    swap.place(staged / "c", root / "inbox" / "c.dcm")
    swap.remove(root / "inbox" / "b.dcm")
    assert sorted(p.name for p in (root / "inbox").iterdir()) == ["a.dcm", "c.dcm"]
    assert (tmp_path / "keep" / "inbox" / "a.dcm").read_text() == "old a"
    swap.undo()
    assert {p.name: p.read_text() for p in (root / "inbox").iterdir()} == {"a.dcm": "old a", "b.dcm": "old b"}
    assert (staged / "a").read_text() == "new a" and (staged / "c").read_text() == "new c"


def test_the_plain_parts_do_not_import_django():
    code = (
        "import sys\n"
        "import nmguard.backup.archive, nmguard.backup.state, nmguard.backup.sqlite_db\n"
        "import nmguard.backup.postgres, nmguard.backup.swap\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_postgres_tools_missing_give_one_clear_error_and_secrets_stay_off_the_command_line(monkeypatch):
    from nmguard.backup import postgres
    from nmguard.errors import InputError

    with pytest.raises(InputError, match=r"^pg_nonesuch not found on PATH or in /usr/lib/postgresql/\*/bin"):
        postgres.find_tool("pg_nonesuch")
    db = {"NAME": "nmguard", "USER": "nm", "PASSWORD": "s3cret", "HOST": "db.local", "PORT": 5433, "OPTIONS": {}}
    env = postgres.libpq_env(db)
    assert (env["PGDATABASE"], env["PGUSER"], env["PGPASSWORD"], env["PGHOST"], env["PGPORT"]) == (
        "nmguard",
        "nm",
        "s3cret",
        "db.local",
        "5433",
    )
    seen = {}

    def fake_run(args, **kwargs):
        seen["args"] = args
        return subprocess.CompletedProcess(args, 1, "", "pg_dump: error: connection to server failed\n")

    monkeypatch.setattr(postgres.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(postgres.subprocess, "run", fake_run)
    with pytest.raises(InputError, match="^pg_dump failed: pg_dump: error: connection to server failed$"):
        postgres.dump(db, Path("/tmp/x.pgdump"))
    assert not any("s3cret" in a for a in seen["args"])
