"""Find anything on the administration path: patients, prescriptions of any day, medical events, and
the patient picker of the prescription form. Every page uses :mod:`nmguard.apps.core.listing`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.db.models import Exists, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nmguard.apps.core.listing import Column, ListFilter, RecordFilterField, list_page
from nmguard.apps.core.permissions import requires
from nmguard.apps.patients.models import MedicalEvent, Patient, Prescription, SafetyCheck
from nmguard.apps.radiopharmacy.models import Radiopharmaceutical

VIEW = "patients.view_patient"
PICK_LIMIT = 20
PATIENT_SEARCH = ("mrn", "family_name", "given_name")


# ---------------------------------------------------------------- patients
class PatientFilter(ListFilter):
    search_fields = PATIENT_SEARCH
    search_date_fields = ("birth_date",)
    search_label = "Patient ID, name or birth date"


def patient_matches(text: str, limit: int | None = None) -> list[Patient]:
    """Patients whose ID or names contain every word of ``text`` (a date word: the birth date)."""
    form = PatientFilter({"q": text})
    if not text.strip() or not form.is_valid():
        return []
    found = Patient.objects.filter(form.search_q(form.cleaned_data["q"])).order_by("family_name", "given_name", "pk")
    return list(found[:limit] if limit else found)


PATIENT_COLUMNS = [
    Column("Patient ID", "mrn"),
    Column("Family name", "family_name"),
    Column("Given name", "given_name"),
    Column("Birth date", "birth_date"),
    Column("Sex", "get_sex_display"),
    Column("Prescriptions", "n_prescriptions"),
    Column("Last scheduled", "last_scheduled"),
]


def _prescription_summary() -> dict[str, Subquery]:
    """Each patient's prescription count and latest scheduled time as correlated subqueries: the database
    evaluates them for the page's rows only. A ``Count``/``Max`` over the join grouped the whole patient
    table before the page was cut (1.2-1.6 s at 100,000 administrations on SQLite)."""
    theirs = Prescription.objects.filter(patient=OuterRef("pk")).order_by()
    return {
        "n_prescriptions": Subquery(
            theirs.annotate(n=Func("pk", function="COUNT")).values("n"), output_field=IntegerField()
        ),
        "last_scheduled": Subquery(theirs.order_by("-scheduled_for").values("scheduled_for")[:1]),
    }


@requires(VIEW)
def patient_list(request: HttpRequest) -> HttpResponse:
    patients = Patient.objects.annotate(**_prescription_summary()).order_by("family_name", "given_name", "pk")
    return list_page(
        request,
        PatientFilter,
        patients,
        template="patients/lists/patients.html",
        columns=PATIENT_COLUMNS,
        filename="patients.csv",
    )


# ---------------------------------------------------------------- prescriptions
def _blocking_checks() -> QuerySet:
    """Failed, not overridden checks of the outer prescription that no later check of the same kind
    superseded (as :func:`services.current_checks` reads them: by creation time, then pk)."""
    later = SafetyCheck.objects.filter(prescription=OuterRef("prescription"), kind=OuterRef("kind")).filter(
        Q(created_at__gt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
    )
    return SafetyCheck.objects.filter(
        prescription=OuterRef("pk"), outcome=SafetyCheck.Outcome.FAIL, overridden_by__isnull=True
    ).exclude(Exists(later))


NEEDS = [
    ("", "anything"),
    ("checks", "bedside checks (dose measured, checks not yet passed)"),
    ("override", "a physician's override (a current check failed)"),
]
OPEN = (Prescription.Status.PRESCRIBED, Prescription.Status.MEASURED, Prescription.Status.CHECKED)


class PrescriptionFilter(ListFilter):
    search_fields = (
        "patient__mrn",
        "patient__family_name",
        "patient__given_name",
        "protocol__name",
        "protocol__radiopharmaceutical__name",
    )
    search_date_fields = ("patient__birth_date",)
    search_label = "Patient (ID, name, birth date), protocol or product"
    date_field = "scheduled_for"
    status_choices = Prescription.Status.choices

    product = RecordFilterField(
        Radiopharmaceutical.objects.order_by("name"), code_field="catalogue_id", label="Product"
    )
    needs = forms.ChoiceField(required=False, choices=NEEDS, label="Needs")

    def filter_extra(self, queryset: QuerySet, data: dict[str, Any]) -> QuerySet:
        if data.get("product"):
            queryset = queryset.filter(protocol__radiopharmaceutical=data["product"])
        if data.get("needs"):
            blocked = Exists(_blocking_checks())
            if data["needs"] == "override":
                queryset = queryset.filter(blocked, status__in=OPEN)
            else:
                queryset = queryset.filter(~blocked, status=Prescription.Status.MEASURED)
        return queryset


PRESCRIPTION_COLUMNS = [
    Column("Scheduled", "scheduled_for"),
    Column("Patient ID", "patient.mrn"),
    Column("Patient", lambda p: f"{p.patient.family_name}, {p.patient.given_name}"),
    Column("Birth date", "patient.birth_date"),
    Column("Protocol", "protocol.name"),
    Column("Product", "protocol.radiopharmaceutical.name"),
    Column("Prescribed activity (MBq)", lambda p: p.prescribed_activity_Bq / 1e6),
    Column("Status", "get_status_display"),
    Column("Prescribed by", lambda p: str(p.prescribed_by)),
    Column("Administered", lambda p: _administration(p) and _administration(p).administered_at),
    Column(
        "Administered activity (MBq)",
        lambda p: _administration(p) and _administration(p).administered_activity_Bq / 1e6,
    ),
]


def _administration(prescription: Prescription):
    return getattr(prescription, "administration", None)


@requires(VIEW)
def prescription_list(request: HttpRequest) -> HttpResponse:
    prescriptions = Prescription.objects.select_related(
        "patient", "protocol__radiopharmaceutical", "prescribed_by", "administration"
    ).order_by("-scheduled_for", "-pk")
    return list_page(
        request,
        PrescriptionFilter,
        prescriptions,
        template="patients/lists/prescriptions.html",
        columns=PRESCRIPTION_COLUMNS,
        filename="prescriptions.csv",
    )


# ---------------------------------------------------------------- medical events
class MedicalEventFilter(ListFilter):
    search_fields = (
        "administration__prescription__patient__mrn",
        "administration__prescription__patient__family_name",
        "administration__prescription__patient__given_name",
        "administration__prescription__protocol__name",
        "profile",
    )
    search_label = "Patient, protocol or profile"
    date_field = "detected_at"
    status_choices = MedicalEvent.Status.choices


MEDICAL_EVENT_COLUMNS = [
    Column("Detected", "detected_at"),
    Column("Patient ID", "administration.prescription.patient.mrn"),
    Column("Patient", lambda e: str(e.administration.prescription.patient)),
    Column("Protocol", "administration.prescription.protocol.name"),
    Column("Administered", "administration.administered_at"),
    Column("Profile", "profile"),
    Column("Criteria met", lambda e: "; ".join(c.get("description", "") for c in e.criteria)),
    Column("Status", "get_status_display"),
    Column("Notes", "notes"),
]


def medical_event_list(
    request: HttpRequest, extra: dict[str, Any], rows: Callable[[Sequence[Any]], Sequence[Any]] | None = None
) -> HttpResponse:
    """The medical-events page (``views.medical_events`` passes rows with their step forms)."""
    from nmguard.apps.patients import services

    events = MedicalEvent.objects.select_related(
        "administration__prescription__patient", "administration__prescription__protocol"
    ).order_by("-detected_at", "-pk")
    return list_page(
        request,
        MedicalEventFilter,
        events,
        template="patients/medical_events.html",
        columns=MEDICAL_EVENT_COLUMNS,
        filename="medical-events.csv",
        context=extra,
        rows=rows or services.medical_event_rows,
    )


# ---------------------------------------------------------------- patient picker
@requires(VIEW)
def patient_pick(request: HttpRequest) -> HttpResponse:
    """The patients matching ``q`` (at most 20) as the picker's choices: htmx swaps them into the
    prescription form; without JavaScript the form's own search shows the same list."""
    query = request.GET.get("q", "")
    chosen = request.GET.get("patient", "")
    selected = Patient.objects.filter(pk=chosen).first() if chosen.isdigit() else None
    return render(request, "patients/_patient_choices.html", picker_context(query, selected))


def picker_context(query: str, selected: Patient | None) -> dict[str, Any]:
    """The picker's choices: the chosen patient first, then up to 20 matches of ``query``."""
    found = patient_matches(query, PICK_LIMIT + 1) if query else []
    choices = ([selected] if selected else []) + [p for p in found[:PICK_LIMIT] if p != selected]
    return {"query": query, "choices": choices, "selected": selected, "more": len(found) > PICK_LIMIT}
