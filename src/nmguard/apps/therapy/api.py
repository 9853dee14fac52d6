"""REST endpoints for dosimetry jobs (the same services as the pages)."""

from __future__ import annotations

import dataclasses
import typing

import pydantic
from django.http import HttpRequest
from ninja import Router, Schema, Status

from nmguard.apps.core.web import require_perm
from nmguard.apps.therapy import dosimetry_jobs
from nmguard.apps.therapy.models import DosimetryJob, TherapyCycle
from nmguard.dosimetry.run_options import RunOptions
from nmguard.dosimetry.sirt import SirtOptions
from nmguard.web.input_bounds import BoundedSchema, object_or_404

router = Router(tags=["dosimetry"])


def _job_schema(name: str, options_class: type, doc: str, **extra) -> type[Schema]:
    """A request body: ``extra`` fields plus every field of the calculation's options dataclass (one list)."""
    hints = typing.get_type_hints(options_class)
    fields = {
        f.name: (hints[f.name], ... if f.default is dataclasses.MISSING else f.default)
        for f in dataclasses.fields(options_class)
    }
    return pydantic.create_model(name, __base__=BoundedSchema, __doc__=doc, **extra, **fields)


JobIn = _job_schema(
    "JobIn",
    RunOptions,
    "A run on a study folder in the DICOM inbox; uploads go through the page.",
    study_dir=(str, ...),
    title=(str, "Dosimetry"),
)
SirtJobIn = _job_schema(
    "SirtJobIn",
    SirtOptions,
    "A Y-90 microsphere plan for a cycle of a Y-90 therapy, on an MAA SPECT/CT folder of the DICOM inbox.",
    cycle=(int, ...),
    study_dir=(str, ...),
    title=(str, ""),
)


@router.post("/jobs", response={201: dict})
def submit(request: HttpRequest, payload: JobIn):  # type: ignore[valid-type]
    require_perm(request, "therapy.add_dosimetryjob")
    data = payload.dict()
    study_dir, title = data.pop("study_dir"), data.pop("title")
    job = dosimetry_jobs.submit_folder(study_dir=study_dir, title=title, options=RunOptions(**data), user=request.user)
    dosimetry_jobs.start_background_worker()
    return Status(201, dosimetry_jobs.job_state(job))


@router.post("/sirt-plans", response={201: dict})
def submit_sirt(request: HttpRequest, payload: SirtJobIn):  # type: ignore[valid-type]
    """Queue a Y-90 microsphere plan (the same service and checks as the cycle's form); a job of kind sirt."""
    require_perm(request, "therapy.add_dosimetryjob")
    data = payload.dict()
    cycle = object_or_404(TherapyCycle.objects.all(), pk=data.pop("cycle"))
    study_dir, title = data.pop("study_dir"), data.pop("title")
    job = dosimetry_jobs.submit_sirt(
        study_dir=study_dir, cycle=cycle, options=SirtOptions(**data), user=request.user, title=title
    )
    dosimetry_jobs.start_background_worker()
    return Status(201, dosimetry_jobs.job_state(job) | {"kind": job.kind})


class RecordIn(BoundedSchema):
    """Record a run's doses for its cycle: the VOI → organ mapping as checked ("" leaves a VOI out), the
    confirmation, a reason when the cycle already has doses, and for a study mismatch a reason and the
    user's password (e-signature)."""

    mapping: dict[str, str]
    mapping_confirmed: bool
    reason: str = ""
    mismatch_reason: str = ""
    password: str | None = None


@router.get("/jobs/{job_id}/recording-check")
def recording_check(request: HttpRequest, job_id: int):
    """The study's patient and dates against the cycle, and the proposed VOI → organ mapping."""
    require_perm(request, "therapy.view_dosimetryjob")
    check = dosimetry_jobs.recording_check(object_or_404(DosimetryJob.objects.all(), pk=job_id))
    return check.as_dict() | {"proposal": check.proposal, "cycle_has_doses": check.has_doses}


@router.post("/jobs/{job_id}/record", response={201: dict})
def record(request: HttpRequest, job_id: int, payload: RecordIn):
    """The same checks as the page: refused (422, naming the field) until each is satisfied."""
    require_perm(request, "therapy.change_therapycycle")
    job = object_or_404(DosimetryJob.objects.all(), pk=job_id, status=DosimetryJob.Status.SUCCEEDED)
    entry = dosimetry_jobs.record_doses_for_cycle(job, request.user, **payload.dict())
    return Status(201, {"record": entry.pk, "cycle": entry.cycle_id, "organ_doses_Gy": entry.organ_doses_Gy})


@router.get("/jobs")
def jobs(request: HttpRequest):
    require_perm(request, "therapy.view_dosimetryjob")
    return [dosimetry_jobs.job_state(j) | {"title": j.title} for j in DosimetryJob.objects.all()[:200]]


@router.get("/jobs/{job_id}")
def job(request: HttpRequest, job_id: int):
    """State and progress; the results document once the job succeeded."""
    require_perm(request, "therapy.view_dosimetryjob")
    j = object_or_404(DosimetryJob.objects.all(), pk=job_id)
    return dosimetry_jobs.job_state(j) | {"title": j.title, "kind": j.kind, "options": j.options, "result": j.result}
