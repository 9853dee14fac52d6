"""``nmguard audit verify`` and ``audit checkpoint`` as an RPO uses them on the demo department, and what they
say after the database's owner cut the trail with its head (issue 12 item 2)."""

from __future__ import annotations

import json
import sqlite3

from tests.cli.test_cli import run


def test_checkpoint_then_a_cut_trail_fails_verification(tmp_path):
    assert run("demo", "--no-serve", data_dir=tmp_path).returncode == 0
    ok = run("audit", "verify", "--json", data_dir=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    report = json.loads(ok.stdout)
    assert report["ok"] and report["sealed_events"] == report["events"] > 10 and report["problems"] == []
    cp = run("audit", "checkpoint", "--json", data_dir=tmp_path)
    assert cp.returncode == 0, cp.stderr
    seq = json.loads(cp.stdout)["seq"]
    assert seq == report["events"]
    lines = (tmp_path / "audit-checkpoints.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["seq"] == seq and json.loads(lines[-1])["keyed_since"] == 1

    with sqlite3.connect(tmp_path / "nmguard.sqlite3") as db:  # the owner: triggers off, tail and head cut
        db.execute("DROP TRIGGER core_auditevent_no_delete")
        db.execute("DELETE FROM core_auditevent WHERE seq > ?", (seq - 3,))
        (last,) = db.execute("SELECT hash FROM core_auditevent WHERE seq = ?", (seq - 3,)).fetchone()
        db.execute("UPDATE core_audithead SET last_seq = ?, last_hash = ?", (seq - 3, last))
    bad = run("audit", "verify", "--json", data_dir=tmp_path)
    assert bad.returncode == 1
    doc = json.loads(bad.stdout)
    assert doc["ok"] is False and doc["events"] == seq - 3
    assert any("removed" in p for p in doc["problems"]) and any("triggers missing" in p for p in doc["problems"])
    table = run("audit", "verify", data_dir=tmp_path)
    assert table.returncode == 1 and "BROKEN" in table.stdout and "removed" in table.stdout


def test_checkpoint_of_an_empty_trail_is_refused_with_one_line(tmp_path):
    assert run("migrate", data_dir=tmp_path).returncode == 0
    r = run("audit", "checkpoint", data_dir=tmp_path)
    assert r.returncode == 2 and r.stderr.strip() == "error: the audit trail is empty: nothing to checkpoint"
