"""Forms of the administration path. They parse and validate input; services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from nmguard.apps.core.form_fields import ActivityField, LocalDateTimeField
from nmguard.apps.equipment.models import Equipment, first_usable_activity_meter
from nmguard.apps.patients.models import Administration, Patient, Protocol
from nmguard.apps.radiopharmacy.models import Radiopharmaceutical


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = ["mrn", "family_name", "given_name", "birth_date", "sex"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("birth date lies in the future")
        return value


class PrescriptionForm(forms.Form):
    patient = forms.ModelChoiceField(Patient.objects.all())
    protocol = forms.ModelChoiceField(Protocol.objects.filter(active=True))
    scheduled_for = LocalDateTimeField()
    weight_kg = forms.FloatField(required=False, min_value=0.1, max_value=350, label="Weight (kg)")
    activity = ActivityField(required=False, label="Activity (leave empty for the protocol's)")
    override_reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MeasurementForm(forms.Form):
    activity_meter = forms.ModelChoiceField(
        Equipment.objects.filter(kind=Equipment.Kind.ACTIVITY_METER), initial=first_usable_activity_meter
    )
    activity = ActivityField(label="Syringe reading")
    measured_at = LocalDateTimeField(initial=lambda: timezone.localtime().replace(second=0, microsecond=0))


class ChecksForm(forms.Form):
    patient_id = forms.CharField(label="Patient ID (asked / wristband)")
    birth_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Birth date (asked)")
    pregnancy = forms.ChoiceField(
        choices=[("not_pregnant", "Not pregnant"), ("pregnant", "Pregnant"), ("unknown", "Unknown / not sure")],
        initial="not_pregnant",
    )
    breastfeeding = forms.BooleanField(required=False, label="Breast-feeding")
    breastfeeding_advice_given = forms.BooleanField(required=False, label="Interruption advice given")
    previous_reaction = forms.BooleanField(required=False, label="Allergy or previous reaction to this product")
    reaction_note = forms.CharField(required=False)
    radiopharmaceutical = forms.ModelChoiceField(
        Radiopharmaceutical.objects.filter(active=True), label="Product drawn up"
    )
    planned_at = LocalDateTimeField(
        label="Planned injection time", initial=lambda: timezone.localtime().replace(second=0, microsecond=0)
    )


class AdministrationForm(forms.Form):
    administered_at = LocalDateTimeField(initial=lambda: timezone.localtime().replace(second=0, microsecond=0))
    route = forms.ChoiceField(choices=Administration.Route.choices)
    site = forms.CharField(required=False, initial="left antecubital vein")
    residual = ActivityField(required=False, label="Residual in syringe")
    residual_measured_at = LocalDateTimeField(required=False)
    extravasation = forms.BooleanField(required=False)
    extravasation_follow_up = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    adverse_reaction = forms.CharField(required=False)


class OverrideForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    password = forms.CharField(widget=forms.PasswordInput, label="Your password (e-signature)")


class MedicalEventStepForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Report reference / findings")
    password = forms.CharField(widget=forms.PasswordInput, label="Your password (e-signature)")


class DoseReportUploadForm(forms.Form):
    file = forms.FileField(label="RRDSR file (DICOM)")
