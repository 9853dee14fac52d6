"""Running the dosimetry job queue on a Dask distributed cluster (a regional network's compute nodes).

Every node reaches the same database (PostgreSQL in a network; an SQLite file on one machine) and the same data
folder (the jobs' stored inputs and outputs). Each Dask task drains the queue inside its worker process: it
claims the oldest queued job with the queue's atomic claim and runs it, until none is left. Because a job can
be claimed by one worker only, every job runs and lands in the database exactly once, however many tasks and
workers there are; a node that dies mid-job leaves a lease that runs out (see ``dosimetry_jobs``).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from nmguard.errors import InputError


def drain_queue(data_dir: str) -> list[dict[str, Any]]:
    """One Dask task, in a worker process: run queued jobs until the queue is empty; (job, status) per job."""
    from nmguard.cli.service import setup_django

    setup_django(Path(data_dir))
    from django.db import close_old_connections

    from nmguard.apps.therapy.dosimetry_jobs import recover_interrupted_jobs, run_next_job

    worker = f"dask:{socket.gethostname()}:{os.getpid()}"
    ran = []
    try:
        recover_interrupted_jobs()
        while (job := run_next_job(worker)) is not None:
            ran.append({"job": job.pk, "status": job.status, "worker": worker, "message": job.message})
    finally:
        close_old_connections()
    return ran


def run_queue_on_cluster(address: str, data_dir: str | Path, tasks: int) -> list[dict[str, Any]]:
    """Send ``tasks`` queue-draining tasks to the Dask scheduler at ``address`` and wait for them."""
    try:
        from dask.distributed import Client
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise InputError("the 'distributed' package is not installed", "dask") from None
    if tasks < 1:
        raise InputError("at least one task", "tasks")
    try:
        client = Client(address, timeout="10s")
    except OSError as exc:
        raise InputError(f"no Dask scheduler answers at {address}: {exc}", "dask") from None
    with client:
        futures = [client.submit(drain_queue, str(data_dir), pure=False) for _ in range(tasks)]
        return [row for rows in client.gather(futures) for row in rows]
