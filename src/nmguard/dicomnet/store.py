"""Writing received objects and the record of what came in (plain files, no Django).

Every object is written through a temporary file and a rename, so a reader (the dosimetry job
page, a QC analysis) never sees half a file. The record is a JSON-lines file: one line per
association and one per object, appended under a lock, readable while the listener runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nmguard.dicomnet.routing import DOSE_REPORT, DOSIMETRY, QC, UNKNOWN, Route


@dataclass(frozen=True)
class Layout:
    """Where the listener writes, all under the data folder except the dosimetry inbox (a setting)."""

    inbox: Path
    root: Path

    @classmethod
    def under(cls, data_dir: Path, inbox: Path | None = None) -> Layout:
        return cls(inbox=Path(inbox) if inbox is not None else Path(data_dir) / "inbox", root=Path(data_dir) / "dicom")

    @property
    def records(self) -> Path:
        return self.root / "received.jsonl"

    @property
    def log_file(self) -> Path:
        return self.root / "listener.log"

    def folder(self, kind: str) -> Path:
        """The root folder of one kind of destination."""
        return {
            DOSE_REPORT: self.root / "dose-reports",
            QC: self.root / "qc-incoming",
            DOSIMETRY: self.inbox,
            UNKNOWN: self.root / "unknown",
        }[kind]

    def destination(self, route: Route, file_stem: str) -> Path:
        return self.folder(route.kind).joinpath(*route.folder, f"{file_stem}.dcm")


def write_atomically(data: bytes, path: Path) -> Path:
    """Write ``data`` at ``path`` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".dicom-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def keep(data: bytes, path: Path) -> tuple[Path, str]:
    """Store ``data`` at ``path`` without losing an earlier, different object of the same name.

    Returns the path written (or the existing identical copy) and a note: "" for a new file,
    "same object received again" for an identical copy, or where a differing object went.
    """
    if not path.exists():
        return write_atomically(data, path), ""
    if path.read_bytes() == data:
        return path, "same object received again"
    digest = hashlib.sha256(data).hexdigest()[:12]
    other = path.with_name(f"{path.stem}.{digest}{path.suffix}")
    return write_atomically(
        data, other
    ), f"a different object with this SOP Instance UID is kept beside it ({other.name})"


class Records:
    """The JSON-lines record of associations and objects."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any]) -> dict[str, Any]:
        line = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), **record}
        text = json.dumps(line, ensure_ascii=False, default=str) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
        return line

    def read(self) -> list[dict[str, Any]]:
        """Every complete record (a line being written at this moment is left for the next read)."""
        if not self.path.exists():
            return []
        out = []
        for raw in self.path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(raw))
            except json.JSONDecodeError:
                continue
        return out
