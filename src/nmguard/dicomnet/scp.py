"""The storage SCP: a pynetdicom application entity that answers C-ECHO and keeps every C-STORE.

Presentation contexts: Verification, the storage classes of :mod:`nmguard.dicomnet.routing`, and a
catch-all for any other storage class (public or private), each with the transfer syntaxes that
NMGuard's readers decode. pynetdicom rejects a context whose abstract syntax it was not given, so the
catch-all replaces pynetdicom's "unrestricted storage" negotiation (``_config.UNRESTRICTED_STORAGE_SERVICE``)
with :func:`negotiate`, which prefers the readable transfer syntaxes and, for a storage class offered
only in a syntax NMGuard cannot decode, still accepts it (the object is kept and listed with a note,
never refused). Both settings are process-wide: :meth:`Listener.start` sets them in the listener's process.

Handlers run in each association's thread; what they do with the database goes through the
``dose_reports`` callable, which the CLI gives (:mod:`nmguard.dicomnet.dose_reports`).
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydicom
import pynetdicom
import pynetdicom.acse
from pydicom.uid import UID
from pynetdicom import AE, _config, evt
from pynetdicom.presentation import PresentationContext, build_context, negotiate_as_acceptor
from pynetdicom.service_class import ServiceClass, StorageServiceClass
from pynetdicom.sop_class import uid_to_service_class

from nmguard.dicomnet.routing import DOSE_REPORT, QC, STORAGE_CLASSES, UNKNOWN, Route, route, safe_name
from nmguard.dicomnet.store import Layout, Records, keep

VERIFICATION = UID("1.2.840.10008.1.1")
QUEUED = "queued for import"  # a kept dose report's status until its import line (nmguard.dicomnet.imports)

# Uncompressed syntaxes, then the compressed ones that pydicom decodes with the project's plugins
# (pylibjpeg-libjpeg: JPEG Lossless and JPEG-LS; pylibjpeg-openjpeg: JPEG 2000; pydicom itself: RLE).
TRANSFER_SYNTAXES: tuple[UID, ...] = tuple(
    UID(uid)
    for uid in (
        "1.2.840.10008.1.2.1",  # Explicit VR Little Endian
        "1.2.840.10008.1.2",  # Implicit VR Little Endian
        "1.2.840.10008.1.2.1.99",  # Deflated Explicit VR Little Endian
        "1.2.840.10008.1.2.2",  # Explicit VR Big Endian (retired, still sent by old equipment)
        "1.2.840.10008.1.2.4.70",  # JPEG Lossless, first-order prediction (SV1)
        "1.2.840.10008.1.2.4.57",  # JPEG Lossless
        "1.2.840.10008.1.2.4.80",  # JPEG-LS Lossless
        "1.2.840.10008.1.2.4.81",  # JPEG-LS Near-Lossless
        "1.2.840.10008.1.2.4.90",  # JPEG 2000 Lossless
        "1.2.840.10008.1.2.4.91",  # JPEG 2000
        "1.2.840.10008.1.2.5",  # RLE Lossless
    )
)

# C-STORE statuses (PS3.4 Annex B.2.3).
SUCCESS, OUT_OF_RESOURCES, UNABLE_TO_PROCESS = 0x0000, 0xA700, 0xC211

MAX_AE_TITLE = 16  # PS3.5 Table 6.2-1, AE value representation


@dataclass(frozen=True)
class Peer:
    """The calling application entity of an association."""

    ae_title: str
    address: str
    port: int

    @property
    def where(self) -> str:
        return f"{self.ae_title}@{self.address}:{self.port}"


# (data, its dataset as read for routing, peer) -> (status, detail): "imported" / "not imported" and what happened.
DoseReportImporter = Callable[[bytes, pydicom.Dataset, Peer], tuple[str, str]]
# (dataset) -> the equipment it came from as NMGuard knows it, or None.
DeviceLookup = Callable[[pydicom.Dataset], str | None]


def check_ae_title(title: str) -> str:
    """``title`` if it is a valid AE title (1-16 characters of printable ASCII but backslash, not only spaces)."""
    stripped = title.strip()
    if not stripped:
        raise ValueError("the AE title is empty")
    if len(title) > MAX_AE_TITLE:
        raise ValueError(f"the AE title {title!r} has {len(title)} characters; DICOM allows at most {MAX_AE_TITLE}")
    if any(not (0x20 <= ord(c) < 0x7F) or c == "\\" for c in title):
        raise ValueError(f"the AE title {title!r} may hold only printable ASCII characters other than backslash")
    return stripped


def _storage_like(uid: UID) -> bool:
    service = uid_to_service_class(uid)
    return service is StorageServiceClass or service is ServiceClass  # ServiceClass: private/unknown


def negotiate(rq_contexts: list[PresentationContext], ac_contexts: list[PresentationContext], roles: Any = None):
    """Accept Verification and every storage class in the first syntax the sender proposed that NMGuard reads.

    The sender's order is its preference (usually the encoding it holds the object in): taking the first
    readable one spares it a transcoding per object. pynetdicom's negotiation takes the acceptor's order instead,
    which made a sender holding Implicit VR Little Endian re-encode every report into Explicit VR (a third of the
    time per report in ``bench/dicom_ingest.py``). A storage context none of whose proposed syntaxes is readable
    is still accepted in the first one proposed (the object is kept; the record says it cannot be decoded)."""
    known = {cx.abstract_syntax for cx in ac_contexts}
    extra = [
        build_context(cx.abstract_syntax, list(TRANSFER_SYNTAXES))
        for cx in rq_contexts
        if cx.abstract_syntax not in known and _storage_like(UID(cx.abstract_syntax))
    ]
    unique = {cx.abstract_syntax: cx for cx in extra}
    result, reply_roles = negotiate_as_acceptor(rq_contexts, [*ac_contexts, *unique.values()], roles)
    by_id = {cx.context_id: cx for cx in rq_contexts}
    readable = set(TRANSFER_SYNTAXES)
    for cx in result:
        proposed = by_id[cx.context_id].transfer_syntax
        if cx.result == 0x00:
            cx.transfer_syntax = [next((ts for ts in proposed if UID(ts) in readable), cx.transfer_syntax[0])]
        elif cx.result == 0x04 and _storage_like(UID(cx.abstract_syntax)):
            cx.result = 0x00
            cx.transfer_syntax = [proposed[0]]
            cx._as_scu, cx._as_scp = False, True
    return result, reply_roles


class Listener:
    """The storage SCP of one AE title, writing under ``layout`` and recording in ``layout.records``."""

    def __init__(
        self,
        ae_title: str,
        layout: Layout,
        *,
        import_dose_report: DoseReportImporter,
        lookup_device: DeviceLookup | None = None,
        on_association_end: Callable[[], None] | None = None,
        logger: logging.Logger | None = None,
        import_later: Callable[[Path, Peer, str, bytes, pydicom.Dataset], None] | None = None,
    ) -> None:
        """``import_later(path, peer, sop_instance_uid, data, dataset)``: queue a kept dose report for import
        after the C-STORE is answered (the listener's way, :mod:`nmguard.dicomnet.imports`); without it the
        report is imported before :meth:`receive` returns."""
        self.ae_title = check_ae_title(ae_title)
        self.layout = layout
        self.records = Records(layout.records)
        self.import_dose_report = import_dose_report
        self.lookup_device = lookup_device
        self.on_association_end = on_association_end
        self.import_later = import_later
        self.log = logger or logging.getLogger("nmguard.dicomnet")
        self._counts: dict[int, int] = {}
        self._lock = threading.Lock()
        self._server = None

    # -- pynetdicom -------------------------------------------------------------------------------
    def application_entity(self) -> AE:
        ae = AE(ae_title=self.ae_title)
        ae.add_supported_context(VERIFICATION, list(TRANSFER_SYNTAXES))
        for uid in STORAGE_CLASSES:
            ae.add_supported_context(uid, list(TRANSFER_SYNTAXES))
        ae.maximum_pdu_size = 0  # no limit on what the peer sends us
        ae.require_called_aet = True  # an association meant for another AE is refused (and recorded)
        return ae

    def handlers(self) -> list[tuple[Any, Callable]]:
        return [
            (evt.EVT_C_ECHO, self._on_echo),
            (evt.EVT_C_STORE, self._on_store),
            (evt.EVT_ACCEPTED, self._on_accepted),
            (evt.EVT_REJECTED, self._on_rejected),
            (evt.EVT_RELEASED, self._on_ended),
            (evt.EVT_ABORTED, self._on_ended),
        ]

    def start(self, host: str, port: int, *, block: bool = True):
        """Listen on ``host:port``. Raises OSError when the address cannot be bound."""
        _config.UNRESTRICTED_STORAGE_SERVICE = True
        pynetdicom.acse.negotiate_unrestricted = negotiate
        ae = self.application_entity()
        self._server = ae.start_server((host, port), block=block, evt_handlers=self.handlers())
        return self._server

    # -- handlers -----------------------------------------------------------------------------------
    @staticmethod
    def _peer(event) -> Peer:
        requestor = event.assoc.requestor
        return Peer(str(requestor.ae_title).strip(), str(requestor.address), int(requestor.port))

    def _on_echo(self, event) -> int:
        self.log.info("C-ECHO from %s", self._peer(event).where)
        return SUCCESS

    def _on_accepted(self, event) -> None:
        peer = self._peer(event)
        with self._lock:
            self._counts[id(event.assoc)] = 0
        contexts = sorted({str(UID(cx.abstract_syntax).name) for cx in event.assoc.accepted_contexts})
        self.log.info("association accepted from %s (%s)", peer.where, ", ".join(contexts))

    def _on_rejected(self, event) -> None:
        peer = self._peer(event)
        self.log.warning("association rejected from %s", peer.where)
        self.records.append(
            {
                "type": "association",
                "calling_ae": peer.ae_title,
                "address": peer.address,
                "port": peer.port,
                "status": "rejected",
                "objects": 0,
            }
        )

    def _on_ended(self, event) -> None:
        peer = self._peer(event)
        with self._lock:
            count = self._counts.pop(id(event.assoc), None)
        if count is None:  # rejected or never established: already recorded
            return
        how = "released" if event.event is evt.EVT_RELEASED else "aborted"
        self.log.info("association %s by %s: %d object(s) stored", how, peer.where, count)
        self.records.append(
            {
                "type": "association",
                "calling_ae": peer.ae_title,
                "address": peer.address,
                "port": peer.port,
                "status": "accepted",
                "ended": how,
                "objects": count,
            }
        )
        if self.on_association_end is not None:
            self.on_association_end()

    def _on_store(self, event) -> int:
        peer = self._peer(event)
        try:
            data = bytes(event.encoded_dataset())
        except Exception as exc:  # noqa: BLE001 - a request we cannot even re-encode is refused, and said so
            self.log.error("C-STORE from %s could not be read: %s", peer.where, exc)
            return 0xC210  # Cannot understand
        try:
            outcome = self.receive(
                data,
                peer,
                sop_class_uid=str(event.request.AffectedSOPClassUID),
                transfer_syntax=str(event.context.transfer_syntax),
            )
        except OSError as exc:
            self.log.error("C-STORE from %s not stored: %s", peer.where, exc)
            return OUT_OF_RESOURCES
        except Exception:  # noqa: BLE001 - a failure status, so the sender keeps the object and retries
            self.log.exception("C-STORE from %s failed", peer.where)
            return UNABLE_TO_PROCESS
        with self._lock:
            if id(event.assoc) in self._counts:
                self._counts[id(event.assoc)] += 1
        self.log.debug("stored %s", outcome["path"])
        return SUCCESS

    # -- the work, callable without a network (tests, re-runs) --------------------------------------
    def receive(self, data: bytes, peer: Peer, *, sop_class_uid: str, transfer_syntax: str) -> dict[str, Any]:
        """Route, keep and record one object (``data``: a DICOM file's bytes, file meta included)."""
        notes: list[str] = []
        try:
            ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
        except Exception as exc:  # noqa: BLE001 - an unreadable header still gets kept
            ds = pydicom.Dataset()
            notes.append(f"header not readable ({type(exc).__name__})")
        where = route(ds, sop_class_uid) if not notes else Route(UNKNOWN, (), "header not readable: kept")
        if UID(transfer_syntax) not in TRANSFER_SYNTAXES:
            notes.append(f"sent as {UID(transfer_syntax).name}, which NMGuard's readers do not decode")
        sop_instance = str(ds.get("SOPInstanceUID", "") or "")
        stem = safe_name(sop_instance, "") or f"object-{hashlib.sha256(data).hexdigest()[:16]}"
        path, note = keep(data, self.layout.destination(where, stem))
        if note:
            notes.append(note)
        status = "stored"
        if where.kind == DOSE_REPORT and self.import_later is not None:
            status = QUEUED  # the import line follows in the record (nmguard.dicomnet.imports)
        elif where.kind == DOSE_REPORT:
            status, detail = self.import_dose_report(data, ds, peer)
            notes.append(detail)
        elif where.kind == QC:
            status = "waiting for a QC test"
            device = self.lookup_device(ds) if self.lookup_device is not None else None
            notes.append(f"device: {device}" if device else "device not in the equipment register")
        elif where.kind == UNKNOWN:
            status = "kept"
        record = {
            "type": "object",
            "calling_ae": peer.ae_title,
            "address": peer.address,
            "sop_class_uid": str(sop_class_uid),
            "sop_class": UID(sop_class_uid).name,
            "sop_instance_uid": sop_instance,
            "study_instance_uid": str(ds.get("StudyInstanceUID", "") or ""),
            "series_instance_uid": str(ds.get("SeriesInstanceUID", "") or ""),
            "modality": str(ds.get("Modality", "") or ""),
            "transfer_syntax": str(transfer_syntax),
            "kind": where.kind,
            "route": where.reason,
            "path": str(path),
            "status": status,
            "notes": [n for n in notes if n],
        }
        self.records.append(record)
        if status == QUEUED:
            self.import_later(path, peer, sop_instance, data, ds)  # after its object line: the record reads in order
        self.log.info(
            "C-STORE %s %s from %s -> %s (%s)%s",
            record["sop_class"],
            sop_instance,
            peer.where,
            path,
            status,
            "; " + "; ".join(record["notes"]) if record["notes"] else "",
        )
        return record

    def shutdown(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server = None


def file_logger(path: Path, *, echo: bool = True) -> logging.Logger:
    """The listener's log: a file in the data folder (and standard error when ``echo``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger("nmguard.dicomnet")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    fmt = logging.Formatter("%(asctime)sZ %(levelname)s %(message)s")
    fmt.converter = time.gmtime  # UTC, whatever zone Django set for the process
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    file_handler = logging.FileHandler(path, encoding="utf-8")
    file_handler.setFormatter(fmt)
    logger.addHandler(file_handler)
    if echo:
        console = logging.StreamHandler()
        console.setFormatter(fmt)
        logger.addHandler(console)
    return logger
