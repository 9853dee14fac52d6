"""RRDSR ingest rate of ``nmguard dicom listen`` against a bare pynetdicom receiver, interleaved.

Baseline: a pynetdicom storage SCP that accepts the RRDSR class and only writes each received
object's bytes to a file (``event.encoded_dataset()``, no parsing, no database): the irreducible part
of receiving. Measured: NMGuard's listener started as a user starts it (``python -m nmguard dicom
listen``) on a migrated embedded database with one known patient, so that every report is parsed,
written atomically, imported as a dose report (one transaction, audit events, history) and recorded.

One client (pynetdicom SCU, this process) sends the same freshly built reports (unique UIDs; read
from files, whose encoded bytes pynetdicom sends without re-encoding) to both receivers, one
association per receiver per round, the order alternating between rounds. For the bare receiver the
time is from A-ASSOCIATE to A-RELEASE (every file is written before its C-STORE response). NMGuard
answers once the file is kept and imports after (``nmguard.dicomnet.imports``), so its time runs on
until the round's last import line is in its record: the rate is that of reports in the database, not
of answers (both are printed). The client's socket has TCP_NODELAY (see ``_send``).
Reported through bench/_harness (rounds interleaved, a fresh batch shared by both receivers each round): each
receiver's time per association and objects per second at the min and median, the time ratio, the rounds and
the load; then the rate ratio NMGuard imported / bare (goal: at least 0.5) and the transfer syntax each receiver
accepted (the reports are Implicit VR Little Endian files; a receiver that accepts another syntax makes the
client re-encode every report, which is then charged to that receiver). The harness's CPU column is the
client's only: the receivers are other processes, not waited for until the end.

    .venv/bin/python bench/dicom_ingest.py [--rounds 5] [--per-round 40]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _harness import interleave, print_report  # noqa: E402

RRDSR = "1.2.840.10008.5.1.4.1.1.88.68"
AE_TITLE = "NMG_BENCH"
PATIENT_ID, BIRTH = "BENCH-1", dt.date(1960, 5, 1)


def bare_receiver(port: int, folder: Path) -> None:
    """The baseline SCP: write each object's bytes, nothing else."""
    from pynetdicom import AE, evt
    from pynetdicom.presentation import DEFAULT_TRANSFER_SYNTAXES

    folder.mkdir(parents=True, exist_ok=True)

    def on_store(event) -> int:
        data = event.encoded_dataset()
        (folder / f"{event.request.AffectedSOPInstanceUID}.dcm").write_bytes(data)
        return 0x0000

    ae = AE(ae_title=AE_TITLE)
    ae.add_supported_context(RRDSR, DEFAULT_TRANSFER_SYNTAXES)
    ae.add_supported_context("1.2.840.10008.1.1")
    ae.maximum_pdu_size = 0
    print("ready", flush=True)
    ae.start_server(("127.0.0.1", port), evt_handlers=[(evt.EVT_C_STORE, on_store)], block=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _echo(port: int) -> bool:
    from pynetdicom import AE

    ae = AE(ae_title="BENCH_SCU")
    ae.add_requested_context("1.2.840.10008.1.1")
    ae.acse_timeout = ae.network_timeout = 5
    assoc = ae.associate("127.0.0.1", port, ae_title=AE_TITLE)
    if not assoc.is_established:
        return False
    assoc.send_c_echo()
    assoc.release()
    return True


def _wait(proc: subprocess.Popen, port: int, what: str) -> None:
    deadline = time.monotonic() + 240
    while not _echo(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"{what} did not start")
        time.sleep(0.5)


def _reports(n: int, folder: Path) -> list[Path]:
    from pydicom.uid import generate_uid

    from nmguard.exchange.dicom import build_rrdsr
    from nmguard.exchange.dicom.administration_report import RadiopharmaceuticalAdministration

    at = dt.datetime(2026, 3, 1, 9, 15, tzinfo=dt.UTC)
    out = []
    for i in range(n):
        admin = RadiopharmaceuticalAdministration(
            patient_id=PATIENT_ID,
            patient_name="Bench^Patient",
            patient_birth_date=BIRTH,
            patient_sex="F",
            radiopharmaceutical_name="[18F]fluorodeoxyglucose (FDG)",
            radiopharmaceutical_id="f18-fdg",
            nuclide="18F",
            administered_activity_Bq=300e6 + i,
            administration_start=at + dt.timedelta(minutes=i),
            route="iv",
            administration_event_uid=generate_uid(),
        )
        ds = build_rrdsr(
            admin, institution_name="Bench Hospital", device_observer_uid="1.2.3.4", device_observer_name="Injector"
        )
        path = folder / f"{ds.SOPInstanceUID}.dcm"
        ds.save_as(path, enforce_file_format=True)
        out.append(path)
    return out  # paths: pynetdicom sends a file's encoded dataset as it is, so the client does not re-encode


class ImportWatcher:
    """Counts the listener's import lines as they are appended to its record (read incrementally)."""

    def __init__(self, record: Path) -> None:
        self.record, self.offset, self.count, self.imported = record, 0, 0, 0

    def poll(self) -> int:
        if self.record.exists():
            with self.record.open("rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
            complete = chunk[: chunk.rfind(b"\n") + 1]  # a line being written waits for the next poll
            self.offset += len(complete)
            for line in complete.splitlines():
                doc = json.loads(line)
                if doc.get("type") == "import":
                    self.count += 1
                    self.imported += doc.get("status") == "imported"
        return self.count

    def wait_for(self, total: int, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while self.poll() < total:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {self.count} of {total} imports recorded after {timeout} s")
            time.sleep(0.001)


def _send(port: int, datasets: list[Path], until=None) -> tuple[float, float, str]:
    """Seconds from A-ASSOCIATE to A-RELEASE, seconds until ``until()`` (the last import recorded; the same
    when None), and the transfer syntax the receiver accepted."""
    from pynetdicom import AE

    ae = AE(ae_title="BENCH_SCU")
    ae.add_requested_context(RRDSR)
    start = time.perf_counter()
    assoc = ae.associate("127.0.0.1", port, ae_title=AE_TITLE)
    assert assoc.is_established
    syntax = str(assoc.accepted_contexts[0].transfer_syntax[0])
    # pynetdicom writes a C-STORE's command and data set as separate PDUs; with Nagle's algorithm and the
    # receiver's delayed ACK each object then waits ~40 ms (measured here: 19 vs 67 objects/s into the bare
    # receiver), which would hide what either receiver does. The client sends without that delay.
    assoc.dul.socket.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for ds in datasets:
        status = assoc.send_c_store(ds)
        assert status and int(status.Status) == 0, status
    assoc.release()
    answered = time.perf_counter() - start
    if until is not None:
        until()
    return answered, time.perf_counter() - start, syntax


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=40)
    parser.add_argument("--bare-receiver", nargs=2, metavar=("PORT", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_receiver:
        bare_receiver(int(args.bare_receiver[0]), Path(args.bare_receiver[1]))
        return
    with tempfile.TemporaryDirectory(prefix="nmguard-bench-") as tmp:
        data = Path(tmp) / "data"
        env = {k: v for k, v in os.environ.items() if k != "NMGUARD_DATABASE_URL"} | {"NMGUARD_DATA_DIR": str(data)}
        nmguard = [sys.executable, "-m", "nmguard"]
        subprocess.run([*nmguard, "migrate"], env=env, check=True, capture_output=True)
        setup = (
            "import datetime as dt\nfrom nmguard.cli.service import setup_django\nsetup_django(None)\n"
            "from nmguard.apps.core.actor import acting_as\nfrom nmguard.apps.patients.models import Patient\n"
            "with acting_as('bench', reason='registered'):\n"
            f"    Patient.objects.create(mrn={PATIENT_ID!r}, family_name='Bench', given_name='Patient',"
            f" birth_date=dt.date.fromisoformat({BIRTH.isoformat()!r}), sex='F')\n"
        )
        subprocess.run([sys.executable, "-c", setup], env=env, check=True)
        ports = {"nmguard": _free_port(), "bare": _free_port()}
        procs = {
            "nmguard": subprocess.Popen(
                [*nmguard, "dicom", "listen", "--port", str(ports["nmguard"]), "--ae-title", AE_TITLE],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            "bare": subprocess.Popen(
                [sys.executable, __file__, "--bare-receiver", str(ports["bare"]), str(Path(tmp) / "bare")],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        }
        try:
            for name, proc in procs.items():
                _wait(proc, ports[name], name)
            syntaxes: dict[str, set[str]] = {"nmguard": set(), "bare": set()}
            answered: list[float] = []
            outgoing = Path(tmp) / "outgoing"
            outgoing.mkdir()
            watcher = ImportWatcher(data / "dicom" / "received.jsonl")
            # warm-up (first imports load code paths), not timed
            _send(ports["nmguard"], _reports(3, outgoing), until=lambda: watcher.wait_for(3))
            _send(ports["bare"], _reports(3, outgoing))
            state = {"batch": [], "sent": 3}

            def new_batch(_round: int) -> None:  # the same fresh reports (unique UIDs) for both receivers
                state["batch"] = _reports(args.per_round, outgoing)
                state["sent"] += args.per_round

            def to_bare() -> None:
                syntaxes["bare"].add(_send(ports["bare"], state["batch"])[2])

            def to_nmguard() -> None:
                answer, _, syntax = _send(ports["nmguard"], state["batch"], lambda: watcher.wait_for(state["sent"]))
                answered.append(answer)
                syntaxes["nmguard"].add(syntax)

            result = interleave(
                {"bare receiver": to_bare, "nmguard imported": to_nmguard},
                rounds=args.rounds,
                warmup=0,
                before_round=new_batch,
            )
            imported = watcher.imported
        finally:
            for proc in procs.values():
                proc.terminate()
                proc.wait(timeout=30)
    n = args.per_round
    print_report(
        f"RRDSR ingest, {n} reports per association",
        result,
        baseline="bare receiver",
        baseline_text="pynetdicom storage SCP writing each object's bytes (no parsing, no database)",
        threads="each receiver its own process (pynetdicom's threads); one client, one association at a time",
        per=(n, "objects"),
    )
    bare = result.sides["bare receiver"]
    print(
        f"  NMGuard C-STORE answered (file kept): best {n / min(answered):.1f}, "
        f"median {n / statistics.median(answered):.1f} objects/s"
    )
    print(
        f"  NMGuard imported / bare (rate): best {bare.min / result.sides['nmguard imported'].min:.2f}, "
        f"median {bare.median / result.sides['nmguard imported'].median:.2f} (goal >= 0.5)"
    )
    print(f"  dose reports imported by NMGuard: {imported} of {args.rounds * n + 3}")
    from pydicom.uid import UID

    for name in ("bare", "nmguard"):
        print(f"  transfer syntax accepted by {name}: {', '.join(UID(s).name for s in sorted(syntaxes[name]))}")
    if syntaxes["bare"] != syntaxes["nmguard"]:  # else the client transcodes for one of them: not like for like
        print("  WARNING: the receivers accepted different transfer syntaxes: the ratio includes client transcoding")


if __name__ == "__main__":
    main()
