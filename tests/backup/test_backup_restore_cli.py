"""``nmguard backup`` and ``nmguard restore`` on the embedded SQLite database, run as a user runs them.

One demo department is made per module (``nmguard demo --no-serve``: users, equipment, history, a finished
dosimetry job with its DICOM inputs and results); each test works on its own copy of that data folder.
Records are compared table by table and files by SHA-256, computed here without the backup code.
"""

from __future__ import annotations

import shutil
import sqlite3
import tarfile
from contextlib import closing
from pathlib import Path

import pytest
from tests.backup.helpers import (
    consistent_copy,
    data_files,
    flip_byte,
    nmguard,
    ok_json,
    one_error_line,
    sha256_of,
    sqlite_rows,
    trail,
    without_trail,
)

PASSWORD = "a-long-enough-passphrase-42\n"


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    made = nmguard("demo", "--no-serve", data_dir=folder)
    assert made.returncode == 0, made.stderr
    return folder


@pytest.fixture
def live(demo_folder, tmp_path) -> Path:
    """A copy of the demo's data folder, with a received DICOM file and two files of unfinished work."""
    folder = tmp_path / "live"
    shutil.copytree(demo_folder, folder)
    (folder / "inbox" / "received").mkdir(parents=True)
    (folder / "inbox" / "received" / "ct-001.dcm").write_bytes(b"DICM-like test payload" * 100)
    (folder / "inbox" / "received" / ".dicom-tmp123.dcm").write_bytes(b"half written")
    (folder / "dosimetry" / ".output-9.partial-abc").mkdir()
    (folder / "dosimetry" / ".output-9.partial-abc" / "results.json").write_text("{}")
    return folder


def _backup(folder: Path, dest: Path) -> tuple[Path, dict]:
    dest.mkdir(exist_ok=True)
    doc = ok_json(nmguard("backup", "--to", str(dest), "--json", data_dir=folder))
    return Path(doc["archive"]), doc


def _key_args(folder: Path) -> list[str]:
    key = folder / "audit_key"
    return ["--audit-key", str(key)] if key.exists() else []


def test_backup_then_restore_into_a_new_data_folder(live, tmp_path):
    verified = ok_json(nmguard("audit", "verify", "--json", data_dir=live))
    files_at_backup = data_files(live)  # verify may append a checkpoint line: the backup holds that
    rows_at_backup = sqlite_rows(live / "nmguard.sqlite3")
    with closing(sqlite3.connect(live / "nmguard.sqlite3")) as db:  # before the backup adds its own event
        head_hash = db.execute("SELECT last_hash FROM core_audithead WHERE id = 1").fetchone()[0]
    archive, doc = _backup(live, tmp_path / "backups")
    assert archive.parent == tmp_path / "backups" and archive.name.startswith("nmguard-backup-")
    assert archive.name.endswith("Z.tar")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[-2:] == ["manifest.json", "manifest.sha256"]
    assert "database/nmguard.sqlite3" in names
    assert sorted(n[len("files/") :] for n in names if n.startswith("files/")) == sorted(files_at_backup)
    assert "files/inbox/received/ct-001.dcm" in names and "files/secret_key" in names
    assert not any(".partial" in n or "/.dicom-" in n or n.endswith("audit_key") for n in names)
    assert doc["audit_events"] == verified["events"] > 10 and doc["audit_head_hash"] == head_hash

    # the live installation goes on: a new user (an audited record) and a new file
    made = nmguard("createuser", "late", "--role", "physicist", "--password-stdin", data_dir=live, stdin=PASSWORD)
    assert made.returncode == 0, made.stderr
    (live / "inbox" / "received" / "ct-002.dcm").write_bytes(b"later")

    fresh = tmp_path / "fresh"
    summary = ok_json(nmguard("restore", str(archive), "--json", *_key_args(live), data_dir=fresh))
    assert summary["audit_verify"]["ok"] is True and summary["audit_events"] == verified["events"]
    assert without_trail(sqlite_rows(fresh / "nmguard.sqlite3")) == without_trail(rows_at_backup)
    assert data_files(fresh) == files_at_backup
    after = ok_json(nmguard("audit", "verify", "--json", data_dir=fresh))
    assert after["ok"] is True and after["events"] == verified["events"] + 1
    # both acts are in the trails: the backup in the live one (after its snapshot), the restore in the restored one
    n, sha = verified["events"], sha256_of(archive)
    live_trail, restored_trail = trail(live / "nmguard.sqlite3"), trail(fresh / "nmguard.sqlite3")
    assert restored_trail[:n] == live_trail[:n]
    written, restored = live_trail[n], restored_trail[n]
    assert written[1] == "backup_written" and written[3]["archive_sha256"] == sha
    assert written[3]["audit_events_in_backup"] == n and written[3]["audit_head_in_backup"] == head_hash
    assert restored[1] == "backup_restored" and restored[3]["archive_sha256"] == sha
    assert restored[3]["archive"] == archive.name and len(restored_trail) == n + 1
    assert not (fresh / ".nmguard-restore" / "staging").exists()


def test_restore_over_a_database_with_data_needs_force_and_brings_back_the_backup(live, tmp_path):
    archive, doc = _backup(live, tmp_path / "backups")
    rows_at_backup, files_at_backup = sqlite_rows(live / "nmguard.sqlite3"), data_files(live)
    made = nmguard("createuser", "late", "--role", "rpo", "--password-stdin", data_dir=live, stdin=PASSWORD)
    assert made.returncode == 0, made.stderr
    (live / "inbox" / "received" / "ct-002.dcm").write_bytes(b"arrived after the backup")
    (live / "examples" / "flood.dcm").write_bytes(b"overwritten after the backup")
    rows_changed, files_changed = sqlite_rows(live / "nmguard.sqlite3"), data_files(live)
    assert rows_changed != rows_at_backup

    refused = one_error_line(nmguard("restore", str(archive), data_dir=live))
    assert "--force" in refused and "holds data" in refused
    assert sqlite_rows(live / "nmguard.sqlite3") == rows_changed and data_files(live) == files_changed
    assert not (live / ".nmguard-restore").exists()

    with closing(sqlite3.connect(live / "nmguard.sqlite3")) as server:  # as a running server holds it
        server.execute("SELECT COUNT(*) FROM core_user").fetchone()
        busy = one_error_line(nmguard("restore", str(archive), "--force", data_dir=live))
    assert "open in another process" in busy
    assert sqlite_rows(live / "nmguard.sqlite3") == rows_changed and data_files(live) == files_changed

    summary = ok_json(nmguard("restore", str(archive), "--force", "--json", data_dir=live))
    restored_rows = sqlite_rows(live / "nmguard.sqlite3")
    assert without_trail(restored_rows) == without_trail(rows_at_backup)
    n = doc["audit_events"]  # the backup's snapshot; the live trail then got the backup's own event
    restored_trail = trail(live / "nmguard.sqlite3")
    assert len(restored_trail) == n + 1 and restored_trail[-1][1] == "backup_restored"
    assert data_files(live) == files_at_backup
    assert summary["files_moved_aside"] == 1
    assert not [w for w in summary["warnings"] if "dosimetry job" in w]  # same folder: stored paths hold
    kept = Path(summary["previous_state_kept_in"])
    assert sqlite_rows(kept / "database" / "nmguard.sqlite3") == rows_changed  # nothing lost
    assert (kept / "inbox" / "received" / "ct-002.dcm").read_bytes() == b"arrived after the backup"
    assert (kept / "examples" / "flood.dcm").read_bytes() == b"overwritten after the backup"
    verified = ok_json(nmguard("audit", "verify", "--json", data_dir=live))
    assert verified["ok"] is True and verified["events"] == doc["audit_events"] + 1


@pytest.mark.parametrize("member", ["database/nmguard.sqlite3", "files/inbox/received/ct-001.dcm", "manifest.json"])
def test_a_damaged_archive_is_refused_naming_the_member_and_changes_nothing(live, tmp_path, member):
    archive, _ = _backup(live, tmp_path / "backups")
    damaged = tmp_path / "damaged.tar"
    flip_byte(archive, member, damaged)
    db_bytes, files = (live / "nmguard.sqlite3").read_bytes(), data_files(live)
    line = one_error_line(nmguard("restore", str(damaged), "--force", data_dir=live))
    assert member in line and "damaged" in line
    assert (live / "nmguard.sqlite3").read_bytes() == db_bytes and data_files(live) == files
    assert not (live / ".nmguard-restore").exists()


def test_a_truncated_archive_is_refused(live, tmp_path):
    archive, _ = _backup(live, tmp_path / "backups")
    with tarfile.open(archive) as tar:
        last_header = tar.getmember("manifest.sha256").offset
    data = archive.read_bytes()
    for keep in (len(data) // 2, last_header + 100):  # mid-member, and inside the last member's header
        cut = tmp_path / f"cut-{keep}.tar"
        cut.write_bytes(data[:keep])
        line = one_error_line(nmguard("restore", str(cut), "--force", data_dir=live))
        assert "member " in line and "cut short" in line
    assert not (live / ".nmguard-restore").exists()


def test_a_sealed_trail_is_not_restored_without_its_audit_key(live, tmp_path):
    if not (live / "audit_key").exists():
        pytest.skip("this NMGuard does not seal the audit trail (no audit_key in the data folder)")
    archive, doc = _backup(live, tmp_path / "backups")
    assert doc["audit_key_included"] is False and doc["audit_key_id"]
    fresh = tmp_path / "fresh"
    line = one_error_line(nmguard("restore", str(archive), data_dir=fresh))
    assert "--audit-key" in line
    assert not (fresh / "nmguard.sqlite3").exists()
    other = tmp_path / "other_key"
    other.write_text("ab" * 32)
    assert "not the one" in one_error_line(nmguard("restore", str(archive), "--audit-key", str(other), data_dir=fresh))


def test_backup_refuses_to_overwrite_or_to_write_inside_the_data_folder(live, tmp_path):
    archive, _ = _backup(live, tmp_path / "backups")
    assert "exists already" in one_error_line(nmguard("backup", "--to", str(archive), data_dir=live))
    inside = one_error_line(nmguard("backup", "--to", str(live / "inbox"), data_dir=live))
    assert "inside the data folder" in inside
    empty = tmp_path / "empty"
    assert "nothing to back up" in one_error_line(nmguard("backup", "--to", str(tmp_path), data_dir=empty))
    assert "no such file" in one_error_line(nmguard("restore", str(tmp_path / "nope.tar"), data_dir=live))


def test_a_restore_that_fails_its_audit_check_puts_everything_back(live, tmp_path):
    """An archive whose checksums hold but whose recorded chain head is not the database's (made by hand
    here): the database and files are swapped in, the verification finds the mismatch, and the previous
    database and files are put back."""
    archive, _ = _backup(live, tmp_path / "backups")
    inconsistent = tmp_path / "inconsistent.tar"
    consistent_copy(archive, inconsistent, edit=lambda manifest: manifest["audit"].update(head_hash="f" * 64))
    (live / "inbox" / "received" / "ct-002.dcm").write_bytes(b"arrived after the backup")
    (live / "examples" / "flood.dcm").write_bytes(b"changed after the backup")
    rows, files = sqlite_rows(live / "nmguard.sqlite3"), data_files(live)
    line = one_error_line(nmguard("restore", str(inconsistent), "--force", data_dir=live))
    assert "is not the one the backup recorded" in line
    assert sqlite_rows(live / "nmguard.sqlite3") == rows and data_files(live) == files
    assert not (live / ".nmguard-restore").exists()
    assert ok_json(nmguard("audit", "verify", "--json", data_dir=live))["ok"] is True


def test_an_archive_that_would_replace_the_audit_key_or_the_live_database_is_refused(live, tmp_path):
    archive, _ = _backup(live, tmp_path / "backups")
    db_bytes, files = (live / "nmguard.sqlite3").read_bytes(), data_files(live)
    for name in ("files/audit_key", "files/nmguard.sqlite3", "files/inbox/.dicom-x.dcm"):
        crafted = tmp_path / "crafted.tar"
        consistent_copy(archive, crafted, add={name: b"not from a backup"})
        line = one_error_line(nmguard("restore", str(crafted), "--force", data_dir=live))
        assert f"member {name}: not a file a backup holds" in line
    assert (live / "nmguard.sqlite3").read_bytes() == db_bytes and data_files(live) == files
