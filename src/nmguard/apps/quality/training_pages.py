"""Pages of training and competence: my training, a person's page, the matrix, record a training, sign a
competence, switch the block per task. The rules are :mod:`training_services` and :mod:`competence_services`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from nmguard.apps.core.permissions import requires
from nmguard.apps.core.signatures import SignatureError
from nmguard.apps.core.web import apply_error
from nmguard.apps.quality import competence_services, training_services
from nmguard.apps.quality.training_forms import RecordTrainingForm, SignCompetenceForm, TaskGuardForm
from nmguard.apps.quality.training_models import Competence, TaskGuard, TrainingRecord
from nmguard.errors import InputError
from nmguard.reference.training_requirements import training_requirements
from nmguard.web.input_bounds import object_or_404

VIEW = "quality.view_trainingrecord"


def _person_context(person) -> dict:
    day = timezone.localdate()
    trainings = [
        (t, training_services.training_standing(person, t, day)) for t in training_services.required_trainings(person)
    ]
    return {
        "person": person,
        "day": day,
        "trainings": trainings,
        "competences": competence_services.person_competences(person, day),
        "records": TrainingRecord.objects.filter(person=person).select_related("training", "recorded_by")[:200],
        "signed": Competence.objects.filter(person=person).select_related("signed_by", "signature")[:200],
    }


def _links(user, person=None) -> dict[str, bool]:
    """Which forms to link: only those the user may use (the pages and services check again), and no
    "Sign a competence" on one's own page (nobody signs their own)."""
    roles = set(user.groups.values_list("name", flat=True))
    signers = {r.value for t in training_requirements().tasks.values() for r in competence_services.signer_roles(t)}
    own = person is None or person.pk == user.pk
    may_write = user.has_perm(training_services.WRITE_PERMISSION)
    return {"may_write": may_write, "may_sign": bool(roles & signers) and not own}


@requires(VIEW)
def my_training(request: HttpRequest) -> HttpResponse:
    """The signed-in person's trainings and competences, with links to the matrix and the forms."""
    context = _person_context(request.user) | {"own": True} | _links(request.user)
    return render(request, "quality/training/person.html", context)


@requires(VIEW)
def person_page(request: HttpRequest, pk: int) -> HttpResponse:
    person = object_or_404(get_user_model().objects.all(), pk=pk)
    context = _person_context(person) | {"own": person.pk == request.user.pk} | _links(request.user, person)
    return render(request, "quality/training/person.html", context)


@requires(VIEW)
def matrix_page(request: HttpRequest) -> HttpResponse:
    """People × required trainings on today's local date; lapsed and missing in red, expiring marked."""
    day = timezone.localdate()
    trainings, rows = training_services.matrix(day)
    guards = {g.task: g for g in TaskGuard.objects.all()}
    context = {"day": day, "trainings": trainings, "rows": rows, "guards": guards} | _links(request.user)
    return render(request, "quality/training/matrix.html", context)


@requires(training_services.WRITE_PERMISSION, "recording a training")
def record_page(request: HttpRequest) -> HttpResponse:
    form = RecordTrainingForm(request.POST or None, initial={"person": request.GET.get("person")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            training_services.record_training(
                d["person"], d["training"], d["completed_on"], d["evidence"], request.user
            )
            return redirect("quality-training-person", pk=d["person"].pk)
        except InputError as exc:
            apply_error(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "quality/training/record.html", {"form": form}, status=status)


@requires(VIEW)
def sign_page(request: HttpRequest) -> HttpResponse:
    """Sign a competence; who may sign is checked by the service (quality manager or the data's roles)."""
    form = SignCompetenceForm(
        request.POST or None, initial={"person": request.GET.get("person"), "task": request.GET.get("task")}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            competence_services.sign_competence(
                d["person"], d["task"], d["valid_from"], d["assessment"], request.user, d["password"]
            )
            return redirect("quality-training-person", pk=d["person"].pk)
        except (InputError, SignatureError) as exc:
            apply_error(form, exc)
    status = 400 if request.method == "POST" else 200
    signers = [
        (t.label, ", ".join(r.label for r in competence_services.signer_roles(t)[1:]))
        for t in training_requirements().tasks.values()
    ]
    return render(request, "quality/training/sign.html", {"form": form, "signers": signers}, status=status)


@requires(training_services.WRITE_PERMISSION, "switching the competence block")
def guard_page(request: HttpRequest) -> HttpResponse:
    form = TaskGuardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            competence_services.set_task_guard(d["task"], d["enforced"], d["reason"], request.user)
            return redirect("quality-training-matrix")
        except InputError as exc:
            apply_error(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "quality/training/guard.html", {"form": form}, status=status)
