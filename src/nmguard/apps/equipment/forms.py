"""Forms of the QC programme; parsing only — the services evaluate and decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from nmguard.apps.core.form_fields import ActivityField, LocalDateTimeField
from nmguard.apps.equipment.models import ServiceLogEntry
from nmguard.web.input_bounds import BoundedFormMixin

_NOW = lambda: timezone.localtime().replace(second=0, microsecond=0)  # noqa: E731


class NumericResultForm(BoundedFormMixin, forms.Form):
    performed_at = LocalDateTimeField(initial=_NOW)
    value = forms.FloatField(label="Result")
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ComparedResultForm(BoundedFormMixin, forms.Form):
    """A test compared with a reference (e.g. a survey meter against its check source): both values asked."""

    performed_at = LocalDateTimeField(initial=_NOW)
    value = forms.FloatField(label="Measured")
    reference_value = forms.FloatField(label="Expected (reference)")
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConstancyForm(BoundedFormMixin, forms.Form):
    performed_at = LocalDateTimeField(initial=_NOW)
    reading = ActivityField(label="Reading of the check source")
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImageResultForm(BoundedFormMixin, forms.Form):
    performed_at = LocalDateTimeField(initial=_NOW)
    file = forms.FileField(label="DICOM file (or a .zip of a series)")
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ApprovalForm(BoundedFormMixin, forms.Form):
    comment = forms.CharField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, label="Your password (e-signature)")


class ExemptionForm(BoundedFormMixin, forms.Form):
    """ "Not in use today": the reason is the user's own words (no preset text)."""

    reason = forms.CharField(max_length=200, label="Why not in use today")


class WithdrawExemptionForm(BoundedFormMixin, forms.Form):
    withdrawal_reason = forms.CharField(max_length=200, label="Why in use after all")


class ReturnToServiceForm(BoundedFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="What was done and checked before the return"
    )
    password = forms.CharField(widget=forms.PasswordInput, label="Your password (e-signature)")


class EarlForm(ImageResultForm):
    # no preselected standard: the wrong one passes or fails a scanner, so it is chosen every time
    standard = forms.ChoiceField(
        choices=[("", "Choose the standard"), ("earl1", "EARL 18F standards 1"), ("earl2", "EARL 18F standards 2")]
    )
    sphere_kbq_ml = forms.FloatField(min_value=0.001, label="Sphere concentration (kBq/mL)")
    background_kbq_ml = forms.FloatField(min_value=0.001, required=False, label="Background concentration (kBq/mL)")


class SuvCalibrationForm(ImageResultForm):
    volume_ml = forms.FloatField(min_value=1, label="Phantom volume (mL)")
    activity = ActivityField(required=False, label="Activity put in (empty: from the DICOM header)")


class LinearityForm(BoundedFormMixin, forms.Form):
    performed_at = LocalDateTimeField(initial=_NOW)
    file = forms.FileField(label="CSV with columns time (ISO 8601 with offset) and activity (e.g. '35.2 GBq')")
    nuclide = forms.CharField(help_text="The nuclide of the decaying source (its half-life decides the expected curve)")
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ServiceLogForm(BoundedFormMixin, forms.ModelForm):
    """One entry of a device's service log (the service checks the date and the texts)."""

    class Meta:
        model = ServiceLogEntry
        fields = ["performed_on", "kind", "description", "performed_by"]
        widgets = {
            "performed_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"performed_on": "Done on", "performed_by": "Done by (engineer or company)"}
