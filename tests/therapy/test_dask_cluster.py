"""A Dask scheduler and two Dask workers, each a separate process, run a batch of dosimetry jobs from the
database queue (`nmguard worker --dask`): every job lands in the database exactly once (issue 12 item 9)."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

JOBS = 4
SUBMIT = textwrap.dedent(
    f"""
    import shutil, sys
    from nmguard.cli.service import setup_django
    setup_django(sys.argv[1])
    from django.core.management import call_command
    call_command("migrate", interactive=False, verbosity=0)
    from nmguard.apps.core.users import create_user
    from nmguard.apps.therapy import dosimetry_jobs
    from nmguard.dosimetry.run_options import RunOptions
    from nmguard.synthetic.patient import write_synthetic_study
    user = create_user("phys", "a long test password 1", ["physicist"], actor="test")
    first = dosimetry_jobs.inbox_root() / "patient-0"
    write_synthetic_study(first, shape=(24, 40, 40), voxel_mm=6.0, times_h=(4, 24, 96), write_rtstruct=False)
    for i in range({JOBS}):
        study = dosimetry_jobs.inbox_root() / f"patient-{{i}}"
        if i:
            shutil.copytree(first, study)
        dosimetry_jobs.submit_folder(study_dir=study, title=f"batch {{i}}", options=RunOptions(method="dvk"), user=user)
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"nothing listens on {port}")


def test_two_dask_workers_run_a_batch_and_every_job_lands_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("NMGUARD_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["NMGUARD_DATA_DIR"] = str(tmp_path)
    submitted = subprocess.run(
        [sys.executable, "-c", SUBMIT, str(tmp_path)], capture_output=True, text=True, env=env, timeout=300
    )
    assert submitted.returncode == 0, submitted.stderr
    dask = str(Path(sys.executable).with_name("dask"))
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    common = ["--no-dashboard"]
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), *common],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        _wait_for_port(port, 60)
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [dask, "worker", address, "--nworkers", "1", "--nthreads", "1", *common],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        ready = textwrap.dedent(
            f"""
            from dask.distributed import Client
            c = Client("{address}", timeout="30s")
            c.wait_for_workers(2, timeout=90)
            """
        )
        assert subprocess.run([sys.executable, "-c", ready], env=env, timeout=150).returncode == 0
        ran = subprocess.run(
            [sys.executable, "-m", "nmguard", "worker", "--dask", address, "--tasks", "2"],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    assert ran.returncode == 0, ran.stderr
    lines = [line for line in ran.stdout.splitlines() if line.startswith("job ")]
    assert len(lines) == JOBS and all(": succeeded on dask:" in line for line in lines), ran.stdout
    with sqlite3.connect(tmp_path / "nmguard.sqlite3") as db:
        rows = db.execute("SELECT id, status, attempts, worker, result FROM therapy_dosimetryjob").fetchall()
        finished = db.execute(
            "SELECT object_id, COUNT(*) FROM core_auditevent WHERE model_label = 'therapy.DosimetryJob' "
            "AND reason LIKE '% finished' GROUP BY object_id"
        ).fetchall()
    assert len(rows) == JOBS
    assert {(status, attempts) for _, status, attempts, _, _ in rows} == {("succeeded", 1)}
    assert all(json.loads(result)["vois"] for *_, result in rows)
    assert sorted(count for _, count in finished) == [1] * JOBS  # each job finished exactly once
    assert len({worker for *_, worker, _ in rows}) == 2  # both workers ran jobs
    outputs = sorted(p.name for p in tmp_path.rglob("output-*") if p.is_dir())
    assert outputs == sorted(f"output-{pk}" for pk, *_ in rows)
