"""Forms of the release pages: the assessment (prefilled from the cycle) and the signature."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from nmguard.apps.core.form_fields import ActivityField, LocalDateTimeField, yes_no_question
from nmguard.apps.therapy.release_models import ReleaseDecision
from nmguard.apps.therapy.release_services import Assessment
from nmguard.errors import InputError
from nmguard.physics.units import parse_dose


class DoseRateField(forms.CharField):
    """Text such as '20 uSv/h' → µSv/h (the units module's parser; the error names what it could not read)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_dose(value, "dose_rate_1m", per="h") * 1e6
        except InputError as exc:
            raise forms.ValidationError(exc.message.split(": ", 1)[-1]) from None


class ReleaseAssessmentForm(forms.Form):
    nuclide = forms.CharField(max_length=16, label="Nuclide (the administration's when there is one)")
    activity = ActivityField(
        required=False, label="Activity in the patient (empty: the administered activity; required if retained)"
    )
    retained_activity = forms.BooleanField(
        required=False, label="The activity is retained (measured), not administered"
    )
    method = forms.ChoiceField(choices=ReleaseDecision.Method.choices)
    basis = forms.ChoiceField(choices=ReleaseDecision.Basis.choices, label="Decided on")
    condition = forms.ChoiceField(
        choices=ReleaseDecision.Condition.choices, required=False, label="Condition (I-131 uptake model only)"
    )
    dose_rate_1m = DoseRateField(required=False, label="Dose rate measured at 1 m (e.g. 25 uSv/h)")
    dose_rate_instrument = forms.CharField(max_length=120, required=False, label="Survey meter")
    dose_rate_measured_at = LocalDateTimeField(required=False, label="Measured at")
    occupancy = forms.FloatField(required=False, label="Occupancy factor at 1 m (empty: the guide's)")
    effective_half_life_d = forms.FloatField(required=False, label="Effective half-life in days (empty: physical)")
    breastfeeding_patient = yes_no_question("Is the patient breast-feeding?")
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Reason (required for a re-assessment)"
    )

    def assessment(self) -> Assessment:
        d = self.cleaned_data
        measured = d["dose_rate_measured_at"]
        if measured is not None and timezone.is_naive(measured):
            measured = timezone.make_aware(measured)
        return Assessment(
            method=d["method"],
            basis=d["basis"],
            condition=d["condition"] or "",
            nuclide=d["nuclide"],
            activity_Bq=d["activity"],
            retained_activity=d["retained_activity"],
            dose_rate_1m_uSv_h=d["dose_rate_1m"],
            dose_rate_instrument=d["dose_rate_instrument"],
            dose_rate_measured_at=measured,
            occupancy=d["occupancy"],
            effective_half_life_d=d["effective_half_life_d"],
            breastfeeding_patient=d["breastfeeding_patient"],
            reason=d["reason"],
        )


class SignReleaseForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, label="Your password (e-signature)")
    statement = forms.CharField(required=False, max_length=300, label="Statement (optional)")
