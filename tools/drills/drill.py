"""Reliability drills (issue 12 item 8), on loopback only and bounded in time.

A throw-away PostgreSQL (or SQLite for the smoke test), the demo department, ``nmguard serve`` under the
production settings and ``nmguard worker``; N simulated users record administrations (API: patient →
prescription → measurement → checks → administration) and QC results (the web form, with CSRF); meanwhile
kill -9 of the server mid-write, kill -9 of the worker mid-job, a PostgreSQL restart and a full data disk.
Afterwards every acknowledged write is checked against the database, the job queue and
``nmguard audit verify``. Figures go to JSON and a markdown table.

The driver never imports Django: it is a client (HTTP, the command line), as the users and the operators are.
Run: ``python -m tools.drills.drill`` (``DRILL_SECONDS``, ``DRILL_USERS``; ``--help``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tools.drills import snippets

REQUEST_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# ------------------------------------------------------------------------------------------- the stack
class Postgres:
    """initdb/pg_ctl in a temporary folder on a loopback port (the logic of scripts/with-postgres.sh, but
    with fsync on: a drill about lost writes must not run with the durability switched off)."""

    def __init__(self, root: Path) -> None:
        initdb = shutil.which("initdb") or sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))[-1]
        self.bin = Path(initdb).resolve().parent
        self.root = root
        self.port = free_port()
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
                subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
            shutil.chown(root, "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]

    def _ctl(self, *args: str) -> None:
        cmd = [*self.as_owner, str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-l", str(self.root / "pg.log")]
        subprocess.run([*cmd, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        subprocess.run(
            [
                *self.as_owner,
                str(self.bin / "initdb"),
                "-D",
                str(self.root / "data"),
                "-U",
                "nmguard",
                "-A",
                "trust",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        self._ctl(
            "-w", "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200", "start"
        )
        subprocess.run(
            [
                *self.as_owner,
                str(self.bin / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "nmguard",
                "nmguard",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return f"postgres://nmguard@127.0.0.1:{self.port}/nmguard"

    def restart(self) -> None:
        self._ctl("-m", "fast", "-w", "restart")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._ctl("-m", "fast", "-w", "stop")


class Stack:
    """Database, data folder, server and worker processes of one drill; everything under one temporary folder."""

    def __init__(self, database: str, work: Path, tmpfs_mb: int) -> None:
        self.work = work
        self.data = work / "data"
        self.data.mkdir(parents=True)
        self.mounted = False
        if tmpfs_mb and os.geteuid() == 0:
            r = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={tmpfs_mb}m", "tmpfs", str(self.data)],
                capture_output=True,
                text=True,
            )
            self.mounted = r.returncode == 0
            self.mount_error = r.stderr.strip()
        self.pg: Postgres | None = None
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if k not in ("NMGUARD_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        self.env.update(
            NMGUARD_DATA_DIR=str(self.data),
            DJANGO_SETTINGS_MODULE="nmguard.web.settings_production",
            NMGUARD_SECRET_KEY=secrets.token_urlsafe(64),
            NMGUARD_ALLOWED_HOSTS="127.0.0.1",
            NMGUARD_TRUSTED_PROXY="127.0.0.1",  # the driver plays the TLS proxy: X-Forwarded-Proto: https
            NMGUARD_JOB_THREAD="0",  # the queue runs in `nmguard worker`, as in a department
            NMGUARD_TIME_ZONE="UTC",
        )
        if database == "postgres":
            pg_root = work / "pg"
            pg_root.mkdir()
            self.pg = Postgres(pg_root)
            self.env["NMGUARD_DATABASE_URL"] = self.pg.start()
        self.server: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.lock = threading.Lock()  # held while a drill kills and restarts a process on purpose

    def python(self, code: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", code, *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def nmguard(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "nmguard", *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def _spawn(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.work / f"{name}.log", "a")  # noqa: SIM115 - the child keeps it
        return subprocess.Popen(
            [sys.executable, "-m", "nmguard", *args], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def start_server(self) -> float:
        """Start ``nmguard serve``; seconds until /api/v1/health answers."""
        t0 = time.monotonic()
        self.server = self._spawn("server", "serve", "--port", str(self.port))
        while time.monotonic() - t0 < 120:
            if self.server.poll() is not None:
                raise RuntimeError(f"the server stopped at start: see {self.work / 'server.log'}")
            try:
                if Client(self.port).request("GET", "/api/v1/health")[0] == 200:
                    return time.monotonic() - t0
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not answer within 120 s")

    def start_worker(self) -> None:
        self.worker = self._spawn("worker", "worker", "--poll-s", "0.5")

    def supervise(self, stop: threading.Event, exits: list[dict]) -> None:
        """What systemd's ``Restart=always`` does in a department (docs/deployment.md): a worker that exits
        on its own is started again; each such exit is recorded (it is a finding, not a drill)."""
        while not stop.wait(1.0):
            with self.lock:
                if self.worker is not None and self.worker.poll() is not None:
                    exits.append(
                        {"process": "worker", "exit_code": self.worker.returncode, "at": time.strftime("%H:%M:%S")}
                    )
                    self.start_worker()

    def job_progress(self, pk: int) -> tuple[str, float]:
        """A job's status and progress read straight from the database, in milliseconds: the API under 50 users
        answers in seconds, and a job can run from start to end between two of its answers."""
        import psycopg

        query = "SELECT status, progress FROM therapy_dosimetryjob WHERE id = %s"
        try:
            if self.pg is not None:
                with psycopg.connect(self.env["NMGUARD_DATABASE_URL"], connect_timeout=5) as conn:
                    row = conn.execute(query, (pk,)).fetchone()
            else:
                uri = f"{(self.data / 'nmguard.sqlite3').as_uri()}?mode=ro"
                with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=5)) as conn:
                    row = conn.execute(query.replace("%s", "?"), (pk,)).fetchone()
        except (psycopg.Error, sqlite3.Error) as exc:  # wait_for() retries a RuntimeError
            raise RuntimeError(f"job {pk} not readable: {exc}") from exc
        if row is None:
            raise RuntimeError(f"job {pk} not found")
        return str(row[0]), float(row[1])

    def job(self, pk: int) -> dict:
        r = self.python(snippets.JOB, str(pk), timeout=120)
        if r.returncode != 0:
            raise RuntimeError(r.stderr.strip().splitlines()[-1])
        return json.loads(r.stdout)

    def submit(self, study: str) -> tuple[int | None, str]:
        r = self.python(snippets.SUBMIT, study, timeout=300)
        if r.returncode == 0:
            return int(r.stdout.split()[-1]), ""
        last = (r.stderr.strip().splitlines() or ["?"])[-1]
        return None, last if len(last) <= 300 else f"{last[:300]}… ({len(last)} characters)"

    def close(self) -> None:
        for proc in (self.server, self.worker):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self.pg is not None:
            self.pg.stop()
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.data)], capture_output=True)


# ------------------------------------------------------------------------------------------- the users
class Client:
    """One browser-like session over http.client: cookies kept by hand (the production cookies are
    ``Secure``, which http.cookiejar would not send over the loopback's plain HTTP), the proxy's headers added."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: bytes | None = None, content_type: str = ""
    ) -> tuple[int, dict, bytes]:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "127.0.0.1",
            "Referer": self.origin + path,
            "Origin": self.origin,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        if content_type:
            headers["Content-Type"] = content_type
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S)
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        for raw in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = raw.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if resp.headers.get("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return resp.status, dict(resp.headers), data

    def login(self, username: str, password: str) -> None:
        status, _, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: HTTP {status}")
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1).decode()}
        ).encode()
        status, headers, _ = self.request("POST", "/login/", form, "application/x-www-form-urlencoded")
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in of {username}: HTTP {status}")


@dataclass
class Log:
    """What the users saw: every request's latency and outcome, every acknowledged write."""

    latencies: list[float] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    acks: list[dict] = field(default_factory=list)
    ack_times: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, latency: float, outcome: str) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.outcomes[outcome] += 1

    def ack(self, model: str, pk: int, fields: dict) -> None:
        with self.lock:
            self.acks.append({"model": model, "id": pk, "fields": fields})
            self.ack_times.append(time.monotonic())


class User(threading.Thread):
    """A technologist (with the physician who prescribes) recording administrations and constancy checks."""

    def __init__(self, n: int, port: int, ids: dict, log: Log, stop: threading.Event, run_tag: str) -> None:
        super().__init__(daemon=True, name=f"user-{n}")
        self.n, self.ids, self.log, self.stop, self.tag = n, ids, log, stop, run_tag
        self.tech, self.phys = Client(port), Client(port)

    def call(self, client: Client, method: str, path: str, body: dict | None = None, form: dict | None = None):
        """One request, retried (as a user would) while the server or database is away; None when stopping."""
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                if form is not None:
                    status, headers, data = client.request(
                        method, path, urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
                    )
                else:
                    status, headers, data = client.request(
                        method, path, json.dumps(body).encode() if body else None, "application/json" if body else ""
                    )
            except (OSError, http.client.HTTPException) as exc:
                self.log.record(time.monotonic() - t0, f"connection: {type(exc).__name__}")
                time.sleep(0.5)
                continue
            self.log.record(time.monotonic() - t0, f"HTTP {status}")
            if status >= 500 or status == 429:
                time.sleep(0.5)
                continue  # nothing acknowledged: the user tries again
            return status, headers, data
        return None

    def sign_in(self) -> bool:
        """Both sessions, once (a department signs in once a shift: not part of the measured load)."""
        try:
            self.tech.login("technologist", "demo-technologist-pass")
            self.phys.login("physician", "demo-physician-pass")
            return True
        except (RuntimeError, OSError) as exc:
            self.log.record(0.0, f"sign-in failed: {exc}")
            return False

    def run(self) -> None:
        if "sessionid" not in self.phys.cookies:
            return
        cycle = 0
        while not self.stop.is_set():
            cycle += 1
            if not self.administration(cycle) or self.stop.is_set():
                continue
            if cycle % 2 == 0:
                self.qc_result()

    def administration(self, cycle: int) -> bool:
        ids, at = self.ids, now_utc()
        mrn = f"DRL-{self.tag}-{self.n}-{cycle}"
        patient = {
            "mrn": mrn,
            "family_name": "Drill",
            "given_name": f"U{self.tag}n{self.n}c{cycle}",
            "birth_date": "1960-01-01",
            "sex": "M",
        }
        steps = [
            (self.tech, "/api/v1/patients", patient, "patients.Patient", {"mrn": mrn}),
            (
                self.phys,
                "/api/v1/prescriptions",
                {"protocol_id": ids["protocol_id"], "scheduled_for": at.isoformat(), "weight_kg": 70},
                None,
                None,
            ),
            (
                self.tech,
                "/api/v1/prescriptions/{p}/measurement",
                {
                    "activity_meter_id": ids["meter_id"],
                    "activity": "214 MBq",
                    "measured_at": (at - dt.timedelta(minutes=2)).isoformat(),
                },
                None,
                None,
            ),
            (
                self.tech,
                "/api/v1/prescriptions/{p}/checks",
                {
                    "patient_id": mrn,
                    "birth_date": "1960-01-01",
                    "previous_reaction": False,
                    "radiopharmaceutical_id": ids["radiopharmaceutical_id"],
                    "planned_at": at.isoformat(),
                },
                None,
                None,
            ),
            (
                self.tech,
                "/api/v1/prescriptions/{p}/administration",
                {"administered_at": at.isoformat(), "route": "iv", "extravasation": False},
                None,
                None,
            ),
        ]
        refs: dict[str, int] = {}
        for client, path, body, _, _ in steps:
            if "patient_id" not in body and path.endswith("prescriptions"):
                body = {**body, "patient_id": refs["patient"]}
            got = self.call(client, "POST", path.format(p=refs.get("prescription")), body)
            if got is None:
                return False
            status, _, data = got
            if status != 201:
                self.log.record(0.0, f"refused {path.split('/')[-1]}: {data[:80].decode(errors='replace')}")
                time.sleep(1.0)
                return False
            out = json.loads(data)
            if path.endswith("/patients"):
                refs["patient"] = out["id"]
                self.log.ack("patients.Patient", out["id"], {"mrn": mrn, "family_name": "Drill"})
            elif path.endswith("/prescriptions"):
                refs["prescription"] = out["id"]
                self.log.ack("patients.Prescription", out["id"], {"patient_id": refs["patient"]})
            elif path.endswith("/measurement"):
                self.log.ack("patients.DoseMeasurement", out["id"], {"prescription_id": refs["prescription"]})
            elif path.endswith("/administration"):
                self.log.ack(
                    "patients.Administration",
                    out["id"],
                    {
                        "prescription_id": refs["prescription"],
                        "administered_activity_Bq": out["administered_activity_MBq"] * 1e6,
                        "route": "iv",
                        "extravasation": False,
                    },
                )
        return True

    def qc_result(self) -> None:
        reading = self.ids["check_reading_MBq"] * (1 + 0.001 * (self.n % 5))
        at = now_utc()
        form = {
            "performed_at": at.strftime("%Y-%m-%dT%H:%M"),
            "reading": f"{reading:.4f} MBq",
            "comment": "drill",
            "csrfmiddlewaretoken": self.tech.cookies.get("csrftoken", ""),
        }
        got = self.call(self.tech, "POST", f"/equipment/qc/schedules/{self.ids['schedule_id']}/results/", form=form)
        if got is None:
            return
        status, headers, data = got
        m = re.search(r"/equipment/qc/results/(\d+)/", headers.get("Location", ""))
        if status != 302 or m is None:
            self.log.record(0.0, f"refused qc result: HTTP {status}")
            return
        self.log.ack(
            "equipment.QCResult", int(m.group(1)), {"schedule_id": self.ids["schedule_id"], "comment": "drill"}
        )


# ------------------------------------------------------------------------------------------- the faults
def wait_for(cond, timeout: float, step: float = 0.2) -> float | None:
    """Seconds until ``cond()`` is true, or None after ``timeout``."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            if cond():
                return time.monotonic() - t0
        except (RuntimeError, OSError, ValueError):
            pass
        time.sleep(step)
    return None


def first_ack_after(log: Log, t: float, timeout: float) -> float | None:
    return wait_for(lambda: any(x > t for x in log.ack_times[-200:]), timeout)


def kill_server(stack: Stack, log: Log) -> dict:
    """kill -9 of the server while writes are in flight (50 users: there always are), then start it again."""
    acks_before = len(log.acks)
    t0 = time.monotonic()
    os.kill(stack.server.pid, signal.SIGKILL)
    stack.server.wait()
    up = stack.start_server()
    return {
        "drill": "kill -9 server mid-write",
        "acks_before": acks_before,
        "restart_to_health_s": round(up, 2),
        # from the server's answer again: replies already on their way before the kill do not count
        "health_to_first_ack_s": _round(first_ack_after(log, t0 + up, 120)),
    }


def kill_worker(stack: Stack, log: Log, budget: float) -> dict:
    """kill -9 of `nmguard worker` in the middle of a dosimetry job (running, past its first progress step and not
    finished); a new worker finishes it."""
    pk, error = stack.submit("study-kill")
    if pk is None:
        return {"drill": "kill -9 worker mid-job", "ok": False, "error": error}

    def mid_job() -> bool:
        status, progress = stack.job_progress(pk)
        return status == "running" and 0.0 < progress < 1.0

    reached = wait_for(mid_job, budget, 0.02)
    if reached is None:
        return {
            "drill": "kill -9 worker mid-job",
            "ok": False,
            "error": f"job {pk} was never seen running mid-way",
            **stack.job(pk),
        }
    with stack.lock:
        os.kill(stack.worker.pid, signal.SIGKILL)
        _, killed_at_progress = stack.job_progress(pk)
        stack.worker.wait()
        stack.start_worker()
    done = wait_for(lambda: stack.job_progress(pk)[0] in ("succeeded", "failed"), 600, 0.5)
    final = stack.job(pk)
    return {
        "drill": "kill -9 worker mid-job",
        "job": pk,
        "killed_at_progress": round(killed_at_progress, 2),
        "status": final["status"],
        "attempts": final["attempts"],
        "message": final["message"],
        "kill_to_job_done_s": _round(done),
        "ok": final["status"] == "succeeded" and final["attempts"] == 2,
        "job_id": pk,
    }


def restart_postgres(stack: Stack, log: Log) -> dict:
    if stack.pg is None:
        return {"drill": "PostgreSQL restart", "skipped": "SQLite"}
    t0 = time.monotonic()
    stack.pg.restart()
    restarted = time.monotonic() - t0
    return {
        "drill": "PostgreSQL restart",
        "pg_ctl_restart_s": round(restarted, 2),
        "to_first_ack_s": _round(first_ack_after(log, t0 + restarted, 120)),
    }


def full_disk(stack: Stack, log: Log, hold_s: float) -> dict:
    """Fill the data folder's file system, queue a job (its study is copied into the job store: ENOSPC), keep the
    users working for ``hold_s``, free the space, queue it again."""
    if not stack.mounted:
        return {
            "drill": "full data disk",
            "skipped": f"no size-limited file system could be mounted ({getattr(stack, 'mount_error', 'not root')})",
        }
    filler = stack.data / "filler"
    chunk = b"\0" * (1 << 20)
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(chunk)
        except OSError:
            pass
    # the last partial chunks too: a really full disk
    with open(stack.data / "filler2", "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass
    acks0, t0 = len(log.acks), time.monotonic()
    pk, error = stack.submit("study-disk")
    full_job = stack.job(pk) if pk is not None else None
    time.sleep(max(0.0, hold_s - (time.monotonic() - t0)))
    acks_while_full = len(log.acks) - acks0
    filler.unlink()
    (stack.data / "filler2").unlink()
    pk2, error2 = (pk, "") if pk is not None else stack.submit("study-disk")
    done = wait_for(lambda: stack.job(pk2)["status"] in ("succeeded", "failed"), 600, 0.5) if pk2 else None
    return {
        "drill": "full data disk",
        "submit_while_full": error or f"queued job {pk}: {full_job}",
        "acks_while_full": acks_while_full,
        "full_for_s": round(hold_s, 1),
        "job_after_space_freed": stack.job(pk2) if pk2 else error2,
        "to_job_done_s": _round(done),
        "ok": bool(pk2) and stack.job(pk2)["status"] == "succeeded",
        "job_id": pk2,
    }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


# ------------------------------------------------------------------------------------------- the run
def verify_writes(env: dict, acks: list[dict], work: Path) -> dict:
    """Every acknowledged write checked against the database of ``env`` (snippets.VERIFY in a child)."""
    acks_file = work / "acks.json"
    acks_file.write_text(json.dumps(acks))
    v = subprocess.run(
        [sys.executable, "-c", snippets.VERIFY, str(acks_file)], env=env, capture_output=True, text=True, timeout=600
    )
    if v.returncode != 0:
        return {"ok": False, "problems": [f"verification crashed: {v.stderr.strip()[-800:]}"]}
    return json.loads(v.stdout.splitlines()[-1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def run_drill(
    *, seconds: float, users: int, database: str, faults: bool, out: Path, tmpfs_mb: int = 256, keep: bool = False
) -> dict:
    """The whole drill; returns the figures (also written to ``out``/drill.json and drill.md). The work folder
    (database, logs, acks.json) is removed after a clean run unless ``keep``; its environment is in
    ``figures["env"]`` then."""
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="nmguard-drill-"))
    os.chmod(work, 0o755)
    tag = secrets.token_hex(3)
    stack = Stack(database, work, tmpfs_mb if faults else 0)
    figures: dict = {
        "database": database,
        "users": users,
        "seconds": seconds,
        "faults": faults,
        "cpus": os.cpu_count(),
        "work": str(work),
    }
    load: list[tuple[float, float, float]] = []
    try:
        setup = stack.nmguard("demo", "--no-serve")
        if setup.returncode != 0:
            raise RuntimeError(f"demo set-up failed: {setup.stderr.strip()[-500:]}")
        r = stack.python(snippets.SETUP, *(["study-kill", "study-disk"] if faults else []))
        if r.returncode != 0:
            raise RuntimeError(f"drill set-up failed: {r.stderr.strip()[-500:]}")
        ids = json.loads(r.stdout.splitlines()[-1])
        figures["server_start_s"] = round(stack.start_server(), 2)
        stack.start_worker()
        log, stop = Log(), threading.Event()
        crowd = [User(n, stack.port, ids, log, stop, tag) for n in range(users)]
        # today's constancy check first: without it the activity meter is blocked and every measurement refused
        opener = User(users, stack.port, ids, log, stop, tag)
        opener.tech.login("technologist", "demo-technologist-pass")
        opener.qc_result()
        t0 = time.monotonic()
        signing = [threading.Thread(target=u.sign_in) for u in crowd]
        for t in signing:
            t.start()
        for t in signing:
            t.join()
        figures["sign_in_all_users_s"] = round(time.monotonic() - t0, 1)
        t_start = time.monotonic()
        for u in crowd:
            u.start()
        sampler_stop = threading.Event()

        def sample() -> None:
            while not sampler_stop.wait(5):
                load.append(os.getloadavg())

        threading.Thread(target=sample, daemon=True).start()
        exits: list[dict] = []
        threading.Thread(target=stack.supervise, args=(sampler_stop, exits), daemon=True).start()
        drills = []
        if faults:
            plan = [
                (0.15, lambda: kill_server(stack, log)),
                (0.30, lambda: kill_worker(stack, log, seconds * 0.3)),
                (0.55, lambda: restart_postgres(stack, log)),
                (0.70, lambda: full_disk(stack, log, max(5.0, seconds * 0.1))),
            ]
            for at, drill in plan:
                time.sleep(max(0.0, t_start + at * seconds - time.monotonic()))
                t0 = time.monotonic()
                result = drill()
                result["at_s"] = round(t0 - t_start, 1)
                drills.append(result)
                print(json.dumps(result), flush=True)
        time.sleep(max(0.0, t_start + seconds - time.monotonic()))
        stop.set()
        for u in crowd:
            u.join(REQUEST_TIMEOUT_S + 5)
        elapsed = time.monotonic() - t_start
        # stop the worker only once its jobs are done (a job still running is a finding, not a stop condition)
        wait_for(
            lambda: all(stack.job(d["job_id"])["status"] in ("succeeded", "failed") for d in drills if d.get("job_id")),
            300,
            1.0,
        )
        sampler_stop.set()
        verify = verify_writes(stack.env, log.acks, work)
        a = stack.nmguard("audit", "verify", "--json", timeout=600)
        try:
            audit = json.loads(a.stdout)
        except ValueError:
            audit = {"ok": False, "error": (a.stdout + a.stderr)[-800:]}
        lat = log.latencies
        writes = Counter(x["model"] for x in log.acks)
        figures.update(
            elapsed_s=round(elapsed, 1),
            requests=len(lat),
            requests_per_s=round(len(lat) / elapsed, 1),
            acknowledged_writes=len(log.acks),
            acknowledged_by_kind=dict(writes),
            administrations_per_min=round(writes["patients.Administration"] / elapsed * 60, 1),
            latency_ms={f"p{q}": round(percentile(lat, q) * 1000, 1) for q in (50, 95, 99)}
            | {
                "mean": round(statistics.fmean(lat) * 1000, 1) if lat else None,
                "max": round(max(lat) * 1000, 1) if lat else None,
            },
            outcomes=dict(log.outcomes.most_common()),
            drills=drills,
            unplanned_exits=exits,
            verify=verify,
            audit_verify_ok=audit.get("ok"),
            audit_verify=audit if not audit.get("ok") else {k: audit[k] for k in list(audit)[:8]},
            loadavg_1min={
                "mean": round(statistics.fmean(x[0] for x in load), 2) if load else None,
                "max": round(max(x[0] for x in load), 2) if load else None,
            },
        )
        figures["ok"] = bool(verify.get("ok") and audit.get("ok") and all(d.get("ok", True) for d in drills))
        figures["acks"] = log.acks
    finally:
        stack.close()
        if keep:
            figures["env"] = stack.env
        elif figures.get("ok"):
            shutil.rmtree(work, ignore_errors=True)
    (out / "drill.json").write_text(
        json.dumps({k: v for k, v in figures.items() if k not in ("env", "acks")}, indent=2, default=str)
    )
    (out / "drill.md").write_text(markdown(figures))
    return figures


def markdown(f: dict) -> str:
    """The figures as the table docs/reliability.md quotes."""
    lat = f.get("latency_ms", {})
    rows = [
        ("database", f["database"]),
        ("simulated users", f["users"]),
        ("load duration (s)", f.get("elapsed_s")),
        ("CPUs (shared with other work)", f["cpus"]),
        (
            "1-min load average mean / max",
            f"{f.get('loadavg_1min', {}).get('mean')} / {f.get('loadavg_1min', {}).get('max')}",
        ),
        ("requests", f.get("requests")),
        ("requests/s", f.get("requests_per_s")),
        ("acknowledged writes", f.get("acknowledged_writes")),
        ("administrations/min", f.get("administrations_per_min")),
        (
            "latency p50 / p95 / p99 / max (ms)",
            f"{lat.get('p50')} / {lat.get('p95')} / {lat.get('p99')} / {lat.get('max')}",
        ),
        ("outcomes", ", ".join(f"{k}: {v}" for k, v in f.get("outcomes", {}).items())),
        (
            "acknowledged writes lost or changed",
            len([p for p in f.get("verify", {}).get("problems", []) if p.startswith(("lost", "changed"))]),
        ),
        ("verification", "ok" if f.get("verify", {}).get("ok") else f.get("verify", {}).get("problems")),
        ("nmguard audit verify", "ok" if f.get("audit_verify_ok") else "FAILED"),
    ]
    text = "| figure | value |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in rows)
    for e in f.get("unplanned_exits", []):
        text += f"\n- **unplanned exit** of the {e['process']} at {e['at']} (exit code {e['exit_code']}), restarted"
    for d in f.get("drills", []):
        text += f"\n- **{d['drill']}** at {d.get('at_s')} s: " + ", ".join(
            f"{k} = {v}" for k, v in d.items() if k not in ("drill", "at_s", "job_id")
        )
    return text + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=float(os.environ.get("DRILL_SECONDS", "300")))
    p.add_argument("--users", type=int, default=int(os.environ.get("DRILL_USERS", "50")))
    p.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    p.add_argument("--no-faults", action="store_true")
    p.add_argument("--out", type=Path, default=Path("out/drills"))
    args = p.parse_args(argv)
    if args.seconds <= 0 or args.users <= 0:
        print("drill: --seconds and --users must be positive", file=sys.stderr)
        return 2
    figures = run_drill(
        seconds=args.seconds, users=args.users, database=args.database, faults=not args.no_faults, out=args.out
    )
    print(markdown(figures))
    print(f"figures: {args.out / 'drill.json'}")
    return 0 if figures.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
