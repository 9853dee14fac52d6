"""Records at a million: every list page, the dashboard, the busy day's worklist, the DRL page and the list
APIs, timed with an authenticated Django test client over N administrations.

    .venv/bin/python bench/records_pages.py --n 100000            # SQLite, a fresh file in a temp folder
    .venv/bin/python bench/records_pages.py --n 100000 --postgres  # a throw-away PostgreSQL server

Baseline (per page): the bare query a competent Django user would write for what the page shows, the
ORM queryset with the page's ordering and joins, first page (50 rows) evaluated into a list; for the
worklist the whole day; for the DRL page the protocol's administrations of the period, values fetched;
for the dashboard the department's counts. Both sides run interleaved in this one process (one thread:
the test client serves in-process), rounds rotated; each page reports p50 and p95 of the page time, the
baseline's p50 and page / query at the median, and the load (os.getloadavg) around it. Goals (issue 14):
p95 < 200 ms a page on PostgreSQL, < 500 ms on SQLite.

The database is built by ``_records_builder`` (demo department through the real services, then N cloned
administrations with their audit events, bulk-written); build time is printed, not part of the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _setup(postgres: bool, data_dir: str) -> None:
    if not postgres:
        os.environ.pop("NMGUARD_DATABASE_URL", None)
    os.environ["NMGUARD_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="nmguard-records-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nmguard.web.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host is allowed; e-mail kept in memory


def _pages(day) -> dict[str, tuple[str, object]]:
    """URL and baseline (a callable doing the bare query) per page."""
    import datetime as dt

    from django.utils import timezone

    from nmguard.apps.core.models import AuditEvent
    from nmguard.apps.equipment.models import QCResult
    from nmguard.apps.patients.models import Administration, MedicalEvent, Patient, Prescription
    from nmguard.apps.radiopharmacy.models import Batch
    from nmguard.apps.therapy.models import DosimetryJob

    first = 50
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    since = timezone.now() - dt.timedelta(days=365)
    return {
        "patients": (
            "/administrations/patients/",
            lambda: list(Patient.objects.order_by("family_name", "given_name", "pk")[:first]),
        ),
        "prescriptions": (
            "/administrations/prescriptions/",
            lambda: list(
                Prescription.objects.select_related("patient", "protocol").order_by("-scheduled_for", "-pk")[:first]
            ),
        ),
        "medical events": (
            "/administrations/medical-events/",
            lambda: list(
                MedicalEvent.objects.select_related("administration__prescription__patient").order_by("-detected_at")[
                    :first
                ]
            ),
        ),
        "worklist (busy day)": (
            f"/administrations/?day={day.isoformat()}",
            lambda: list(
                Prescription.objects.filter(scheduled_for__gte=start, scheduled_for__lt=start + dt.timedelta(days=1))
                .select_related("patient", "protocol__radiopharmaceutical")
                .order_by("scheduled_for")
            ),
        ),
        "DRL (365 days)": (
            "/administrations/drl/",
            lambda: list(
                Administration.objects.filter(administered_at__gte=since).values_list(
                    "prescription__protocol_id", "administered_activity_Bq"
                )
            ),
        ),
        "hot-lab batches": ("/hotlab/batches/", lambda: list(Batch.objects.order_by("-prepared_at", "-pk")[:first])),
        "QC results": (
            "/equipment/qc/results/",
            lambda: list(QCResult.objects.order_by("-performed_at", "-pk")[:first]),
        ),
        "dosimetry jobs": (
            "/therapy/dosimetry/",
            lambda: list(DosimetryJob.objects.order_by("-created_at", "-pk")[:first]),
        ),
        "audit trail": ("/audit/", lambda: list(AuditEvent.objects.select_related("actor").order_by("-seq")[:first])),
        "dashboard": (
            "/",
            lambda: [Prescription.objects.filter(scheduled_for__gte=start).count(), MedicalEvent.objects.count()],
        ),
        "API medical events": ("/api/v1/medical-events", lambda: list(MedicalEvent.objects.all())),
        "API dosimetry jobs": ("/api/v1/dosimetry/jobs", lambda: list(DosimetryJob.objects.all()[:first])),
        "API hot-lab waste": ("/api/v1/hotlab/waste", None),
        "API hot-lab holdings": ("/api/v1/hotlab/holdings", None),
    }


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="administrations (default 1,000,000)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--postgres", action="store_true", help="run against a throw-away PostgreSQL server")
    parser.add_argument("--only", default="", help="comma-separated page names (default: all)")
    parser.add_argument(
        "--data-dir", default="", help="SQLite: time the database an earlier run built in this folder (no build)"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.rounds < 2:
        print("error: --n must be at least 1 and --rounds at least 2", file=sys.stderr)
        return 2
    if args.postgres and not os.environ.get("NMGUARD_DATABASE_URL"):
        script = ROOT / "scripts" / "with-postgres.sh"
        os.execv(str(script), [str(script), sys.executable, *sys.argv])
    reuse = bool(args.data_dir) and (Path(args.data_dir) / "nmguard.sqlite3").exists()
    if args.data_dir and (args.postgres or not reuse):
        print("error: --data-dir needs a folder holding nmguard.sqlite3 from an earlier run (SQLite)", file=sys.stderr)
        return 2
    _setup(args.postgres, args.data_dir)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from _harness import interleave
    from _records_builder import PER_DAY, build
    from nmguard.apps.core.demo import load_demo
    from nmguard.apps.core.models import User

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    if reuse:
        from nmguard.apps.patients.models import Administration

        counts, t1 = {"administrations (reused)": Administration.objects.count()}, time.perf_counter()
        args.n = counts["administrations (reused)"]
    else:
        load_demo()
        t1 = time.perf_counter()
        counts = build(args.n)
    t2 = time.perf_counter()
    print(
        f"== records at N={args.n:,} on {connection.vendor} ({connection.settings_dict['NAME']})\n"
        f"  built: {', '.join(f'{v:,} {k}' for k, v in counts.items())}\n"
        f"  migrate + demo {t1 - t0:.0f} s, bulk build {t2 - t1:.0f} s; busy day: {PER_DAY} prescriptions today",
        flush=True,
    )
    client = Client()
    client.force_login(User.objects.get(username="administrator"))
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    goal = 0.2 if connection.vendor == "postgresql" else 0.5
    print(f"  {'page':<22} {'status':>6} {'KB':>7} {'p50':>9} {'p95':>9} {'query p50':>10} {'page/query':>10}  goal")
    for name, (url, baseline) in _pages(timezone.localdate()).items():
        if only and name not in only:
            continue
        response = client.get(url)
        size = len(response.content) if not response.streaming else 0
        sides = {"page": lambda url=url: client.get(url)}
        if baseline is not None:
            sides["query"] = baseline
        result = interleave(sides, rounds=args.rounds)
        page, query = result.sides["page"], result.sides.get("query")
        p95 = _p95(page.wall)
        q = f"{query.median * 1e3:>8.1f}ms {page.median / query.median:>9.1f}x" if query else f"{'-':>10} {'-':>10}"
        print(
            f"  {name:<22} {response.status_code:>6} {size / 1024:>7.0f} {page.median * 1e3:>7.1f}ms"
            f" {p95 * 1e3:>7.1f}ms {q}  {'met' if p95 < goal else 'MISSED'}"
            f"  (load {result.load_before[0]:.2f}->{result.load_after[0]:.2f})",
            flush=True,
        )
    cores = len(os.sched_getaffinity(0))
    print(f"  rounds: {args.rounds} per page, interleaved with the baseline; {cores} cores; load {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
