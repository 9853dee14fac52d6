"""Pages that change a worker's records: correcting a reading (superseded, reason kept) and the register entry."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from nmguard.apps.core.permissions import requires
from nmguard.apps.core.web import apply_error
from nmguard.apps.protection import declarations
from nmguard.apps.protection.dose_import import WRITE_PERMISSION, correct_reading
from nmguard.apps.protection.forms import CorrectionForm, WorkerForm
from nmguard.apps.protection.models import DoseReading, Worker
from nmguard.errors import InputError
from nmguard.protection.readings import DOSE_FIELDS
from nmguard.web.input_bounds import object_or_404


@requires(WRITE_PERMISSION, "correcting a dose reading")
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """The corrected doses of a current reading and why; the old reading stays, struck, with the reason."""
    reading = object_or_404(DoseReading.objects.select_related("worker"), pk=pk)
    if not reading.current:
        return redirect("protection-worker", pk=reading.worker_id)
    form = CorrectionForm(request.POST or None, initial={f: getattr(reading, f) for f in DOSE_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            values = {f: form.cleaned_data[f] for f in DOSE_FIELDS}
            correct_reading(reading, values, form.cleaned_data["reason"], request.user)
            return redirect("protection-worker", pk=reading.worker_id)
        except InputError as exc:
            apply_error(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "protection/correct.html", {"reading": reading, "form": form}, status=status)


@requires("protection.change_worker", "changing the staff register")
def edit_worker(request: HttpRequest, pk: int) -> HttpResponse:
    worker = object_or_404(Worker.objects.all(), pk=pk)
    initial = {"name": worker.name, "category": worker.category, "active": worker.active, "user": worker.user_id}
    form = WorkerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            linked = data.pop("user")
            declarations.update_worker(worker, **data, linked_user=linked, user=request.user)
            return redirect("protection-worker", pk=worker.pk)
        except InputError as exc:
            apply_error(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "protection/worker_edit.html", {"worker": worker, "form": form}, status=status)
