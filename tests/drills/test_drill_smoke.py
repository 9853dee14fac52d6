"""The drill driver on a tiny fault-free load against SQLite, so that `make drills` cannot rot: users sign in
through the production server, acknowledged writes are logged and found again, and the verification catches
a write that was acknowledged but lost or changed (an independent check of the checker)."""

from __future__ import annotations

import shutil

from tools.drills.drill import run_drill, verify_writes


def test_tiny_drill_on_sqlite_acknowledges_and_finds_every_write(tmp_path):
    figures = run_drill(seconds=6, users=2, database="sqlite", faults=False, out=tmp_path / "out", keep=True)
    try:
        _check(figures, tmp_path)
    finally:
        shutil.rmtree(figures["work"], ignore_errors=True)


def _check(figures: dict, tmp_path) -> None:
    assert figures["ok"], figures.get("verify")
    assert figures["audit_verify_ok"] is True
    kinds = figures["acknowledged_by_kind"]
    assert kinds.get("patients.Administration", 0) >= 1 and kinds.get("equipment.QCResult", 0) >= 1, kinds
    assert figures["verify"]["acknowledged_checked"] == figures["acknowledged_writes"] == len(figures["acks"])
    assert (tmp_path / "out" / "drill.json").is_file() and "| requests/s |" in (
        tmp_path / "out" / "drill.md"
    ).read_text()

    admin = next(a for a in figures["acks"] if a["model"] == "patients.Administration")
    lost = {"model": "patients.Administration", "id": 10**9, "fields": {"route": "iv"}}
    changed = {
        **admin,
        "fields": {**admin["fields"], "administered_activity_Bq": admin["fields"]["administered_activity_Bq"] * 1.01},
    }
    work = tmp_path / "verify"
    work.mkdir()
    verdict = verify_writes(figures["env"], [lost, changed], work)
    assert not verdict["ok"]
    assert any(p.startswith(f"lost: patients.Administration {10**9}") for p in verdict["problems"])
    assert any(
        p.startswith(f"changed: patients.Administration {admin['id']} administered_activity_Bq")
        for p in verdict["problems"]
    )
