"""kill -9 of `nmguard worker` in the middle of a dosimetry run, as it happens on a real server: the next worker
start puts the job back in the queue and runs it to the end (issue 12 item 4). Separate processes and a real
database file, as a user runs them."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

SUBMIT = textwrap.dedent(
    """
    import sys
    from nmguard.cli.service import setup_django
    setup_django(sys.argv[1])
    from django.core.management import call_command
    call_command("migrate", interactive=False, verbosity=0)
    from nmguard.apps.core.users import create_user
    from nmguard.apps.therapy import dosimetry_jobs
    from nmguard.dosimetry.run_options import RunOptions
    from nmguard.synthetic.patient import write_synthetic_study
    user = create_user("phys", "a long test password 1", ["physicist"], actor="test")
    study = dosimetry_jobs.inbox_root() / "patient"
    write_synthetic_study(study, shape=(40, 64, 64), voxel_mm=5.0, times_h=(4, 24, 96), write_rtstruct=False)
    job = dosimetry_jobs.submit_folder(study_dir=study, title="restart", options=RunOptions(method="dvk"), user=user)
    print(job.pk)
    """
)


def _env(data_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NMGUARD_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["NMGUARD_DATA_DIR"] = str(data_dir)
    return env


def _job(data_dir, pk: int) -> tuple[str, int, float]:
    with sqlite3.connect(data_dir / "nmguard.sqlite3", timeout=30) as db:
        return db.execute("SELECT status, attempts, progress FROM therapy_dosimetryjob WHERE id = ?", (pk,)).fetchone()


def test_kill_9_mid_run_then_the_next_worker_finishes_the_job(tmp_path):
    env = _env(tmp_path)
    submitted = subprocess.run(
        [sys.executable, "-c", SUBMIT, str(tmp_path)], capture_output=True, text=True, env=env, timeout=300
    )
    assert submitted.returncode == 0, submitted.stderr
    pk = int(submitted.stdout.strip().splitlines()[-1])
    worker = subprocess.Popen(
        [sys.executable, "-m", "nmguard", "worker", "--poll-s", "0.5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            status, attempts, progress = _job(tmp_path, pk)
            if status == "running" and progress > 0.2:
                break
            assert worker.poll() is None, worker.stderr.read()
            time.sleep(0.2)
        else:
            pytest.fail("the worker never got a fifth of the way through the run")
        assert status == "running" and progress < 1.0 and attempts == 1
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert _job(tmp_path, pk)[0] == "running"  # what a restart finds
    again = subprocess.run(
        [sys.executable, "-m", "nmguard", "worker", "--once"], capture_output=True, text=True, env=env, timeout=400
    )
    assert again.returncode == 0, again.stderr
    assert "1 job(s) interrupted by a stopped worker put back in the queue" in again.stdout
    assert f"job {pk}: succeeded" in again.stdout
    status, attempts, progress = _job(tmp_path, pk)
    assert (status, attempts, progress) == ("succeeded", 2, 1.0)
