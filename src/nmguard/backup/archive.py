"""The backup archive: one tar holding the database, the data folder's files and a manifest.

Layout (plain tar, read back with any ``tar``)::

    database/nmguard.sqlite3   or   database/nmguard.pgdump     the database (SQLite file / pg_dump -Fc)
    files/<path in the data folder>                              DICOM inbox, job inputs and results, ...
    manifest.json                                                what, when, from which state, sha256 of each member
    manifest.sha256                                              sha256 of manifest.json itself

The manifest and its checksum come last, so an archive cut short at any point lacks them or a member
they list, and a flipped byte anywhere changes a checksum (or the tar header checksum, which ends the
listing early). Pure: files, tar and SHA-256 only, no Django.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import tarfile
import zlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from nmguard.errors import InputError

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_SHA = "manifest.sha256"
DATABASE_PREFIX = "database/"
FILES_PREFIX = "files/"
SQLITE_MEMBER = DATABASE_PREFIX + "nmguard.sqlite3"
POSTGRES_MEMBER = DATABASE_PREFIX + "nmguard.pgdump"
CHUNK = 1 << 20
MAX_MANIFEST_BYTES = 64 << 20
# Names of work in progress, never part of a backup: temporary files and folders ("." names, such as
# ".x.partial-abc" of dosimetry outputs and ".dicom-*.dcm" of atomic DICOM writes) and these endings.
TEMPORARY_ENDINGS = (".tmp", ".part", ".partial")


class ArchiveError(InputError):
    """The archive is unreadable, damaged, cut short or not an NMGuard backup."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "archive")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def key_fingerprint(key: bytes) -> str:
    """Names a key without revealing it (SHA-256 of a labelled copy), so a restore can tell whether the key
    it has is the one the backup's audit trail was sealed with."""
    return hashlib.sha256(b"nmguard audit key id\x00" + key).hexdigest()[:16]


def is_temporary(name: str) -> bool:
    return name.startswith(".") or name.endswith(TEMPORARY_ENDINGS)


def data_files(folder: Path, leave_out: Collection[str] = ()) -> list[str]:
    """The data folder's files to back up, as sorted POSIX paths relative to ``folder``.

    Left out: temporary names (see :func:`is_temporary`) at any depth, symbolic links (a link may point
    anywhere; what it points to is not the data folder's), and the top-level names in ``leave_out``
    (the live database, which goes in through its own online copy, and keys kept apart).
    """
    found: list[str] = []
    root = Path(folder)
    for here, dirs, files in os.walk(root, followlinks=False):
        rel = Path(here).relative_to(root)
        top = rel == Path(".")
        dirs[:] = sorted(
            d
            for d in dirs
            if not is_temporary(d) and not (top and d in leave_out) and not (Path(here) / d).is_symlink()
        )
        for name in sorted(files):
            path = Path(here) / name
            if is_temporary(name) or (top and name in leave_out) or path.is_symlink() or not path.is_file():
                continue
            found.append((rel / name).as_posix() if not top else name)
    return sorted(found)


@dataclass(frozen=True)
class AuditState:
    """The audit chain at backup time: how many events, and the head (last seq, last hash)."""

    events: int
    head_seq: int
    head_hash: str


@dataclass(frozen=True)
class Manifest:
    """What an archive holds and the state it was taken in; ``members`` maps name -> {sha256, size}."""

    nmguard_version: str
    created_utc: str
    engine: str
    migrations: list[str]
    audit: AuditState
    audit_key_id: str | None
    secret_key_included: bool
    source_data_dir: str
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    format: int = FORMAT

    @property
    def database_member(self) -> str:
        return SQLITE_MEMBER if self.engine == "sqlite" else POSTGRES_MEMBER

    def files(self) -> list[str]:
        """The data folder's files in the archive (paths relative to the data folder)."""
        return sorted(name[len(FILES_PREFIX) :] for name in self.members if name.startswith(FILES_PREFIX))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        try:
            raw = json.loads(text)
            if raw.get("format") != FORMAT:
                raise ArchiveError(f"{MANIFEST}: archive format {raw.get('format')!r}, this NMGuard reads {FORMAT}")
            raw["audit"] = AuditState(**raw["audit"])
            manifest = cls(**raw)
            if manifest.engine not in ("sqlite", "postgresql"):
                raise ValueError(f"unknown engine {manifest.engine!r}")
            return manifest
        except ArchiveError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ArchiveError(f"{MANIFEST} is not a readable NMGuard manifest ({exc})") from None


class _HashingReader:
    """A file wrapper that hashes what tar copies from it (so each file is read once, as archived)."""

    def __init__(self, f: BinaryIO) -> None:
        self._f, self.digest = f, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self._f.read(n)
        self.digest.update(data)
        return data


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime), 0o600
    tar.addfile(info, io.BytesIO(data))


def write_archive(dest: Path, members: Iterable[tuple[str, Path]], manifest: Manifest, mtime: float) -> Manifest:
    """Write ``members`` (archive name, source file) and the manifest with their checksums to ``dest``.

    Written to a temporary file beside ``dest`` and renamed into place when complete and flushed to disk,
    so a failed or interrupted backup never leaves a file that looks like a backup. Returns the manifest
    as written (with ``members`` filled in).
    """
    dest = Path(dest)
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.partial")
    listed: dict[str, dict[str, Any]] = {}
    try:
        # owner-only from the start: the archive holds patient data and the secret key
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, source in members:
                with open(source, "rb") as f:
                    info = tar.gettarinfo(fileobj=f, arcname=name)
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    reader = _HashingReader(f)
                    try:
                        tar.addfile(info, reader)
                    except OSError as exc:
                        raise OSError(
                            f"{source} changed while it was being archived ({exc}): run the backup again"
                        ) from exc
                listed[name] = {"sha256": reader.digest.hexdigest(), "size": info.size}
            final = replace(manifest, members=listed)
            text = final.to_json().encode("utf-8")
            _add_bytes(tar, MANIFEST, text, mtime)
            _add_bytes(tar, MANIFEST_SHA, (hashlib.sha256(text).hexdigest() + "  " + MANIFEST + "\n").encode(), mtime)
            tar.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return final


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if (
        path.is_absolute()
        or ".." in path.parts
        or "\\" in name
        or not (name in (MANIFEST, MANIFEST_SHA) or name.startswith((DATABASE_PREFIX, FILES_PREFIX)))
        or name in (DATABASE_PREFIX, FILES_PREFIX)
    ):
        raise ArchiveError(f"member {name}: not a name an NMGuard backup holds (refused)")
    return name


def read_archive(archive: Path, staging: Path) -> Manifest:
    """Unpack ``archive`` into ``staging`` and check every member against the manifest before anything else
    uses it. Any problem raises :class:`ArchiveError` naming the member; ``staging`` is then left for the
    caller to remove."""
    archive = Path(archive)
    if not archive.is_file():
        raise ArchiveError(f"{archive}: no such file")
    seen: dict[str, tuple[str, int]] = {}
    manifest_text: bytes | None = None
    manifest_sha: bytes | None = None
    current = "(header)"
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for info in tar:
                current = _safe_name(info.name)
                if current in seen:
                    raise ArchiveError(f"member {current}: appears twice in the archive")
                if not info.isreg():
                    raise ArchiveError(f"member {current}: not a regular file (refused)")
                source = tar.extractfile(info)
                assert source is not None  # a regular file always has data
                digest, size = hashlib.sha256(), 0
                if current in (MANIFEST, MANIFEST_SHA):
                    if info.size > MAX_MANIFEST_BYTES:
                        raise ArchiveError(f"member {current}: too large for a manifest")
                    data = source.read()
                    digest.update(data)
                    size = len(data)
                    if current == MANIFEST:
                        manifest_text = data
                    else:
                        manifest_sha = data
                else:
                    target = staging / current
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with open(target, "xb") as out:
                        while block := source.read(CHUNK):
                            digest.update(block)
                            size += len(block)
                            out.write(block)
                if size != info.size:
                    raise ArchiveError(f"member {current}: cut short ({size} of {info.size} bytes)")
                seen[current] = (digest.hexdigest(), size)
    except ArchiveError:
        raise
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # the disk, not the archive (no space, no permission): said as it is
        where = "the archive" if current == "(header)" else f"member {current}"
        raise ArchiveError(
            f"{archive.name}: {where} cannot be read ({exc}): the archive is damaged or cut short"
        ) from None
    if manifest_text is None or manifest_sha is None:
        missing = MANIFEST if manifest_text is None else MANIFEST_SHA
        raise ArchiveError(
            f"member {missing}: missing from {archive.name}: the archive is cut short, damaged or not an NMGuard backup"
        )
    recorded = manifest_sha.decode("ascii", "replace").split()[:1]
    if recorded != [hashlib.sha256(manifest_text).hexdigest()]:
        raise ArchiveError(f"member {MANIFEST}: checksum does not match {MANIFEST_SHA}: the archive is damaged")
    try:
        manifest = Manifest.from_json(manifest_text.decode("utf-8"))
    except UnicodeDecodeError:
        raise ArchiveError(f"member {MANIFEST}: not UTF-8 text") from None
    check_members(manifest.members, {k: v for k, v in seen.items() if k not in (MANIFEST, MANIFEST_SHA)})
    if manifest.database_member not in manifest.members:
        raise ArchiveError(f"member {manifest.database_member}: the manifest lists no database")
    return manifest


def check_members(listed: Mapping[str, Mapping[str, Any]], found: Mapping[str, tuple[str, int]]) -> None:
    """Every listed member present with its checksum and size, and nothing else; the first problem, named."""
    for name in sorted(listed):
        if name not in found:
            raise ArchiveError(f"member {name}: listed in the manifest but missing: the archive is cut short")
        sha, size = found[name]
        if sha != listed[name].get("sha256") or size != listed[name].get("size"):
            raise ArchiveError(f"member {name}: checksum does not match the manifest: the archive is damaged")
    extra = sorted(set(found) - set(listed))
    if extra:
        raise ArchiveError(f"member {extra[0]}: not listed in the manifest: the archive was altered")
