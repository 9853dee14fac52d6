"""The loop of ``nmguard worker``: recover abandoned jobs, run the next queued one, wait, again.

A database that goes away (PostgreSQL restarting, a network cut to a department server) must not end the
worker: systemd would restart it, but a worker started by hand would simply be gone, and queued jobs would wait
for nobody. So an ``OperationalError`` closes this process's connections, waits one poll and tries again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import OperationalError, close_old_connections, connections

from nmguard.apps.therapy import dosimetry_jobs
from nmguard.apps.therapy.models import DosimetryJob


def run_worker(
    *,
    poll_s: float,
    once: bool,
    say: Callable[[str], None],
    warn: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Run queued jobs until stopped (``once``: until the queue is empty). ``say`` reports each finished job,
    ``warn`` each time the database could not be reached."""
    while True:
        try:
            # at start, and on every poll: another worker may have died meanwhile (its lease runs out)
            if recovered := dosimetry_jobs.recover_interrupted_jobs():
                say(f"{recovered} job(s) interrupted by a stopped worker put back in the queue")
            job = dosimetry_jobs.run_next_job()
        except OperationalError as exc:
            warn(f"database unavailable ({' '.join(str(exc).split())[:120]}); retrying")
            for conn in connections.all():
                conn.close()
            sleep(poll_s)
            continue
        finally:
            close_old_connections()
        if job is not None:
            say(_finished(job))
            continue
        if once:
            return
        sleep(poll_s)


def _finished(job: DosimetryJob) -> str:
    return f"job {job.pk}: {job.status}{' - ' + job.message if job.message else ''}"
