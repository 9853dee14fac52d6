"""Pages of the investigations of dose alerts: the list, opening one from an alert, the record with its
findings, and the closing e-signature. The rules are :mod:`nmguard.apps.protection.investigation_records`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from nmguard.apps.core.permissions import refusal, requires
from nmguard.apps.core.signatures import SignatureError
from nmguard.apps.core.web import apply_error
from nmguard.apps.protection import investigation_records as records
from nmguard.apps.protection.dose_import import WRITE_PERMISSION
from nmguard.apps.protection.event_forms import CloseInvestigationForm, OpenInvestigationForm
from nmguard.apps.protection.event_models import Investigation
from nmguard.apps.protection.models import Worker
from nmguard.errors import InputError
from nmguard.web.input_bounds import object_or_404

VIEW = "protection.view_investigation"


@requires(VIEW)
def investigation_list(request: HttpRequest) -> HttpResponse:
    """Every investigation, open first, newest first (``?status=open`` or ``closed`` narrows it)."""
    rows = Investigation.objects.select_related("worker", "opened_by", "closed_by").order_by(
        "-status", "-year", "-created_at"
    )  # "open" sorts after "closed": descending puts the open ones first
    status = request.GET.get("status", "")
    if status in ("open", "closed"):
        rows = rows.filter(status=status)
    return render(request, "protection/investigations.html", {"investigations": rows[:500], "status": status})


@requires(WRITE_PERMISSION, "opening an investigation")
def open_page(request: HttpRequest, pk: int) -> HttpResponse:
    """POST from the alert's button: open the investigation and show it."""
    worker = object_or_404(Worker.objects.all(), pk=pk)
    if request.method != "POST":
        return redirect("protection-worker", pk=worker.pk)
    form = OpenInvestigationForm(request.POST)
    if form.is_valid():
        try:
            inv = records.open_investigation(
                worker, form.cleaned_data["year"], form.cleaned_data["quantity"], request.user
            )
            return redirect("protection-investigation", pk=inv.pk)
        except InputError as exc:
            apply_error(form, exc)
    errors = "; ".join(e for errs in form.errors.values() for e in errs)
    return render(request, "protection/investigation_refused.html", {"worker": worker, "error": errors}, status=400)


@requires(VIEW)
def investigation_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The record; while open, its findings are saved (``action=save``) or it is closed by e-signature."""
    inv = object_or_404(Investigation.objects.select_related("worker", "opened_by", "closed_by", "closure"), pk=pk)
    may_write = request.user.has_perm(WRITE_PERMISSION)
    initial = {"findings": inv.findings, "cause": inv.cause, "actions": inv.actions}
    form = CloseInvestigationForm(initial=initial)
    status = 200
    if request.method == "POST":
        if not may_write:
            raise refusal(WRITE_PERMISSION, "changing an investigation")
        if inv.status != "open":  # closed meanwhile: the page shows by whom
            return redirect("protection-investigation", pk=inv.pk)
        saving = request.POST.get("action") == "save"
        form = CloseInvestigationForm(request.POST)
        for name in ("password", *records.TEXT_FIELDS):  # saving the findings is no signature; closing needs all
            form.fields[name].required = not saving
        if form.is_valid():
            try:
                values = {f: form.cleaned_data[f] for f in records.TEXT_FIELDS}
                if saving:
                    records.update_investigation(inv, values, request.user)
                else:
                    records.close_investigation(inv, values, request.user, form.cleaned_data["password"])
                return redirect("protection-investigation", pk=inv.pk)
            except (InputError, SignatureError) as exc:
                apply_error(form, exc)
        status = 400
    context = {"inv": inv, "form": form, "may_write": may_write and inv.status == "open"}
    return render(request, "protection/investigation.html", context, status=status)
