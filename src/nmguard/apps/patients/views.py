"""Pages of the administration path. Thin: parse a form, call a service, show the result."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from nmguard.apps.core.permissions import requires
from nmguard.apps.core.web import apply_error
from nmguard.apps.patients import services
from nmguard.apps.patients.drl import drl_overview
from nmguard.apps.patients.forms import (
    AdministrationForm,
    ChecksForm,
    DoseReportUploadForm,
    MeasurementForm,
    MedicalEventStepForm,
    OverrideForm,
    PatientCorrectionForm,
    PatientForm,
    PrescriptionForm,
)
from nmguard.apps.patients.lists import medical_event_list
from nmguard.apps.patients.models import MedicalEvent, Patient, Prescription, SafetyCheck
from nmguard.apps.patients.permissions import action_required, allowed
from nmguard.errors import InputError

VIEW = "patients.view_patient"


@requires(VIEW)
def worklist(request: HttpRequest) -> HttpResponse:
    day = timezone.localdate()
    if request.GET.get("day"):
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(request.GET["day"])
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    items = (
        Prescription.objects.filter(scheduled_for__gte=start, scheduled_for__lt=start + dt.timedelta(days=1))
        .select_related("patient", "protocol__radiopharmaceutical")
        .order_by("scheduled_for")
    )
    return render(request, "patients/worklist.html", {"items": items, "day": day, "can": allowed(request.user)})


@login_required
@action_required("register_patient")
def patient_new(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.register_patient(**form.cleaned_data, user=request.user)
        except InputError as exc:
            apply_error(form, exc)
        else:
            return redirect("patient-detail", pk=patient.pk)
    return render(request, "patients/form.html", {"form": form, "title": "New patient"})


@login_required
@action_required("correct_patient")
def patient_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a typing error in a patient's details (ID, names, birth date, sex): audited, with a reason."""
    patient = get_object_or_404(Patient, pk=pk)
    form = PatientCorrectionForm(request.POST or None, initial=_details(patient))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.correct_patient(patient, **data, user=request.user)
        except InputError as exc:
            apply_error(form, exc)
        else:
            for text in review:
                messages.warning(request, text)
            messages.success(request, "Details corrected; the change and its reason are in the audit trail.")
            return redirect("patient-detail", pk=patient.pk)
    return render(request, "patients/form.html", {"form": form, "title": f"Correct details of {patient}"})


def _details(patient: Patient) -> dict:
    return {f: getattr(patient, f) for f in services.PATIENT_FIELDS}


@requires(VIEW)
def patient_detail(request: HttpRequest, pk: int, upload_form=None) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=pk)
    history = services.dose_history(patient)
    return render(
        request,
        "patients/patient.html",
        {
            "patient": patient,
            "history": history,
            "total_mSv": sum(row.effective_dose_mSv or 0.0 for row in history),
            "prescriptions": patient.prescriptions.order_by("-scheduled_for"),
            "upload_form": upload_form or DoseReportUploadForm(),
            "can": allowed(request.user),
        },
    )


@login_required
@action_required("prescribe")
def prescription_new(request: HttpRequest) -> HttpResponse:
    initial = {"patient": request.GET.get("patient")}
    form = PrescriptionForm(request.POST or None, initial=initial, patient_query=request.GET.get("q", ""))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            prescription = services.prescribe(
                patient=data["patient"],
                protocol=data["protocol"],
                scheduled_for=data["scheduled_for"],
                weight_kg=data["weight_kg"],
                prescriber=request.user,
                activity_MBq=data["activity"] / 1e6 if data["activity"] else None,
                override_reason=data["override_reason"],
                signature_password=data["signature_password"],
            )
        except InputError as exc:
            apply_error(form, exc)
        else:
            return redirect("prescription-detail", pk=prescription.pk)
    return render(request, "patients/prescription_form.html", {"form": form, "title": "New prescription"})


def _checks_form(prescription: Prescription, data=None) -> ChecksForm:
    """The checks form with the pregnancy questions where the profile's age range makes them apply."""
    question = services.pregnancy_question(prescription)
    return ChecksForm(data, ask_pregnancy=question.ask, ask_reason=question.reason)


def _step_forms(prescription: Prescription) -> dict:
    return {
        "measure_form": MeasurementForm(),
        "checks_form": _checks_form(prescription),
        "administer_form": AdministrationForm(),
        "override_form": OverrideForm(),
        "blank_override_form": OverrideForm(),
    }


@requires(VIEW)
def prescription_detail(request: HttpRequest, pk: int, **forms) -> HttpResponse:
    prescription = get_object_or_404(
        Prescription.objects.select_related("patient", "protocol__radiopharmaceutical", "prescribed_by"), pk=pk
    )
    measurement = prescription.measurements.order_by("-measured_at").first()
    context = {
        "p": prescription,
        "checks": list(services.current_checks(prescription).values()),
        "measurement": measurement,
        "measured_today": bool(measurement) and timezone.localdate(measurement.measured_at) == timezone.localdate(),
        "administration": getattr(prescription, "administration", None),
        "can": allowed(request.user),
        **_step_forms(prescription),
        **forms,
    }
    return render(request, "patients/prescription.html", context)


def _run_step(request: HttpRequest, pk: int, form, action, form_key: str) -> HttpResponse:
    """Validate ``form``, run ``action(prescription, cleaned_data)``; on refusal show the page again
    with the error next to the field the service named."""
    prescription = get_object_or_404(Prescription, pk=pk)
    if form.is_valid():
        try:
            action(prescription, form.cleaned_data)
            return redirect("prescription-detail", pk=pk)
        except InputError as exc:
            apply_error(form, exc)
    return prescription_detail(request, pk, **{form_key: form})


@login_required
@action_required("measure")
def prescription_measure(request: HttpRequest, pk: int) -> HttpResponse:
    def action(prescription, d):
        services.record_measurement(
            prescription,
            meter=d["activity_meter"],
            activity_Bq=d["activity"],
            measured_at=d["measured_at"],
            user=request.user,
        )

    return _run_step(request, pk, MeasurementForm(request.POST), action, "measure_form")


@login_required
@action_required("check")
def prescription_checks(request: HttpRequest, pk: int) -> HttpResponse:
    def action(prescription, d):
        answers = services.CheckAnswers(
            patient_id=d["patient_id"],
            birth_date=d["birth_date"],
            pregnancy=d.get("pregnancy") or None,
            breastfeeding=d.get("breastfeeding"),
            breastfeeding_advice_given=d.get("breastfeeding_advice_given", False),
            previous_reaction=d["previous_reaction"],
            reaction_note=d["reaction_note"],
            radiopharmaceutical_id=d["radiopharmaceutical"].pk,
            planned_at=d["planned_at"],
        )
        services.record_checks(prescription, answers, request.user)

    prescription = get_object_or_404(Prescription, pk=pk)
    return _run_step(request, pk, _checks_form(prescription, request.POST), action, "checks_form")


@login_required
@action_required("administer")
def prescription_administer(request: HttpRequest, pk: int) -> HttpResponse:
    def action(prescription, d):
        data = services.AdministrationInput(
            administered_at=d["administered_at"],
            route=d["route"],
            site=d["site"],
            residual_Bq=d["residual"],
            residual_measured_at=d["residual_measured_at"],
            extravasation=d["extravasation"],
            extravasation_follow_up=d["extravasation_follow_up"],
            adverse_reaction=d["adverse_reaction"],
        )
        services.administer(prescription, data, request.user)

    return _run_step(request, pk, AdministrationForm(request.POST), action, "administer_form")


@login_required
@action_required("override")
def check_override(request: HttpRequest, pk: int, check_pk: int) -> HttpResponse:
    check = get_object_or_404(SafetyCheck, pk=check_pk, prescription_id=pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.override_check(
                check,
                physician=request.user,
                password=form.cleaned_data["password"],
                reason=form.cleaned_data["reason"],
            )
            return redirect("prescription-detail", pk=pk)
        except InputError as exc:
            apply_error(form, exc)
    return prescription_detail(request, pk, override_form=form, override_check_pk=check.pk)


def _event_ids(event_pk: int) -> str:
    """Element ids of one event's reporting-step form: the page shows one form per event, and a label's
    ``for`` must name one element."""
    return f"id_event{event_pk}_%s"


@requires(VIEW)
def medical_events(request: HttpRequest, step_form=None, step_event_pk=None) -> HttpResponse:
    """The list (filters, pages, CSV: ``lists.medical_event_list``), each event with its reporting-step form
    (the refused one, with its errors, for the event just signed)."""

    def with_step_forms(events) -> list[dict]:
        return [
            {
                "event": row.event,
                "steps": row.steps,
                "step_form": step_form
                if step_form is not None and row.event.pk == step_event_pk
                else MedicalEventStepForm(auto_id=_event_ids(row.event.pk)),
            }
            for row in services.medical_event_rows(events)
        ]

    extra = {"can": allowed(request.user), "step_event_pk": step_event_pk}
    return medical_event_list(request, extra, rows=with_step_forms)


@login_required
@action_required("report_medical_event")
def medical_event_advance(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(MedicalEvent, pk=pk)
    form = MedicalEventStepForm(request.POST, auto_id=_event_ids(pk))
    if form.is_valid():
        try:
            services.advance_medical_event(
                event, user=request.user, password=form.cleaned_data["password"], note=form.cleaned_data["note"]
            )
            return redirect("medical-events")
        except InputError as exc:
            apply_error(form, exc)
    return medical_events(request, step_form=form, step_event_pk=pk)


@requires("patients.add_importeddosereport")
def patient_import_report(request: HttpRequest, pk: int) -> HttpResponse:
    from nmguard.apps.patients.exchange import import_rrdsr

    patient = get_object_or_404(Patient, pk=pk)
    form = DoseReportUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            report = import_rrdsr(form.cleaned_data["file"].read(), request.user)
            if report.patient_id != patient.pk:
                return redirect("patient-detail", pk=report.patient_id)
            return redirect("patient-detail", pk=pk)
        except InputError as exc:
            apply_error(form, exc)
    return patient_detail(request, pk, upload_form=form)


@requires(VIEW)
def drl_dashboard(request: HttpRequest) -> HttpResponse:
    days = int(request.GET.get("days", "365")) if request.GET.get("days", "365").isdigit() else 365
    return render(request, "patients/drl.html", {"rows": drl_overview(days), "days": days})
