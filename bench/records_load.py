"""50 users at once on the records database: the real server (``nmguard serve``: waitress, one process,
8 threads, production settings behind a trusted proxy) in a subprocess, signed-in sessions hitting the
everyday pages over HTTP from threads in this process.

    .venv/bin/python bench/records_load.py                                 # small: N=2,000, 15 s per phase
    .venv/bin/python bench/records_load.py --n 100000 --seconds 60 --rounds 2
    .venv/bin/python bench/records_load.py --data-dir /tmp/db --seconds 60  # SQLite built by an earlier run
    .venv/bin/python bench/records_load.py --n 100000 --postgres           # throw-away PostgreSQL server

What is compared (interleaved, order alternating between rounds, same database): the server as it was
before issue 14 item 5 ("before": ``ATOMIC_REQUESTS``, so every request, GETs included, in one transaction,
which on SQLite begins IMMEDIATE and takes the write lock) and as it is now ("after":
``nmguard.web.transactions``, reads in autocommit, unsafe requests in one transaction). "before" is the
production settings with those two lines put back, written to a settings module in a temporary folder.

Per server start: the baseline, one user alone requesting the mix back to back (no think time: the page's
own time on an otherwise idle server), then for each think-time range of ``--think`` the ``--users`` sessions
at once, each looping over the mix in a random order for ``--seconds``, thinking a time drawn uniformly from
the range between pages (default 0.5 to 1.5 s: every user clicking about once a second, a stress test; e.g.
``--think 0.5,1.5/5,15`` adds a department's pace, a page every ~10 s).
Sessions sign in through the real login form (CSRF token from the page,
``Client.login`` of tools/drills/drill.py), rotating over the demo users, so the roles' own permissions
apply (the audit trail only for the roles that may read it). Clients use keep-alive connections
(http.client). Reported per page and overall: p50/p95/p99, requests/s, errors (any answer but 200, or no
answer), the server's and this process's CPU seconds (the load generator shares the machine's cores), the
core count and the load (os.getloadavg). Goal (issue 14): 50 users p95 < 500 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tools.drills.drill import Client, free_port  # noqa: E402 - after the path

NEW = "nmguard.web.settings_production"
OLD = "nmguard_settings_before_issue14"
OLD_SETTINGS = f'''"""The production settings as they were before issue 14 item 5 (written by bench/records_load.py)."""
from {NEW} import *  # noqa: F403

DATABASES["default"]["ATOMIC_REQUESTS"] = True  # noqa: F405
MIDDLEWARE = [m for m in MIDDLEWARE if m != "nmguard.web.transactions.UnsafeRequestTransactionMiddleware"]  # noqa: F405
'''


@dataclass
class Tally:
    """One phase's answers: latencies per page, errors, how long, CPU of the server and of this process."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, other: Tally) -> None:
        for page, values in other.latencies.items():
            self.latencies[page].extend(values)
        self.errors.update(other.errors)
        self.seconds += other.seconds
        self.server_cpu += other.server_cpu
        self.client_cpu += other.client_cpu

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return (values[0],) * 3 if values else (float("nan"),) * 3
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49], q[94], q[98]


def _cpu_of(pid: int) -> float:
    """User + system seconds of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """``python -m nmguard serve`` with the given settings module, on a free loopback port."""

    def __init__(self, env: dict[str, str], settings_module: str, log: Path) -> None:
        self.port = free_port()
        self.log = log
        env = {**env, "DJANGO_SETTINGS_MODULE": settings_module}
        with open(log, "a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "nmguard", "serve", "--port", str(self.port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        t0 = time.monotonic()
        while time.monotonic() - t0 < 120:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped at start: see {log}")
            try:
                if Client(self.port).request("GET", "/api/v1/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within 120 s: see {log}")

    def cpu(self) -> float:
        return _cpu_of(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _sign_in(port: int, users: int, mix: dict[str, str]) -> list[tuple[Client, dict[str, str]]]:
    """``users`` sessions through the login form, rotating over the demo users; each session's mix is the
    pages its role may open (probed once per role, untimed)."""
    from nmguard.apps.core.demo import DEMO_USERS

    allowed: dict[str, dict[str, str]] = {}
    sessions = []
    for i in range(users):
        username, password, _ = DEMO_USERS[i % len(DEMO_USERS)]
        client = Client(port)
        client.login(username, password)
        if username not in allowed:
            allowed[username] = {n: u for n, u in mix.items() if client.request("GET", u.format(pk=1))[0] != 403}
        sessions.append((client, allowed[username]))
    return sessions


def _loop(client: Client, pages: dict[str, str], pks: list[int], until: float, think: tuple[float, float],
          tally: Tally, rng: random.Random) -> None:  # fmt: skip
    """One user: the mix in a random order, again and again until ``until``, thinking between pages. Users
    start at a random moment within one think time, as a department's do, not all in the same instant."""
    time.sleep(min(rng.uniform(0, think[1]), max(0.0, until - time.monotonic())))
    while True:
        order = list(pages.items())
        rng.shuffle(order)
        for name, url in order:
            if time.monotonic() >= until:
                return
            t0 = time.perf_counter()
            try:
                status = client.request("GET", url.format(pk=rng.choice(pks)))[0]
            except (OSError, http.client.HTTPException) as exc:  # no answer: counted, the user goes on
                status = type(exc).__name__
            elapsed = time.perf_counter() - t0
            with tally.lock:
                tally.latencies[name].append(elapsed)
                if status != 200:
                    tally.errors[f"{name}: {status}"] += 1
            if think[1] > 0:
                time.sleep(rng.uniform(*think))


def _phase(server: Server, sessions, pks: list[int], seconds: float, think: tuple[float, float]) -> Tally:
    """All ``sessions`` at once for ``seconds`` (threads), with the CPU each side used."""
    tally = Tally()
    cpu0, own0, t0 = server.cpu(), time.process_time(), time.monotonic()
    until = t0 + seconds
    threads = [
        threading.Thread(target=_loop, args=(c, pages, pks, until, think, tally, random.Random(i)))
        for i, (c, pages) in enumerate(sessions)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tally.seconds = time.monotonic() - t0
    tally.server_cpu, tally.client_cpu = server.cpu() - cpu0, time.process_time() - own0
    return tally


def _mix(today: str) -> dict[str, str]:
    return {
        "dashboard": "/",
        "patients": "/administrations/patients/",
        "prescriptions today": f"/administrations/prescriptions/?from={today}&to={today}",
        "worklist": "/administrations/",
        "QC results": "/equipment/qc/results/",
        "medical events": "/administrations/medical-events/",
        "audit trail": "/audit/",
        "patient page": "/administrations/patients/{pk}/",
    }


def _print_tally(title: str, tally: Tally) -> None:
    every = [v for values in tally.latencies.values() for v in values]
    print(f"  {title}: {tally.requests:,} requests in {tally.seconds:.0f} s = {tally.requests / tally.seconds:.1f}/s, "
          f"errors {sum(tally.errors.values())}; CPU s: server {tally.server_cpu:.1f}, load generator "
          f"{tally.client_cpu:.1f}")  # fmt: skip
    print(f"    {'page':<20} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, values in [*sorted(tally.latencies.items()), ("overall", every)]:
        p50, p95, p99 = _percentiles(values)
        print(f"    {name:<20} {len(values):>6} {p50 * 1e3:>8.0f} {p95 * 1e3:>8.0f} {p99 * 1e3:>8.0f}")
    for error, n in tally.errors.most_common(8):
        print(f"    error {error} x{n}")


def _prepare(args: argparse.Namespace) -> tuple[dict[str, str], list[int], str]:
    """Build (or reuse) the database in this process; the server's environment, patient ids, today."""
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="nmguard-load-")
    os.environ["NMGUARD_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "nmguard.web.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from _records_builder import build
    from nmguard.apps.core.demo import load_demo
    from nmguard.apps.patients.models import Administration, Patient

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    if not args.data_dir:
        load_demo()
        build(args.n, progress=False)
    n = Administration.objects.count()
    print(f"== records load on {connection.vendor}, N={n:,} administrations ({data_dir}); "
          f"{'built in ' + format(time.perf_counter() - t0, '.0f') + ' s' if not args.data_dir else 'reused'}",
          flush=True)  # fmt: skip
    rng = random.Random(14)
    ids = list(Patient.objects.values_list("pk", flat=True))
    pks = rng.sample(ids, min(500, len(ids)))
    today = timezone.localdate().isoformat()
    connection.close()
    settings_dir = tempfile.mkdtemp(prefix="nmguard-load-settings-")
    Path(settings_dir, f"{OLD}.py").write_text(OLD_SETTINGS)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        NMGUARD_DATA_DIR=data_dir,
        PYTHONPATH=os.pathsep.join(p for p in (settings_dir, env.get("PYTHONPATH", "")) if p),
        NMGUARD_SECRET_KEY=secrets.token_urlsafe(64),
        NMGUARD_ALLOWED_HOSTS="127.0.0.1",
        NMGUARD_TRUSTED_PROXY="127.0.0.1",  # the client plays the TLS proxy: X-Forwarded-Proto: https
    )
    return env, pks, today


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="administrations to build (default 2,000)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0, help="the users' phase, per round (default 15)")
    parser.add_argument("--single-seconds", type=float, default=5.0, help="the one-user baseline (default 5)")
    parser.add_argument("--think", default="0.5,1.5", help="think time ranges, s: 'low,high[/low,high]'")
    parser.add_argument("--rounds", type=int, default=1, help="server starts per side (default 1)")
    parser.add_argument("--sides", default="before,after", help="which server settings (default before,after)")
    parser.add_argument("--postgres", action="store_true", help="run against a throw-away PostgreSQL server")
    parser.add_argument("--data-dir", default="", help="SQLite: a folder holding a database built earlier")
    args = parser.parse_args(argv)
    try:
        thinks = [tuple(float(x) for x in t.split(",")) for t in args.think.split("/")]
        sides = [s.strip() for s in args.sides.split(",") if s.strip()]
        if any(len(t) != 2 or not 0 <= t[0] <= t[1] for t in thinks) or set(sides) - {"before", "after"} or not sides:
            raise ValueError
    except ValueError:
        print("error: --think takes 'low,high' seconds ('a,b/c,d': several), --sides before/after", file=sys.stderr)
        return 2
    if args.n < 1 or args.users < 1 or args.seconds <= 0 or args.single_seconds <= 0 or args.rounds < 1:
        print("error: --n, --users, --rounds at least 1; --seconds, --single-seconds above 0", file=sys.stderr)
        return 2
    if args.data_dir and (args.postgres or not (Path(args.data_dir) / "nmguard.sqlite3").exists()):
        print("error: --data-dir needs a folder holding nmguard.sqlite3 from an earlier run (SQLite)", file=sys.stderr)
        return 2
    if args.postgres and not os.environ.get("NMGUARD_DATABASE_URL"):
        script = ROOT / "scripts" / "with-postgres.sh"
        os.execv(str(script), [str(script), sys.executable, *sys.argv])
    if not args.postgres:
        os.environ.pop("NMGUARD_DATABASE_URL", None)

    from _harness import interleave

    env, pks, today = _prepare(args)
    mix = _mix(today)
    logs = Path(tempfile.mkdtemp(prefix="nmguard-load-logs-"))
    results = {side: (Tally(), [Tally() for _ in thinks]) for side in sides}

    def run(side: str) -> None:
        server = Server(env, OLD if side == "before" else NEW, logs / f"server-{side}.log")
        try:
            sessions = _sign_in(server.port, args.users, mix)
            single = _phase(server, [max(sessions, key=lambda s: len(s[1]))], pks, args.single_seconds, (0.0, 0.0))
            many = [_phase(server, sessions, pks, args.seconds, think) for think in thinks]
        finally:
            server.stop()
        results[side][0].add(single)
        for total, tally in zip(results[side][1], many, strict=True):
            total.add(tally)
        rates = ", ".join(f"{t.requests / t.seconds:.1f}" for t in many)
        print(f"  round done: {side}, {rates} requests/s, load {os.getloadavg()[0]:.2f}", flush=True)

    result = interleave({side: lambda side=side: run(side) for side in sides}, rounds=args.rounds, warmup=0)
    cores = len(os.sched_getaffinity(0))
    for side in sides:
        single, many = results[side]
        what = "every request in a transaction" if side == "before" else "reads in autocommit, writes in one"
        print(f"== {side}: {what}")
        _print_tally("baseline, 1 user back to back", single)
        for think, tally in zip(thinks, many, strict=True):
            _print_tally(f"{args.users} users, think {think[0]}-{think[1]} s", tally)
    loads = "/".join(f"{v:.2f}" for v in result.load_before), "/".join(f"{v:.2f}" for v in result.load_after)
    print(f"  rounds: {args.rounds} per side, interleaved; {cores} cores, load before {loads[0]}, after {loads[1]}"
          f" (1/5/15 min); server logs in {logs}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
