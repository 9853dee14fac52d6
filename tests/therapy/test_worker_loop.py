"""`nmguard worker` waits and reconnects when the database is away, instead of exiting (a drill found it exiting
on a PostgreSQL restart, issue 12 item 8). The outage is simulated at the worker's two database calls; the real
restart is in `make drills`."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from nmguard.apps.therapy import dosimetry_jobs, worker_loop

pytestmark = pytest.mark.django_db


class Outage:
    """``recover_interrupted_jobs`` fails ``times`` times with the error PostgreSQL gives while it restarts."""

    def __init__(self, times: int) -> None:
        self.left, self.calls = times, 0

    def __call__(self) -> int:
        self.calls += 1
        if self.left:
            self.left -= 1
            raise OperationalError("server closed the connection unexpectedly\n\tThis probably means ...")
        return 0


def test_the_worker_retries_through_an_outage_then_runs_the_queue(monkeypatch):
    outage, polled, slept, said, warned = Outage(times=3), [], [], [], []
    monkeypatch.setattr(dosimetry_jobs, "recover_interrupted_jobs", outage)
    monkeypatch.setattr(dosimetry_jobs, "run_next_job", lambda: polled.append("poll"))  # the queue: empty
    worker_loop.run_worker(poll_s=0.25, once=True, say=said.append, warn=warned.append, sleep=slept.append)
    assert len(warned) == 3 and all(w.startswith("database unavailable (server closed the connection") for w in warned)
    assert all("\n" not in w for w in warned)  # one line each
    assert slept == [0.25, 0.25, 0.25]  # one poll interval per failed attempt
    assert outage.calls == 4 and polled == ["poll"]  # once back, it polled the queue; --once: stopped when empty
    assert said == []


def test_jobs_of_a_dead_worker_are_announced(monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(dosimetry_jobs, "recover_interrupted_jobs", iter([2, 0]).__next__)
    monkeypatch.setattr(dosimetry_jobs, "run_next_job", lambda: None)
    worker_loop.run_worker(poll_s=1, once=True, say=said.append, warn=said.append, sleep=lambda s: None)
    assert said == ["2 job(s) interrupted by a stopped worker put back in the queue"]


def test_the_worker_reports_each_job_it_ran(monkeypatch):
    from types import SimpleNamespace

    said: list[str] = []
    finished = [
        SimpleNamespace(pk=7, status="succeeded", message=""),
        SimpleNamespace(pk=8, status="failed", message="no CT"),
    ]
    queue = iter([*finished, None])
    monkeypatch.setattr(dosimetry_jobs, "recover_interrupted_jobs", lambda: 0)
    monkeypatch.setattr(dosimetry_jobs, "run_next_job", lambda: next(queue))
    worker_loop.run_worker(poll_s=1, once=True, say=said.append, warn=said.append, sleep=lambda s: None)
    assert said == ["job 7: succeeded", "job 8: failed - no CT"]
