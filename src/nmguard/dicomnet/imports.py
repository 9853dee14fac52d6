"""Dose reports are imported by one thread after their C-STORE is answered, not while the sender waits.

What a C-STORE success promises is that the object is kept: the file is written (atomically) and its line is in
the record before the answer goes out. The import into the database (patient match, dose report, audit events)
used to happen before the answer too, so every sender waited for it. The answer never depended on it (a report
that cannot be imported is still kept and listed, with a success status, as before); the sender only waited. A
dose registry built on a storage SCP works the same way: store, answer, then process.

Nothing kept is left unimported: a report whose import line is missing from the record when the listener starts
(a kill -9 between the answer and the import) is imported then (:func:`unfinished`).
"""

from __future__ import annotations

import io
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydicom

from nmguard.dicomnet.routing import DOSE_REPORT
from nmguard.dicomnet.scp import QUEUED, DoseReportImporter, Peer
from nmguard.dicomnet.store import Records


@dataclass(frozen=True)
class Pending:
    """A kept dose report waiting for its import (with its bytes and dataset when just received; read from the
    kept file when recovered at a start)."""

    path: Path
    peer: Peer
    sop_instance_uid: str
    data: bytes | None = None
    dataset: pydicom.Dataset | None = None


class ImportQueue:
    """One thread that imports queued dose reports in arrival order and appends an ``import`` line per report."""

    def __init__(
        self,
        importer: DoseReportImporter,
        records: Records,
        *,
        logger: logging.Logger | None = None,
        on_idle: Callable[[], None] | None = None,
    ) -> None:
        self.importer, self.records = importer, records
        self.log = logger or logging.getLogger("nmguard.dicomnet")
        self.on_idle = on_idle
        self._queue: queue.Queue[Pending | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="nmguard-rrdsr-import", daemon=True)

    def start(self) -> ImportQueue:
        self._thread.start()
        return self

    def put(self, path: Path, peer: Peer, sop_instance_uid: str, data: bytes, dataset: pydicom.Dataset) -> None:
        """The listener's ``import_later``."""
        self._queue.put(Pending(path, peer, sop_instance_uid, data, dataset))

    def put_all(self, pending: list[Pending]) -> None:
        for item in pending:
            self._queue.put(item)

    def wait_idle(self, timeout: float) -> bool:
        """Whether every queued report was imported within ``timeout`` seconds (tests, shutdown)."""
        done = threading.Event()
        threading.Thread(target=lambda: (self._queue.join(), done.set()), daemon=True).start()
        return done.wait(timeout)

    def stop(self, timeout: float) -> bool:
        """Import what is queued (up to ``timeout`` s; the rest is imported at the next start), then end."""
        self._queue.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                self._import(item)
            except Exception as exc:  # noqa: BLE001 - the next report must still be imported; the record says why
                self.log.exception("import of %s failed", item.path)
                self._record(item, "not imported", f"import failed: {type(exc).__name__}: {exc}")
            finally:
                self._queue.task_done()
            if self._queue.empty() and self.on_idle is not None:
                self.on_idle()  # e.g. close the database connection between bursts
        self._queue.task_done()

    def _import(self, item: Pending) -> None:
        data = item.data if item.data is not None else item.path.read_bytes()
        dataset = item.dataset if item.dataset is not None else pydicom.dcmread(io.BytesIO(data))
        status, detail = self.importer(data, dataset, item.peer)
        self._record(item, status, detail)
        self.log.info("dose report %s from %s: %s (%s)", item.path.name, item.peer.where, status, detail)

    def _record(self, item: Pending, status: str, detail: str) -> None:
        self.records.append(
            {
                "type": "import",
                "sop_instance_uid": item.sop_instance_uid,
                "path": str(item.path),
                "calling_ae": item.peer.ae_title,
                "status": status,
                "notes": [detail],
            }
        )


def _pair(records: list[dict[str, Any]]) -> tuple[dict[int, dict[str, Any]], list[int]]:
    """Each queued dose-report object line (by index) paired with its import line, in order per file (the same
    report sent twice is queued twice and imported twice); and the indices still waiting."""
    waiting: dict[str, deque[int]] = {}
    paired: dict[int, dict[str, Any]] = {}
    for i, r in enumerate(records):
        path = r.get("path", "")
        if r.get("type") == "object" and r.get("kind") == DOSE_REPORT and r.get("status") == QUEUED:
            waiting.setdefault(path, deque()).append(i)
        elif r.get("type") == "import" and waiting.get(path):
            paired[waiting[path].popleft()] = r
    return paired, sorted(i for indices in waiting.values() for i in indices)


def unfinished(records: list[dict[str, Any]]) -> list[Pending]:
    """The kept dose reports whose import never ended (queued, but no import line for them since)."""
    _, waiting = _pair(records)
    out = []
    for i in waiting:
        r = records[i]
        if Path(r.get("path", "")).is_file():
            peer = Peer(str(r.get("calling_ae", "")), str(r.get("address", "")), 0)
            out.append(Pending(Path(r["path"]), peer, str(r.get("sop_instance_uid", ""))))
    return out


def with_import_outcomes(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records, each queued dose report's status and notes completed by its import line."""
    paired, _ = _pair(records)
    out = []
    for i, r in enumerate(records):
        if i in paired:
            outcome = paired[i]
            r = {**r, "status": outcome["status"], "notes": [*r.get("notes", []), *outcome.get("notes", [])]}
        out.append(r)
    return out
