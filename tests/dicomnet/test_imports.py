"""Dose reports imported after the C-STORE answer (nmguard.dicomnet.imports): the record pairs each kept report
with its import, and a report kept but never imported (kill -9 between the answer and the import) is found."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from nmguard.dicomnet.imports import ImportQueue, unfinished, with_import_outcomes
from nmguard.dicomnet.scp import QUEUED, Peer
from nmguard.dicomnet.store import Records

PEER = Peer("INJECTOR", "10.0.0.7", 4000)


def _object(path: Path, uid: str) -> dict:
    return {"type": "object", "kind": "dose_report", "status": QUEUED, "path": str(path), "sop_instance_uid": uid,
            "calling_ae": "INJECTOR", "address": "10.0.0.7", "notes": []}  # fmt: skip


def _import(path: Path, status: str, note: str) -> dict:
    return {"type": "import", "path": str(path), "status": status, "notes": [note]}


def test_each_copy_of_a_report_gets_its_own_outcome_and_the_last_waits(tmp_path):
    a, b = tmp_path / "a.dcm", tmp_path / "b.dcm"
    a.write_bytes(b"a")
    b.write_bytes(b"b")
    records = [
        _object(a, "1.2.1"),
        _object(b, "1.2.2"),
        _import(a, "imported", "dose report 1"),
        _object(a, "1.2.1"),  # the same report sent again
        _import(a, "not imported", "this report was imported already"),
        _object(a, "1.2.1"),  # a third time: the listener was killed before its import
    ]
    merged = with_import_outcomes(records)
    assert [r.get("status") for r in merged if r["type"] == "object"] == ["imported", QUEUED, "not imported", QUEUED]
    assert merged[0]["notes"] == ["dose report 1"]
    left = unfinished(records)
    found = [(p.path, p.sop_instance_uid, p.peer.ae_title) for p in left]
    assert found == [(b, "1.2.2", "INJECTOR"), (a, "1.2.1", "INJECTOR")]


def test_a_report_whose_file_is_gone_is_not_queued_again(tmp_path):
    assert unfinished([_object(tmp_path / "missing.dcm", "1.2.3")]) == []


def test_the_queue_imports_in_order_records_each_outcome_and_says_why_when_one_fails(tmp_path, caplog):
    import pydicom
    from pydicom.dataset import FileMetaDataset

    paths = []
    for i in range(3):
        ds = pydicom.Dataset()
        ds.SOPInstanceUID = f"1.2.3.{i}"
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.88.68"
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
        path = tmp_path / f"{i}.dcm"
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    seen, idle = [], threading.Event()

    def importer(data, ds, peer):
        seen.append((ds.SOPInstanceUID, peer.ae_title, threading.current_thread().name))
        if ds.SOPInstanceUID == "1.2.3.1":
            raise RuntimeError("a bug in one import")
        return "imported", f"dose report for {ds.SOPInstanceUID}"

    records = Records(tmp_path / "received.jsonl")
    queue = ImportQueue(importer, records, on_idle=idle.set).start()
    with caplog.at_level(logging.ERROR, logger="nmguard.dicomnet"):
        for i, path in enumerate(paths):
            if i == 0:  # as recovered at a start: read from the kept file
                queue.put_all(unfinished([_object(path, "1.2.3.0")]))
            else:  # as just received: bytes and dataset handed over
                data = path.read_bytes()
                queue.put(path, PEER, f"1.2.3.{i}", data, pydicom.dcmread(path))
        assert queue.wait_idle(10)
    assert [s[0] for s in seen] == ["1.2.3.0", "1.2.3.1", "1.2.3.2"]
    assert [s[1] for s in seen] == ["INJECTOR"] * 3
    assert {s[2] for s in seen} == {"nmguard-rrdsr-import"}  # not the association's thread
    lines = [r for r in records.read() if r["type"] == "import"]
    outcomes = [(r["sop_instance_uid"], r["status"]) for r in lines]
    assert outcomes == [("1.2.3.0", "imported"), ("1.2.3.1", "not imported"), ("1.2.3.2", "imported")]
    assert lines[1]["notes"] == ["import failed: RuntimeError: a bug in one import"]
    assert "import of" in caplog.text and idle.is_set()
    assert queue.stop(5)
