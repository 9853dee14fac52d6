"""Printouts of the administration area: the patient's dose report and the medical-event report.

Pages of their own, without forms, laid out to be printed (the navigation is hidden in print) and
filed: every number with its basis, so that the paper answers the questions a reader would ask.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from nmguard.apps.core.models import Signature
from nmguard.apps.core.permissions import requires
from nmguard.apps.patients import services
from nmguard.apps.patients.models import Administration, MedicalEvent, Patient
from nmguard.web.input_bounds import object_or_404

VIEW = "patients.view_patient"


@dataclass(frozen=True)
class DrlComparison:
    """An administered activity against the protocol's diagnostic reference level (DRL) as stored with
    the protocol and its source. No DRL: nothing is compared."""

    drl_MBq: float | None
    source: str
    ratio: float | None

    @property
    def percent(self) -> float | None:
        return None if self.ratio is None else 100.0 * self.ratio

    @property
    def above(self) -> bool:
        return self.ratio is not None and self.ratio > 1.0


def drl_comparison(administration: Administration | None) -> DrlComparison | None:
    if administration is None:
        return None
    protocol = administration.prescription.protocol
    if not protocol.drl_MBq:
        return DrlComparison(None, "", None)
    ratio = administration.administered_activity_Bq / (protocol.drl_MBq * 1e6)
    return DrlComparison(protocol.drl_MBq, protocol.drl_source, ratio)


@requires(VIEW, "printing a patient's dose report")
def patient_dose_report(request: HttpRequest, pk: int) -> HttpResponse:
    patient = object_or_404(Patient, pk=pk)
    history = services.dose_history(patient)
    ids = [row.administration_id for row in history if row.administration_id]
    administrations = Administration.objects.select_related(
        "prescription__protocol__radiopharmaceutical", "administered_by"
    ).in_bulk(ids)
    rows = [
        (row, administrations.get(row.administration_id), drl_comparison(administrations.get(row.administration_id)))
        for row in history
    ]
    return render(
        request,
        "patients/print/dose_report.html",
        {
            "patient": patient,
            "rows": rows,
            "total_mSv": sum(row.effective_dose_mSv or 0.0 for row in history),
            "printed_at": timezone.now(),
        },
    )


@requires(VIEW, "printing a medical-event report")
def medical_event_report(request: HttpRequest, pk: int) -> HttpResponse:
    event = object_or_404(
        MedicalEvent.objects.select_related(
            "administration__prescription__patient",
            "administration__prescription__protocol__radiopharmaceutical",
            "administration__prescription__prescribed_by",
            "administration__administered_by",
        ),
        pk=pk,
    )
    (row,) = services.medical_event_rows([event])
    administration = event.administration
    prescribed = administration.prescription.prescribed_activity_Bq
    signatures = Signature.objects.filter(model_label=event._meta.label, object_id=str(event.pk)).order_by("signed_at")
    return render(
        request,
        "patients/print/medical_event.html",
        {
            "e": event,
            "a": administration,
            "p": administration.prescription,
            "steps": row.steps,
            "deviation_percent": 100.0 * (administration.administered_activity_Bq - prescribed) / prescribed
            if prescribed
            else None,
            "signatures": signatures,
            "printed_at": timezone.now(),
        },
    )
