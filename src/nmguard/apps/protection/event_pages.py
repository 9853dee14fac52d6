"""Pages of protection events: the list, a new event, the record with its closing e-signature.
The rules are :mod:`nmguard.apps.protection.event_records`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from nmguard.apps.core.permissions import refusal, requires
from nmguard.apps.core.signatures import SignatureError
from nmguard.apps.core.web import apply_error
from nmguard.apps.protection import event_records
from nmguard.apps.protection.dose_import import WRITE_PERMISSION
from nmguard.apps.protection.event_forms import CloseEventForm, EventForm
from nmguard.apps.protection.event_models import ProtectionEvent
from nmguard.errors import InputError
from nmguard.web.input_bounds import object_or_404

VIEW = "protection.view_protectionevent"


@requires(VIEW)
def event_list(request: HttpRequest) -> HttpResponse:
    """Every event, open first, newest first (``?status=open`` or ``closed`` narrows it)."""
    events = ProtectionEvent.objects.select_related("reported_by", "closed_by").order_by("-status", "-occurred_at")
    status = request.GET.get("status", "")
    if status in ("open", "closed"):
        events = events.filter(status=status)
    context = {"events": events[:500], "status": status, "may_write": request.user.has_perm(WRITE_PERMISSION)}
    return render(request, "protection/events.html", context)


@requires(WRITE_PERMISSION, "recording a protection event")
def new_event(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            workers = data.pop("workers")
            event = event_records.record_event(data, request.user, workers)
            return redirect("protection-event", pk=event.pk)
        except InputError as exc:
            apply_error(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "protection/event_new.html", {"form": form}, status=status)


@requires(VIEW)
def event_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The record, its people and, while open, the closing form (actions + e-signature)."""
    event = object_or_404(ProtectionEvent.objects.select_related("reported_by", "closed_by", "closure"), pk=pk)
    may_close = request.user.has_perm(WRITE_PERMISSION) and event.status == "open"
    form = CloseEventForm(request.POST or None, initial={"actions": event.actions})
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(WRITE_PERMISSION):
            raise refusal(WRITE_PERMISSION, "closing a protection event")
        if not may_close:  # closed meanwhile: the page shows by whom
            return redirect("protection-event", pk=event.pk)
        if form.is_valid():
            try:
                event_records.close_event(
                    event, form.cleaned_data["actions"], request.user, form.cleaned_data["password"]
                )
                return redirect("protection-event", pk=event.pk)
            except (InputError, SignatureError) as exc:
                apply_error(form, exc)
        status = 400
    context = {"event": event, "workers": event.workers.all(), "form": form, "may_close": may_close}
    return render(request, "protection/event.html", context, status=status)
