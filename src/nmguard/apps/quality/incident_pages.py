"""Pages of incidents and near misses: the list, the report form (every role but read-only), the record with its
investigation, actions and closing e-signature (quality manager or RPO), and the anonymised export.
The rules are :mod:`nmguard.apps.quality.incident_services`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from nmguard.apps.core.listing import list_page
from nmguard.apps.core.permissions import requires
from nmguard.apps.core.signatures import SignatureError
from nmguard.apps.core.web import apply_error
from nmguard.apps.quality import incident_services as incidents
from nmguard.apps.quality.incident_export import anonymised_rows, to_csv, to_json
from nmguard.apps.quality.incident_forms import ActionForm, CloseForm, IncidentForm, InvestigationForm
from nmguard.apps.quality.incident_lists import IncidentFilter, incident_columns, incident_rows
from nmguard.apps.quality.incident_models import Incident
from nmguard.errors import InputError
from nmguard.reference.incident_taxonomy import incident_taxonomy
from nmguard.web.input_bounds import object_or_404

VIEW = "quality.view_incident"


@requires(VIEW)
def incident_list(request: HttpRequest) -> HttpResponse:
    """Every incident, newest first, filtered by the shared list form (text, dates, status, stage, severity)."""
    return list_page(
        request,
        IncidentFilter,
        Incident.objects.select_related("reported_by"),
        template="quality/incidents/list.html",
        columns=incident_columns(),
        filename="incidents.csv",
        context={"may_report": request.user.has_perm(incidents.REPORT_PERMISSION)},
        rows=incident_rows,
    )


@requires(incidents.REPORT_PERMISSION, "reporting an incident")
def new_incident(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = incidents.report_incident(dict(form.cleaned_data), request.user)
            return redirect("quality-incident", pk=incident.pk)
        except InputError as exc:
            apply_error(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "quality/incidents/new.html", {"form": form}, status=status)


def _incident(pk: int) -> Incident:
    related = ("reported_by", "investigated_by", "closed_by", "closure", "protection_event", "medical_event")
    related += ("qc_result",)
    return object_or_404(Incident.objects.select_related(*related), pk=pk)


def _page(request: HttpRequest, incident: Incident, status: int = 200, **forms) -> HttpResponse:
    tax = incident_taxonomy()
    initial = {
        "root_cause": incident.root_cause,
        "factors": incident.factors,
        "lessons": incident.lessons,
        "medical_event": incident.medical_event_id,
        "protection_event": incident.protection_event_id,
        "qc_result": incident.qc_result_id,
    }
    context = {
        "incident": incident,
        "stage": tax.label("stages", incident.stage),
        "severity": tax.label("severities", incident.severity),
        "factors": [tax.label("factors", f) for f in incident.factors],
        "actions": incidents.actions_for(incident),
        "open": incident.status != Incident.Status.CLOSED,
        "may_investigate": _is_investigator(request.user),
        "investigation_form": forms.get("investigation") or InvestigationForm(initial=initial),
        "action_form": forms.get("action") or ActionForm(),
        "close_form": forms.get("close") or CloseForm(),
        # A step refused on a closed incident has no form on the page: its message is shown on its own.
        "refusals": [e for form in forms.values() for errors in form.errors.values() for e in errors],
    }
    return render(request, "quality/incidents/detail.html", context, status=status)


@requires(VIEW)
def incident_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _incident(pk))


def _is_investigator(user) -> bool:
    return bool(set(user.groups.values_list("name", flat=True)) & {r.value for r in incidents.INVESTIGATORS})


def _step(request: HttpRequest, pk: int, key: str, form_class, apply) -> HttpResponse:
    """One investigator's POST step (403 for anyone else); a refusal re-renders the page with its error."""
    incident = _incident(pk)
    if not _is_investigator(request.user):
        roles = " or ".join(r.label for r in incidents.INVESTIGATORS)
        raise PermissionDenied(f"Investigating, raising actions from and closing an incident needs the role {roles}.")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            apply(incident, form.cleaned_data)
            return redirect("quality-incident", pk=incident.pk)
        except (InputError, SignatureError) as exc:
            apply_error(form, exc)
    return _page(request, incident, 400, **{key: form})


def _investigate(incident: Incident, user, data: dict) -> None:
    """The investigation and the links are saved together or not at all."""
    links = {k: data[k] for k in ("medical_event", "protection_event", "qc_result")}
    with transaction.atomic():
        incidents.investigate(
            incident, user, root_cause=data["root_cause"], factors=list(data["factors"]), lessons=data["lessons"]
        )
        incidents.link_records(incident, user, links)


@require_POST
@requires(VIEW)
def incident_investigation(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "investigation", InvestigationForm, lambda i, d: _investigate(i, request.user, d))


@require_POST
@requires(VIEW)
def incident_action(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "action", ActionForm, lambda i, d: incidents.raise_incident_action(i, request.user, **d))


@require_POST
@requires(VIEW)
def incident_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "close", CloseForm, lambda i, d: incidents.close_incident(i, request.user, d["password"]))


@requires(VIEW)
def incident_export(request: HttpRequest) -> HttpResponse:
    """``?format=csv`` (default) or ``json``: anonymised, dates to the month (see incident_export)."""
    rows = anonymised_rows()
    if request.GET.get("format") == "json":
        response = HttpResponse(to_json(rows), content_type="application/json")
        name = "incidents-anonymised.json"
    else:
        response = HttpResponse(to_csv(rows), content_type="text/csv; charset=utf-8")
        name = "incidents-anonymised.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
