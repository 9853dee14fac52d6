"""Dosimetry jobs: a durable queue on the database, run by a worker with progress.

``submit_*`` stores the inputs (copied under the data folder, SHA-256 kept) and queues a job;
:func:`run_next_job` claims the oldest queued job atomically (so two workers never run the same one),
runs :func:`nmguard.dosimetry.pipeline.run_dosimetry`, writes the outputs atomically and marks the job
succeeded with its results document, or failed with the message. Progress is written with a plain
UPDATE (not an audited change: it is not clinical data); every status change is an audited save.

Who runs the queue: ``nmguard worker`` (a separate process), or, in the embedded default, a daemon thread
started when a job is submitted (:func:`start_background_worker`; setting ``NMGUARD_JOB_THREAD``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import socket
import threading
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.guards import require_role
from nmguard.apps.core.roles import Role
from nmguard.apps.therapy.models import DosimetryJob, TherapyCycle
from nmguard.dosimetry.pipeline import RunOptions, input_digest
from nmguard.errors import InputError

log = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = 2 * 1024**3
_thread_lock = threading.Lock()


def jobs_root() -> Path:
    root = Path(settings.DATA_DIR) / "dosimetry"
    root.mkdir(parents=True, exist_ok=True)
    return root


def inbox_root() -> Path:
    """Where study folders that jobs may copy from live (DICOM receivers and exports write here)."""
    root = Path(getattr(settings, "NMGUARD_DICOM_INBOX", "") or Path(settings.DATA_DIR) / "inbox")
    root.mkdir(parents=True, exist_ok=True)
    return root


def _job_folder() -> Path:
    root = jobs_root()
    name = timezone.now().strftime("%Y%m%dT%H%M%S") + "-" + hashlib.sha1(os.urandom(8)).hexdigest()[:8]
    folder = root / name
    folder.mkdir()
    return folder


def _extract_zip(upload, dest: Path) -> None:
    """Unpack an uploaded zip of DICOM files, refusing paths that leave the folder and oversized archives."""
    try:
        archive = zipfile.ZipFile(upload)
    except zipfile.BadZipFile:
        raise InputError("the upload is not a zip file", "study_zip") from None
    with archive:
        total = sum(i.file_size for i in archive.infolist())
        if total > MAX_UPLOAD_BYTES:
            raise InputError("the zip unpacks to more than 2 GiB", "study_zip")
        for info in archive.infolist():
            target = (dest / info.filename).resolve()
            if not str(target).startswith(str(dest.resolve()) + os.sep) and target != dest.resolve():
                raise InputError(f"the zip holds a path outside its folder: {info.filename}", "study_zip")
        archive.extractall(dest)


def _queue(*, title: str, input_dir: Path, options: RunOptions, user, cycle=None, rerun_of=None) -> DosimetryJob:
    options = options.checked()
    if not any(p.is_file() for p in input_dir.rglob("*")):
        raise InputError("the study holds no files", "study_zip")
    with transaction.atomic(), acting_as(user, reason="dosimetry job queued"):
        job = DosimetryJob.objects.create(
            title=title.strip() or "Dosimetry",
            cycle=cycle,
            input_dir=str(input_dir),
            input_sha256=input_digest(input_dir),
            options=options.to_dict(),
            requested_by=user,
            rerun_of=rerun_of,
        )
    return job


def submit_zip(*, upload, title: str, options: RunOptions, user, cycle: TherapyCycle | None = None) -> DosimetryJob:
    """Store an uploaded zip of the study's DICOM series and queue a job on it."""
    require_role(user, Role.PHYSICIST, what="starting a dosimetry run")
    options.checked()
    folder = _job_folder()
    try:
        _extract_zip(upload, folder / "input")
        return _queue(title=title, input_dir=folder / "input", options=options, user=user, cycle=cycle)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def submit_folder(*, study_dir: str | Path, title: str, options: RunOptions, user, cycle=None) -> DosimetryJob:
    """Copy a study folder from the DICOM inbox into the job store and queue a job."""
    require_role(user, Role.PHYSICIST, what="starting a dosimetry run")
    options.checked()
    source = Path(study_dir).resolve()
    inbox = inbox_root().resolve()
    if inbox not in source.parents:
        raise InputError(f"the study folder must lie inside the DICOM inbox {inbox}", "study_dir")
    if not source.is_dir():
        raise InputError(f"{source} is not a folder", "study_dir")
    folder = _job_folder()
    try:
        shutil.copytree(source, folder / "input")
        return _queue(title=title, input_dir=folder / "input", options=options, user=user, cycle=cycle)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def rerun(job: DosimetryJob, user) -> DosimetryJob:
    """Queue the same stored inputs with the same options (the results must come out the same)."""
    require_role(user, Role.PHYSICIST, what="re-running a dosimetry job")
    return _queue(
        title=f"{job.title} (re-run of job {job.pk})",
        input_dir=Path(job.input_dir),
        options=RunOptions(**job.options),
        user=user,
        cycle=job.cycle,
        rerun_of=job,
    )


def job_state(job: DosimetryJob) -> dict:
    """What the page and the API show while a job runs."""
    return {
        "id": job.pk,
        "status": job.status,
        "progress": job.progress,
        "step": job.step,
        "message": job.message,
        "final": job.is_final,
    }


def record_doses_for_cycle(job: DosimetryJob, user) -> TherapyCycle:
    """The job's VOI mean doses become the organ doses of its therapy cycle (VOI names as organ names)."""
    from nmguard.apps.therapy import services

    if job.status != DosimetryJob.Status.SUCCEEDED or job.cycle is None:
        raise InputError("only a succeeded run linked to a therapy cycle can record its doses", "cycle")
    doses = {v["name"]: round(v["absorbed_dose"]["mean_Gy"], 4) for v in job.result["vois"]}
    return services.record_cycle_doses(
        job.cycle, organ_doses_Gy=doses, method=f"dosimetry job {job.pk} ({job.options['method']})", user=user
    )


def _claim(worker: str) -> DosimetryJob | None:
    for pk in (
        DosimetryJob.objects.filter(status=DosimetryJob.Status.QUEUED)
        .order_by("created_at")
        .values_list("pk", flat=True)[:5]
    ):
        claimed = DosimetryJob.objects.filter(pk=pk, status=DosimetryJob.Status.QUEUED).update(
            status=DosimetryJob.Status.RUNNING, worker=worker, started_at=timezone.now(), step="starting"
        )
        if claimed:
            return DosimetryJob.objects.get(pk=pk)
    return None


def _progress_writer(job_pk: int):
    last = {"f": -1.0}

    def write(step: str, fraction: float) -> None:
        if fraction - last["f"] >= 0.01 or fraction >= 1.0:
            last["f"] = fraction
            DosimetryJob.objects.filter(pk=job_pk).update(
                progress=round(min(max(fraction, 0.0), 1.0), 4), step=step[:200]
            )

    return write


def execute(job: DosimetryJob) -> DosimetryJob:
    """Run a claimed job to the end; the job ends succeeded (with results) or failed (with the message)."""
    from nmguard.dosimetry.outputs import write_outputs
    from nmguard.dosimetry.pipeline import run_dosimetry

    out_dir = Path(job.input_dir).parent / f"output-{job.pk}"
    try:
        if input_digest(Path(job.input_dir)) != job.input_sha256:
            raise InputError("the stored inputs changed since the job was queued", "input_dir")
        run = run_dosimetry(job.input_dir, RunOptions(**job.options), progress=_progress_writer(job.pk))
        paths = write_outputs(run, out_dir)
        document = json.loads(paths["results"].read_text(encoding="utf-8"))  # the stored file, exactly
    except InputError as exc:
        return _finish(job, failed=str(exc))
    except Exception as exc:  # a bug must not leave the job "running" for ever
        log.exception("dosimetry job %s failed", job.pk)
        return _finish(job, failed=f"internal error: {type(exc).__name__}: {exc}")
    return _finish(job, result=document, output_dir=str(out_dir))


def _finish(job: DosimetryJob, *, failed: str | None = None, result=None, output_dir: str = "") -> DosimetryJob:
    job.refresh_from_db()
    with transaction.atomic(), acting_as(job.requested_by, reason=f"dosimetry job {job.pk} finished"):
        job.status = DosimetryJob.Status.FAILED if failed else DosimetryJob.Status.SUCCEEDED
        job.message = failed or ""
        job.result = result
        job.output_dir = output_dir
        job.progress = job.progress if failed else 1.0
        job.step = "failed" if failed else "done"
        job.finished_at = timezone.now()
        job.save()
    return job


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def recover_interrupted_jobs() -> int:
    """End as failed the jobs left running by a worker process of this host that no longer exists
    (a restart mid-run); nothing final was stored for them, and they can be re-run."""
    host = socket.gethostname()
    n = 0
    for job in DosimetryJob.objects.filter(status=DosimetryJob.Status.RUNNING):
        worker_host, _, rest = job.worker.partition(":")
        pid = rest.split(":", 1)[0]
        if worker_host == host and pid.isdigit() and not _pid_alive(int(pid)):
            _finish(job, failed="interrupted: the worker stopped before the run ended; re-run it")
            n += 1
    return n


def run_next_job(worker: str | None = None) -> DosimetryJob | None:
    """Claim and run the oldest queued job; None when the queue is empty."""
    job = _claim(worker or f"{socket.gethostname()}:{os.getpid()}")
    return execute(job) if job else None


def run_queue(worker: str | None = None) -> int:
    """Run queued jobs until none is left; returns how many ran."""
    n = 0
    while run_next_job(worker) is not None:
        n += 1
    return n


def _thread_main() -> None:
    with _thread_lock:
        try:
            recover_interrupted_jobs()
            run_queue(worker=f"{socket.gethostname()}:{os.getpid()}:thread")
        finally:
            close_old_connections()
    # a job queued while this thread was finishing would otherwise wait for the next submission
    if DosimetryJob.objects.filter(status=DosimetryJob.Status.QUEUED).exists():
        start_background_worker()


def start_background_worker() -> bool:
    """In the embedded default, run the queue in a daemon thread of the web process (one at a time)."""
    if not getattr(settings, "NMGUARD_JOB_THREAD", True) or _thread_lock.locked():
        return False
    threading.Thread(target=_thread_main, name="nmguard-dosimetry-worker", daemon=True).start()
    return True
