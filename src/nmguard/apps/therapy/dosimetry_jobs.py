"""Dosimetry jobs: a durable queue on the database, run by a worker with progress.

Two kinds share the queue, the worker, the stored inputs and the audit: a dosimetry run
(:func:`~nmguard.dosimetry.pipeline.run_dosimetry`) and a Y-90 microsphere plan from an MAA SPECT/CT
(:func:`~nmguard.outputs.sirt_plan.plan_study_result`, kind ``sirt``, queued from a Y-90 therapy cycle).

``submit_*`` stores the inputs (copied under the data folder, SHA-256 kept) and queues a job;
:func:`run_next_job` claims the oldest queued job atomically (so two workers never run the same one),
runs :func:`nmguard.dosimetry.pipeline.run_dosimetry`, writes the outputs atomically and marks the job
succeeded with its results document, or failed with the message. Progress is written with a plain
UPDATE (not an audited change: it is not clinical data); every status change is an audited save.

Who runs the queue: ``nmguard worker`` (a separate process), or, in the embedded default, a daemon thread
started when a job is submitted and when the server starts (:func:`start_background_worker`; setting
``NMGUARD_JOB_THREAD``).

Surviving restarts: a running attempt holds a lease that its worker renews (a heartbeat every few seconds from a
thread, and with every progress step). :func:`recover_interrupted_jobs`, called when a server or worker starts and
by workers as they poll, puts back in the queue every running job whose lease ran out or whose process on this
host is gone (kill -9, a power cut), up to the attempt limit; files an abandoned attempt wrote are set aside.

Why one module of about 660 lines: the durable queue's claim, lease, heartbeat, retry and output writing are one
protocol; split, its invariants would be read in pieces.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import socket
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.guards import require_role
from nmguard.apps.therapy import study_match
from nmguard.apps.therapy.models import DosimetryJob, TherapyCycle
from nmguard.apps.therapy.services import ROLES
from nmguard.dosimetry.pipeline import input_digest
from nmguard.dosimetry.run_options import RunOptions
from nmguard.dosimetry.sirt import SirtOptions
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


Options = RunOptions | SirtOptions
_KIND_OF = {RunOptions: DosimetryJob.Kind.DOSIMETRY, SirtOptions: DosimetryJob.Kind.SIRT}


def job_word(kind: str) -> str:
    """How the audit trail and messages name a job of ``kind``."""
    return "SIRT plan job" if kind == DosimetryJob.Kind.SIRT else "dosimetry job"


def _options_dict(options: Options) -> dict:
    return options.to_dict() if isinstance(options, RunOptions) else dict(options.__dict__)


def job_options(job: DosimetryJob) -> Options:
    """The stored options of a job as the calculation's options object (of its kind)."""
    return SirtOptions(**job.options) if job.kind == DosimetryJob.Kind.SIRT else RunOptions(**job.options)


def _queue(*, title: str, input_dir: Path, options: Options, user, cycle=None, rerun_of=None) -> DosimetryJob:
    options = options.checked()
    kind = _KIND_OF[type(options)]
    if not any(p.is_file() for p in input_dir.rglob("*")):
        raise InputError("the study holds no files", "study_zip")
    with transaction.atomic(), acting_as(user, reason=f"{job_word(kind)} queued"):
        job = DosimetryJob.objects.create(
            title=title.strip() or kind.label,
            kind=kind,
            cycle=cycle,
            input_dir=str(input_dir),
            input_sha256=input_digest(input_dir),
            options=_options_dict(options),
            requested_by=user,
            rerun_of=rerun_of,
        )
    return job


def submit_zip(*, upload, title: str, options: RunOptions, user, cycle: TherapyCycle | None = None) -> DosimetryJob:
    """Store an uploaded zip of the study's DICOM series and queue a job on it."""
    require_role(user, *ROLES["run_dosimetry"], what="starting a dosimetry run")
    options.checked()
    folder = _job_folder()
    try:
        _extract_zip(upload, folder / "input")
        return _queue(title=title, input_dir=folder / "input", options=options, user=user, cycle=cycle)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def inbox_studies() -> list[str]:
    """The study folders in the DICOM inbox (its sub-folders that hold files), as names relative to it."""
    inbox = inbox_root()
    return sorted(p.name for p in inbox.iterdir() if p.is_dir() and not p.name.startswith(".") and any(p.rglob("*")))


def submit_folder(*, study_dir: str | Path, title: str, options: Options, user, cycle=None) -> DosimetryJob:
    """Copy a study folder from the DICOM inbox (a path, or a name relative to it) into the job store and
    queue a job."""
    require_role(user, *ROLES["run_dosimetry"], what="starting a dosimetry run")
    options.checked()
    inbox = inbox_root().resolve()
    source = (inbox / study_dir).resolve()
    if inbox not in source.parents:
        raise InputError(f"the study folder must lie inside the DICOM inbox {inbox}", "study_dir")
    if not source.is_dir():
        raise InputError(f"{source} is not a folder", "study_dir")
    folder = _job_folder()
    try:
        try:
            shutil.copytree(source, folder / "input")
        except (shutil.Error, OSError) as exc:
            # shutil.Error lists every file that failed (tens of thousands of characters on a full disk)
            first = exc.args[0][0][2] if isinstance(exc, shutil.Error) and exc.args and exc.args[0] else str(exc)
            raise InputError(
                f"the study could not be copied into the job store: {str(first)[:200]}", "study_dir"
            ) from None
        return _queue(title=title, input_dir=folder / "input", options=options, user=user, cycle=cycle)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


Y90_THERAPY = "Y-90"


def sirt_cycle_problem(cycle: TherapyCycle) -> str | None:
    """Why a SIRT plan cannot belong to ``cycle`` (its protocol is not a Y-90 therapy), or None."""
    nuclide = cycle.course.protocol.radiopharmaceutical.nuclide
    if nuclide != Y90_THERAPY:
        return f"a Y-90 microsphere plan belongs to a Y-90 therapy; this cycle's protocol gives {nuclide}"
    return None


def submit_sirt(
    *, study_dir: str | Path, cycle: TherapyCycle, options: SirtOptions, user, title: str = ""
) -> DosimetryJob:
    """Queue a Y-90 microsphere plan for a cycle of a Y-90 therapy, on a study folder of the DICOM inbox."""
    require_role(user, *ROLES["run_dosimetry"], what="starting a Y-90 microsphere plan")
    problem = sirt_cycle_problem(cycle)
    if problem:
        raise InputError(problem, "cycle")
    if not str(study_dir).strip():
        raise InputError("choose the MAA SPECT/CT study folder", "study_dir")
    options = options.checked()
    title = title.strip() or f"Y-90 plan, {cycle.course.patient}, cycle {cycle.number}"
    return submit_folder(study_dir=study_dir, title=title, options=options, user=user, cycle=cycle)


def rerun(job: DosimetryJob, user) -> DosimetryJob:
    """Queue the same stored inputs with the same options (the results must come out the same)."""
    require_role(user, *ROLES["run_dosimetry"], what="re-running a dosimetry job")
    return _queue(
        title=f"{job.title} (re-run of job {job.pk})",
        input_dir=Path(job.input_dir),
        options=job_options(job),
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


_HEADER_TAGS = (
    "PatientID",
    "PatientName",
    "PatientBirthDate",
    "Modality",
    "AcquisitionDate",
    "SeriesDate",
    "StudyDate",
    "AcquisitionDateTime",
)


def _dicom_date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(str(text)[:8], "%Y%m%d").date()
    except ValueError:
        return None


def study_header(job: DosimetryJob) -> study_match.StudyHeader:
    """The patient(s) and the emission (NM/PT) acquisition dates in the job's stored DICOM files.

    Headers only; a file that is not DICOM is skipped (the run would have failed on a broken series).
    """
    import pydicom
    from pydicom.errors import InvalidDicomError

    patients: set[study_match.PersonIdentity] = set()
    dates: set[dt.date] = set()
    for path in sorted(p for p in Path(job.input_dir).rglob("*") if p.is_file()):
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True, specific_tags=list(_HEADER_TAGS))
        except (InvalidDicomError, OSError, ValueError, EOFError):
            continue
        if "PatientID" not in ds and "PatientName" not in ds:
            continue
        family, given = study_match.dicom_person_name(str(ds.get("PatientName", "")))
        patients.add(
            study_match.PersonIdentity(
                str(ds.get("PatientID", "")).strip(), family, given, _dicom_date(ds.get("PatientBirthDate", ""))
            )
        )
        if str(ds.get("Modality", "")).upper() in ("NM", "PT"):
            day = next(
                (
                    d
                    for d in (
                        _dicom_date(ds.get("AcquisitionDateTime", "")),
                        _dicom_date(ds.get("AcquisitionDate", "")),
                        _dicom_date(ds.get("SeriesDate", "")),
                        _dicom_date(ds.get("StudyDate", "")),
                    )
                    if d
                ),
                None,
            )
            if day:
                dates.add(day)
    return study_match.StudyHeader(tuple(sorted(patients, key=lambda p: p.patient_id)), tuple(sorted(dates)))


def cycle_window(cycle: TherapyCycle) -> study_match.Window:
    """The cycle's acquisition window (reference data ``therapy_dosimetry.toml``)."""
    from nmguard.reference.therapy_dosimetry import cycle_window as window_data

    data = window_data()
    administered_on = timezone.localdate(cycle.administration.administered_at) if cycle.administration_id else None
    return study_match.cycle_window(
        administered_on,
        cycle.planned_on,
        days_after=int(data.days_after_administration.value),
        planned_tolerance=int(data.planned_date_tolerance.value),
    )


def _patient_identity(patient) -> study_match.PersonIdentity:
    return study_match.PersonIdentity(patient.mrn, patient.family_name, patient.given_name, patient.birth_date)


def job_vois(job: DosimetryJob) -> list[study_match.VoiDose]:
    return [
        study_match.VoiDose(str(v["name"]), float(v["absorbed_dose"]["mean_Gy"]), v.get("mass_g"))
        for v in (job.result or {}).get("vois", [])
    ]


@dataclass(frozen=True)
class RecordingCheck:
    """What the page shows before a run's doses are recorded for its cycle."""

    cycle: TherapyCycle
    study: study_match.StudyHeader
    patient: study_match.PersonIdentity
    window: study_match.Window
    mismatches: tuple[study_match.Mismatch, ...]
    proposal: dict[str, str]  # VOI → proposed organ ("" = not recorded)
    vois: tuple[study_match.VoiDose, ...]
    has_doses: bool

    @property
    def differs(self) -> set[str]:
        """The fields that do not match (patient_id, name, birth_date, patients, acquisition_date)."""
        return {m.field for m in self.mismatches}

    def as_dict(self) -> dict:
        """Kept with the dose record: what was compared and what differed."""
        return {
            "study_patients": [
                {"id": p.patient_id, "name": p.display_name, "birth_date": p.birth_date and p.birth_date.isoformat()}
                for p in self.study.patients
            ],
            "course_patient": self.patient.patient_id,
            "acquisition_dates": [d.isoformat() for d in self.study.acquisition_dates],
            "window": [self.window.first.isoformat(), self.window.last.isoformat(), self.window.basis],
            "mismatches": [dataclasses.asdict(m) for m in self.mismatches],
        }


def recording_check(job: DosimetryJob) -> RecordingCheck:
    """Compare the run's study with its cycle (patient, dates) and propose the VOI → organ mapping."""
    from nmguard.reference.therapy_dosimetry import organ_for_voi

    if job.kind == DosimetryJob.Kind.SIRT:
        raise InputError(
            "a Y-90 microsphere plan is a plan, not the delivered doses: record doses from a post-therapy run", "cycle"
        )
    if job.status != DosimetryJob.Status.SUCCEEDED or job.cycle is None:
        raise InputError("only a succeeded run linked to a therapy cycle can record its doses", "cycle")
    cycle = job.cycle
    header = study_header(job)
    patient = _patient_identity(cycle.course.patient)
    window = cycle_window(cycle)
    vois = tuple(job_vois(job))
    return RecordingCheck(
        cycle=cycle,
        study=header,
        patient=patient,
        window=window,
        mismatches=tuple(study_match.compare(header, patient, window)),
        proposal={v.name: organ_for_voi(v.name) or "" for v in vois},
        vois=vois,
        has_doses=bool(cycle.organ_doses_Gy),
    )


def unmapped_constraints(check: RecordingCheck) -> list[str]:
    """Organs the cycle's protocol constrains that the proposed mapping leaves without a VOI."""
    constrained = [str(c["organ"]) for c in check.cycle.course.protocol.constraints]
    return study_match.unmapped_constraints(constrained, [o for o in check.proposal.values() if o])


def record_doses_for_cycle(
    job: DosimetryJob,
    user,
    *,
    mapping: dict[str, str],
    mapping_confirmed: bool,
    reason: str = "",
    mismatch_reason: str = "",
    password: str | None = None,
):
    """The run's VOI doses, mapped to organs as the user confirmed, become its cycle's organ doses.

    Refused unless the mapping was confirmed; a study of another patient or outside the cycle's window is
    recorded only with a reason and the user's e-signature; earlier doses are superseded, never overwritten.
    """
    from nmguard.apps.therapy import services

    require_role(user, *ROLES["record_doses"], what="recording cycle doses")
    services.check_dosimetry_signoff(user)  # before the mapping is checked: a lapsed competence is said first
    check = recording_check(job)
    if not mapping_confirmed:
        raise InputError("confirm the VOI → organ mapping (check each organ first)", "mapping_confirmed")
    doses = study_match.organ_doses(check.vois, mapping)
    if check.mismatches and not mismatch_reason.strip():
        what = "; ".join(f"{m.label}: {m.study} (course: {m.course})" for m in check.mismatches)
        raise InputError(
            f"the study does not match this cycle ({what}); give a reason and sign to record it anyway",
            "mismatch_reason",
        )
    if not check.mismatches:
        mismatch_reason = ""
    return services.record_cycle_doses(
        check.cycle,
        organ_doses_Gy={organ: round(dose, 4) for organ, dose in doses.items()},
        method=f"dosimetry job {job.pk} ({job.options['method']})",
        user=user,
        reason=reason,
        job=job,
        voi_mapping=[
            {"voi": v.name, "organ": " ".join(mapping[v.name].split()), "mean_Gy": v.mean_Gy, "mass_g": v.mass_g}
            for v in check.vois
        ],
        study_check=check.as_dict(),
        mismatch_reason=mismatch_reason,
        password=password,
    )


HEARTBEAT_S_DEFAULT = 5.0  # how often a running job renews its lease (settings.NMGUARD_JOB_HEARTBEAT_S)
LEASE_S_DEFAULT = 60.0  # a heartbeat older than this means the attempt was abandoned (settings.NMGUARD_JOB_LEASE_S)
MAX_ATTEMPTS_DEFAULT = 3  # attempts before an abandoned job ends failed (settings.NMGUARD_JOB_MAX_ATTEMPTS)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def _claim(worker: str) -> DosimetryJob | None:
    for pk in (
        DosimetryJob.objects.filter(status=DosimetryJob.Status.QUEUED)
        .order_by("created_at")
        .values_list("pk", flat=True)[:5]
    ):
        now = timezone.now()
        claimed = DosimetryJob.objects.filter(pk=pk, status=DosimetryJob.Status.QUEUED).update(
            status=DosimetryJob.Status.RUNNING,
            worker=worker,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            step="starting",
        )
        if claimed:
            return DosimetryJob.objects.get(pk=pk)
    return None


class _Heartbeat:
    """Renews a running job's lease from a thread while the calculation (which may sit in one long FFT for
    minutes) runs, so that other workers can tell a slow job from an abandoned one."""

    def __init__(self, job_pk: int, worker: str) -> None:
        self.job_pk, self.worker = job_pk, worker
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"nmguard-job-{job_pk}-heartbeat", daemon=True)

    def _beat(self) -> None:
        try:
            while not self.stop.wait(_setting("NMGUARD_JOB_HEARTBEAT_S", HEARTBEAT_S_DEFAULT)):
                try:  # only while this worker still holds the job: a recovered job is not renewed by a zombie
                    DosimetryJob.objects.filter(
                        pk=self.job_pk, status=DosimetryJob.Status.RUNNING, worker=self.worker
                    ).update(heartbeat_at=timezone.now())
                except Exception:  # a busy database: the next beat tries again, the lease is long
                    log.warning("heartbeat of job %s not written", self.job_pk, exc_info=True)
        finally:
            close_old_connections()

    def __enter__(self) -> _Heartbeat:
        if _setting("NMGUARD_JOB_HEARTBEAT_S", HEARTBEAT_S_DEFAULT) > 0:  # 0: no thread (the test settings)
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=10)


def _progress_writer(job_pk: int):
    last = {"f": -1.0}

    def write(step: str, fraction: float) -> None:
        if fraction - last["f"] >= 0.01 or fraction >= 1.0:
            last["f"] = fraction
            DosimetryJob.objects.filter(pk=job_pk).update(
                progress=round(min(max(fraction, 0.0), 1.0), 4), step=step[:200], heartbeat_at=timezone.now()
            )

    return write


def _run_dosimetry(job: DosimetryJob, out_dir: Path) -> dict[str, Path]:
    from nmguard.dosimetry.pipeline import run_dosimetry
    from nmguard.outputs.dosimetry_run import write_outputs

    run = run_dosimetry(job.input_dir, job_options(job), progress=_progress_writer(job.pk))
    return write_outputs(run, out_dir)


def _plan_sirt(job: DosimetryJob, out_dir: Path) -> dict[str, Path]:
    from nmguard.outputs.sirt_plan import plan_study_result, write_sirt_outputs

    progress = _progress_writer(job.pk)
    result = plan_study_result(job.input_dir, job_options(job), progress=progress)
    progress("writing RT Dose, results and report", 0.9)
    return write_sirt_outputs(result, out_dir)


_RUNNERS = {DosimetryJob.Kind.DOSIMETRY: _run_dosimetry, DosimetryJob.Kind.SIRT: _plan_sirt}


def execute(job: DosimetryJob) -> DosimetryJob:
    """Run a claimed job to the end; the job ends succeeded (with results) or failed (with the message)."""
    out_dir = Path(job.input_dir).parent / f"output-{job.pk}"
    try:
        if input_digest(Path(job.input_dir)) != job.input_sha256:
            raise InputError("the stored inputs changed since the job was queued", "input_dir")
        _set_aside_abandoned_output(out_dir, job)
        with _Heartbeat(job.pk, job.worker):
            paths = _RUNNERS[job.kind](job, out_dir)
        document = json.loads(paths["results"].read_text(encoding="utf-8"))  # the stored file, exactly
    except InputError as exc:
        return _finish(job, failed=str(exc))
    except Exception as exc:  # a bug must not leave the job "running" for ever
        log.exception("%s %s failed", job_word(job.kind), job.pk)
        return _finish(job, failed=failure_message(exc))
    return _finish(job, result=document, output_dir=str(out_dir))


def failure_message(exc: BaseException) -> str:
    """What a person reads when a run stops on an error that is not a refused input.

    A DICOM reader's own words ("Use force=True to force reading") tell a user nothing they can act on:
    say which kind of file failed and what to do; the full error goes to the log.
    """
    from pydicom.errors import InvalidDicomError

    if isinstance(exc, InvalidDicomError):
        return (
            "a file of the study is not a readable DICOM file (no DICOM header): export the series again "
            "from the camera or PACS, as DICOM files, and start a new run"
        )
    if isinstance(exc, (EOFError, OSError)) or "pydicom" in type(exc).__module__:
        return "a DICOM file of the study is incomplete or damaged: export the series again and start a new run"
    return (
        f"internal error ({type(exc).__name__}): the run stopped; nothing was stored as a result. "
        "The details are in the server log; re-run the job or report it"
    )


def _finish(job: DosimetryJob, *, failed: str | None = None, result=None, output_dir: str = "") -> DosimetryJob:
    job.refresh_from_db()
    with transaction.atomic(), acting_as(job.requested_by, reason=f"{job_word(job.kind)} {job.pk} finished"):
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


def _set_aside_abandoned_output(out_dir: Path, job: DosimetryJob) -> None:
    """An earlier attempt may have written its files and died before recording them: keep them, aside."""
    if out_dir.exists():
        out_dir.rename(out_dir.with_name(f"{out_dir.name}.abandoned-attempt-{job.attempts - 1}"))


def _abandoned(job: DosimetryJob, now: dt.datetime, host: str) -> bool:
    """The attempt's worker is gone: its lease ran out, or it was a process of this host that no longer exists."""
    worker_host, _, rest = job.worker.partition(":")
    pid = rest.split(":", 1)[0]
    if worker_host == host and pid.isdigit() and not _pid_alive(int(pid)):
        return True
    last = job.heartbeat_at or job.started_at
    return last is None or (now - last).total_seconds() > _setting("NMGUARD_JOB_LEASE_S", LEASE_S_DEFAULT)


def recover_interrupted_jobs() -> int:
    """Put back in the queue the jobs whose worker is gone (kill -9, a restart, a power cut: its lease ran out or
    its process on this host no longer exists); after the attempt limit they end failed. Nothing final was
    stored for them. Returns how many were recovered."""
    host, now, n = socket.gethostname(), timezone.now(), 0
    limit = int(_setting("NMGUARD_JOB_MAX_ATTEMPTS", MAX_ATTEMPTS_DEFAULT))
    for job in DosimetryJob.objects.filter(status=DosimetryJob.Status.RUNNING):
        if not _abandoned(job, now, host):
            continue
        n += 1
        if job.attempts >= limit:
            _finish(job, failed=f"interrupted {job.attempts} times: the worker stopped before the run ended; re-run it")
            continue
        with transaction.atomic(), acting_as(job.requested_by, reason=f"{job_word(job.kind)} {job.pk} requeued"):
            job.status = DosimetryJob.Status.QUEUED
            job.step = f"queued again: attempt {job.attempts} was interrupted ({job.worker or 'unknown worker'})"
            job.progress = 0.0
            job.worker = ""
            job.heartbeat_at = None
            job.save()
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
    """In the embedded default, run the queue in a daemon thread of the web process (one at a time).

    The thread starts when the caller's transaction commits: a request submits its job inside the request's
    transaction, and a thread started at once looked for queued jobs before that commit, found none and ended,
    leaving the job queued until the next submission or restart. Returns whether a thread is (to be) started."""
    if not getattr(settings, "NMGUARD_JOB_THREAD", True):
        return False
    transaction.on_commit(_start_thread)
    return True


def _start_thread() -> None:
    if not _thread_lock.locked():
        threading.Thread(target=_thread_main, name="nmguard-dosimetry-worker", daemon=True).start()
