"""REST endpoints of training and competence (the same services as the pages and the CLI): a person's standing,
the matrix, recording a training, signing a competence, switching the block, and asking whether a person may do a
task on a day. Bad input: 422 naming the field (web.api's handler)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from nmguard.apps.core.competence import competence_refusal
from nmguard.apps.core.web import require_perm
from nmguard.apps.quality import competence_services, training_services
from nmguard.apps.quality.training_services import Standing, parse_local_date, person_by_id, training_by_key
from nmguard.web.input_bounds import BoundedSchema

router = Router(tags=["quality: training"])
VIEW = "quality.view_trainingrecord"


def _standing(s: Standing) -> dict:
    return {"name": s.name, "state": s.state, "expires_on": s.expires_on.isoformat() if s.expires_on else None}


def person_standing(person, day) -> dict:
    """The keys of ``nmguard training status --json``."""
    return {
        "person": person.username,
        "on": day.isoformat(),
        "trainings": {
            t.key: _standing(training_services.training_standing(person, t, day))
            for t in training_services.required_trainings(person)
        },
        "competences": {
            task.key: {**_standing(s), "enforced": enforced}
            for task, s, enforced in competence_services.person_competences(person, day)
        },
    }


@router.get("/training/people/{person_id}")
def person(request: HttpRequest, person_id: int, on: str = ""):
    require_perm(request, VIEW)
    from django.utils import timezone

    day = parse_local_date(on, "on") if on else timezone.localdate()
    return person_standing(person_by_id(person_id), day)


@router.get("/training/check")
def check(request: HttpRequest, person_id: int, task: str, on: str):
    """Whether the person may do ``task`` on the local date ``on`` (the block's own answer)."""
    require_perm(request, VIEW)
    competence_services.task_of(task)
    reason = competence_refusal(person_by_id(person_id), task, parse_local_date(on, "on"))
    return {"allowed": reason is None, "reason": reason}


class RecordIn(BoundedSchema):
    person_id: int
    training: str
    completed_on: str
    evidence: str


@router.post("/training/records", response={201: dict})
def record(request: HttpRequest, payload: RecordIn):
    require_perm(request, training_services.WRITE_PERMISSION)
    r = training_services.record_training(
        person_by_id(payload.person_id),
        training_by_key(payload.training),
        parse_local_date(payload.completed_on, "completed_on"),
        payload.evidence,
        request.user,
    )
    return Status(201, {"id": r.pk, "training": r.training.key, "expires_on": r.expires_on.isoformat()})


class CompetenceIn(BoundedSchema):
    person_id: int
    task: str
    valid_from: str
    assessment: str
    password: str


@router.post("/training/competences", response={201: dict})
def sign(request: HttpRequest, payload: CompetenceIn):
    """Signed by the quality manager or the data's roles for the task (the service checks the role)."""
    require_perm(request, VIEW)
    c = competence_services.sign_competence(
        person_by_id(payload.person_id),
        payload.task,
        parse_local_date(payload.valid_from, "valid_from"),
        payload.assessment,
        request.user,
        payload.password,
    )
    return Status(
        201, {"id": c.pk, "task": c.task, "expires_on": c.expires_on.isoformat(), "signature": c.signature_id}
    )


class GuardIn(BoundedSchema):
    enforced: bool
    reason: str = ""


@router.put("/training/guards/{task}")
def guard(request: HttpRequest, task: str, payload: GuardIn):
    require_perm(request, training_services.WRITE_PERMISSION)
    g = competence_services.set_task_guard(task, payload.enforced, payload.reason, request.user)
    return {"task": g.task, "enforced": g.enforced}
