"""Tamper evidence that survives the database owner: a key kept outside the database seals the chain.

The hash chain (:mod:`nmguard.integrity.hashchain`) finds an edit made by someone who cannot recompute
SHA-256, which is nobody: whoever owns the database can drop the triggers, rewrite an event and rehash
everything after it, or cut the tail and the head row with it. Two things they cannot forge without the key:

* **Seals.** Every event carries ``HMAC-SHA256(key, "seq:hash")``. A rewritten event needs a new hash, and a
  new hash needs a new seal. Once seals begin, every later event must have one: removing seals to pass the
  rewritten events off as older, unsealed ones is itself a finding.
* **Checkpoints.** Now and then the chain's (seq, hash) is appended, as a signed line naming the database, to
  a file outside the database (``audit-checkpoints.jsonl`` in the data folder; also sent to a log witness).
  The trail may only grow past a checkpoint: fewer events than a checkpoint recorded, or another hash at its
  seq, means events were removed or rewritten, whatever the database now says about itself.

The key is ``NMGUARD_AUDIT_KEY`` (hex) or the file ``audit_key`` in the data folder (made once, mode 0600).
Keep a copy of it with the backups and away from the database's owner: without it nothing can be checked.
Pure: files and HMAC only, no Django.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

KEY_FILE = "audit_key"
KEY_ENV = "NMGUARD_AUDIT_KEY"
CHECKPOINT_FILE = "audit-checkpoints.jsonl"
KEY_BYTES = 32


class AuditKeyError(Exception):
    """The audit key cannot be read (absent, unreadable, or not hex)."""


def load_key(folder: Path, *, create: bool) -> bytes | None:
    """The audit key: ``NMGUARD_AUDIT_KEY`` (hex) if set, else ``folder/audit_key``; made when ``create``."""
    if text := os.environ.get(KEY_ENV):
        try:
            return bytes.fromhex(text.strip())
        except ValueError:
            raise AuditKeyError(f"{KEY_ENV} is not hexadecimal") from None
    path = Path(folder) / KEY_FILE
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(KEY_BYTES))
    try:
        return bytes.fromhex(path.read_text().strip())
    except ValueError:
        raise AuditKeyError(f"{path} is not a hexadecimal key") from None


def seal(key: bytes, seq: int, event_hash: str) -> str:
    """The event's seal: HMAC-SHA256 of ``"seq:hash"`` under the key (hex)."""
    return hmac.new(key, f"{seq}:{event_hash}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at one moment, signed: ``seq`` events, the last with ``hash``, sealed from ``keyed_since``,
    in ``database`` (engine and name: a data folder serves one database; lines of another are set aside)."""

    seq: int
    hash: str
    at: str  # ISO 8601, UTC
    keyed_since: int | None
    database: str = ""
    mac: str = ""

    def body(self) -> str:
        return json.dumps(
            {
                "seq": self.seq,
                "hash": self.hash,
                "at": self.at,
                "keyed_since": self.keyed_since,
                "database": self.database,
            },
            sort_keys=True,
            separators=(",", ":"),
        )


def sign_checkpoint(
    key: bytes, seq: int, event_hash: str, at: str, keyed_since: int | None, database: str = ""
) -> Checkpoint:
    unsigned = Checkpoint(seq, event_hash, at, keyed_since, database)
    mac = hmac.new(key, unsigned.body().encode(), hashlib.sha256).hexdigest()
    return Checkpoint(seq, event_hash, at, keyed_since, database, mac)


def checkpoint_file(folder: Path) -> Path:
    """Where the data folder's checkpoints are kept (outside the database, appended to only)."""
    return Path(folder) / CHECKPOINT_FILE


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Append one signed line and flush it to disk (the file is only ever appended to). The whole line or
    nothing: a full disk mid-line would leave half a line that no later verification can read, so on any
    failure the file is cut back to its length before the append and the error goes to the caller."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (json.dumps(asdict(checkpoint), sort_keys=True, separators=(",", ":")) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        start = os.fstat(fd).st_size
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                if written <= 0:
                    raise OSError("no bytes written")
                view = view[written:]
            os.fsync(fd)
        except BaseException:
            os.ftruncate(fd, start)
            raise
    finally:
        os.close(fd)


def read_checkpoints(path: Path, key: bytes) -> tuple[list[Checkpoint], list[str]]:
    """The file's checkpoints whose signatures hold, and a problem for each line that does not."""
    if not path.exists():
        return [], []
    good, problems = [], []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            cp = Checkpoint(
                int(raw["seq"]),
                str(raw["hash"]),
                str(raw["at"]),
                raw.get("keyed_since"),
                str(raw.get("database", "")),
                str(raw["mac"]),
            )
        except (ValueError, KeyError, TypeError):
            problems.append(f"checkpoint line {number} is not readable")
            continue
        expected = sign_checkpoint(key, cp.seq, cp.hash, cp.at, cp.keyed_since, cp.database).mac
        if not hmac.compare_digest(expected, cp.mac):
            problems.append(f"checkpoint line {number} is not signed with this audit key")
            continue
        good.append(cp)
    return good, problems


@dataclass(frozen=True)
class SealedEvent:
    seq: int
    hash: str
    seal: str | None


@dataclass(frozen=True)
class SealReport:
    ok: bool
    sealed_events: int
    checkpoints: int
    first_bad_event: int | None = None
    problem: str | None = None


def verify_seals(events: Iterable[SealedEvent], key: bytes, checkpoints: Sequence[Checkpoint]) -> SealReport:
    """Check every seal, that no event after sealing began lacks one, and every checkpoint against the trail."""
    at_checkpoint = {cp.seq: cp for cp in checkpoints}
    declared = [cp.keyed_since for cp in checkpoints if cp.keyed_since]
    keyed_since = min(declared) if declared else None
    count = sealed = 0
    bad: tuple[int, str] | None = None

    def flag(seq: int, problem: str) -> None:
        nonlocal bad
        if bad is None:
            bad = (seq, problem)

    for event in events:
        count = event.seq
        if event.seal:
            sealed += 1
            if keyed_since is None:
                keyed_since = event.seq
            if not hmac.compare_digest(seal(key, event.seq, event.hash), event.seal):
                flag(event.seq, "seal does not match: the event was written or rewritten without the audit key")
        elif keyed_since is not None and event.seq >= keyed_since:
            flag(event.seq, f"event has no seal, although every event from {keyed_since} on is sealed")
        cp = at_checkpoint.get(event.seq)
        if cp is not None and cp.hash != event.hash:
            flag(event.seq, f"the checkpoint of {cp.at} recorded another hash for this event: rewritten")
    longest = max((cp for cp in checkpoints), key=lambda c: c.seq, default=None)
    if longest is not None and longest.seq > count:
        flag(
            count + 1,
            f"the trail holds {count} events, the checkpoint of {longest.at} recorded {longest.seq}: "
            "events were removed",
        )
    if bad is not None:
        return SealReport(False, sealed, len(checkpoints), bad[0], bad[1])
    return SealReport(True, sealed, len(checkpoints))
