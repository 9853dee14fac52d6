"""``nmguard dicom listen`` (a C-STORE receiver that routes what it gets) and ``nmguard dicom received``."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import typer

from nmguard.cli.output import emit_json
from nmguard.cli.service import DATA_DIR, setup_django
from nmguard.errors import InputError

dicom_app = typer.Typer(help="DICOM network: receive objects and list what came in.", no_args_is_help=True)


def _data_folder(data_dir: Path | None) -> Path:
    if data_dir is not None:
        os.environ["NMGUARD_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    from nmguard.web.paths import data_dir as default_data_dir

    return default_data_dir()


@dicom_app.command("listen")
def listen(
    port: int = typer.Option(..., "--port", help="TCP port to listen on (104 or 11112 by custom)."),
    ae_title: str = typer.Option(..., "--ae-title", help="This receiver's AE title (1-16 characters)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface)."),
    data_dir: Path | None = DATA_DIR,
) -> None:
    """Receive DICOM objects (C-ECHO, C-STORE) and route them: RRDSRs to dose reports, NM QC acquisitions to
    the QC folder, SPECT/PET/CT/RTSTRUCT/SEG to the dosimetry inbox, anything else kept as unknown."""
    from nmguard.dicomnet.imports import ImportQueue, unfinished
    from nmguard.dicomnet.scp import Listener, check_ae_title, file_logger
    from nmguard.dicomnet.store import Layout

    try:
        title = check_ae_title(ae_title)
    except ValueError as exc:
        raise InputError(str(exc), "ae_title") from None
    if not 1 <= port <= 65535:
        raise InputError(f"port {port} is outside 1-65535", "port")
    setup_django(data_dir)
    from django.conf import settings

    from nmguard.apps.therapy.dosimetry_jobs import inbox_root
    from nmguard.dicomnet import dose_reports

    if pending := dose_reports.pending_migrations():
        raise InputError(
            f"the database in {settings.DATA_DIR} is not up to date ({len(pending)} migration(s) to apply): "
            "run 'nmguard migrate' first",
            "data_dir",
        )
    layout = Layout.under(Path(settings.DATA_DIR), inbox_root())
    logger = file_logger(layout.log_file)
    importer = dose_reports.DoseReportImporter(title)
    listener = Listener(
        title,
        layout,
        import_dose_report=importer,
        lookup_device=dose_reports.lookup_device,
        on_association_end=dose_reports.close_connection,
        logger=logger,
    )
    # one record file, one writer object: the importer's lines go through the listener's lock
    imports = ImportQueue(importer, listener.records, logger=logger, on_idle=dose_reports.close_connection)
    if left := unfinished(listener.records.read()):  # kept and answered, not imported when it last stopped
        logger.info("%d dose report(s) kept but not yet imported: importing them now", len(left))
        imports.put_all(left)
    listener.import_later = imports.put
    imports.start()
    try:
        server = listener.start(host, port, block=False)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", "port") from None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    logger.info(
        "listening as %s on %s:%d; data in %s, dosimetry inbox %s", title, host, port, layout.root, layout.inbox
    )
    print(f"NMGuard DICOM listener {title} on {host}:{port} (Ctrl+C to stop); log {layout.log_file}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        if not imports.stop(timeout=60):
            logger.warning("stopped with dose reports still queued: they are imported at the next start")
        logger.info("stopped")


@dicom_app.command("received")
def received(
    data_dir: Path | None = DATA_DIR,
    json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
    kind: str | None = typer.Option(
        None, "--kind", help="Only objects of one kind: dose_report, qc, dosimetry, unknown."
    ),
) -> None:
    """List the associations and objects the listener received (from its record in the data folder)."""
    from nmguard.dicomnet.imports import with_import_outcomes
    from nmguard.dicomnet.routing import KINDS
    from nmguard.dicomnet.store import Layout, Records

    if kind is not None and kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}", "kind")
    records = with_import_outcomes(Records(Layout.under(_data_folder(data_dir)).records).read())
    associations = [r for r in records if r.get("type") == "association"]
    objects = [r for r in records if r.get("type") == "object" and (kind is None or r.get("kind") == kind)]
    if json:
        emit_json({"associations": associations, "objects": objects})
        return
    print(f"{len(associations)} association(s), {len(objects)} object(s)")
    for r in objects:
        notes = ("; " + "; ".join(r["notes"])) if r.get("notes") else ""
        print(
            f"{r['at']}  {r['calling_ae']:<16} {r['kind']:<11} {r['status']:<22} {r['sop_class']}  {r['path']}{notes}"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(dicom_app, name="dicom")
