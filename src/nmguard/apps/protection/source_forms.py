"""Forms of the sealed-source pages; parsing only — :mod:`~nmguard.apps.protection.source_services` decides."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from nmguard.apps.core.form_fields import ActivityField, LocalDateTimeField
from nmguard.apps.equipment.models import CheckSource
from nmguard.apps.protection.source_models import SealedSource
from nmguard.web.input_bounds import BoundedFormMixin

_NOW = lambda: timezone.localtime().replace(second=0, microsecond=0)  # noqa: E731
_TODAY = lambda: timezone.localdate()  # noqa: E731
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SourceForm(BoundedFormMixin, forms.Form):
    nuclide = forms.CharField(max_length=16, help_text="e.g. Co-57, Cs-137, Ba-133")
    serial_number = forms.CharField(max_length=120)
    model_number = forms.CharField(max_length=120, required=False)
    activity = ActivityField(label="Certified activity", help_text="e.g. '370 MBq' or '10 mCi'")
    reference_at = LocalDateTimeField(label="Reference date of the activity")
    form = forms.CharField(max_length=120, required=False, label="Physical form")
    gaseous = forms.BooleanField(required=False, label="Gaseous material")
    emission = forms.ChoiceField(choices=SealedSource.Emission.choices)
    use = forms.ChoiceField(choices=SealedSource.Use.choices)
    location = forms.CharField(max_length=200)
    custodian = forms.ModelChoiceField(queryset=get_user_model().objects.filter(is_active=True).order_by("username"))
    received_on = forms.DateField(initial=_TODAY, widget=_DATE, help_text="The first leak test is due on this day")
    check_source = forms.ModelChoiceField(
        queryset=CheckSource.objects.filter(sealed_source__isnull=True),
        required=False,
        label="QC check source",
        help_text="The activity-meter constancy source this is (a withdrawn source is then refused in QC)",
    )

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["activity_Bq"] = data.pop("activity")
        return data


class LeakTestForm(BoundedFormMixin, forms.Form):
    wiped_at = LocalDateTimeField(initial=_NOW, label="Wiped at")
    removable_Bq = forms.FloatField(required=False, label="Removable activity (Bq)", help_text="Or enter counts")
    gross_cpm = forms.FloatField(required=False, label="Gross counts per minute")
    background_cpm = forms.FloatField(required=False, label="Background counts per minute")
    efficiency = forms.FloatField(required=False, label="Counter efficiency (counts per decay)")
    mda_Bq = forms.FloatField(label="Counter MDA (Bq)")
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StatusForm(BoundedFormMixin, forms.Form):
    status = forms.ChoiceField(choices=SealedSource.Status.choices, label="New status")
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class InventoryForm(BoundedFormMixin, forms.Form):
    """One 'seen' box and location per source, then the date, a comment and the signer's password."""

    performed_on = forms.DateField(initial=_TODAY, widget=_DATE, label="Inventory date")
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    password = forms.CharField(widget=forms.PasswordInput, label="Your password (e-signature: verified)")

    def __init__(self, sources, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sources = list(sources)
        for s in self.sources:
            self.fields[f"seen_{s.pk}"] = forms.BooleanField(required=False, label=f"{s} seen", initial=True)
            self.fields[f"location_{s.pk}"] = forms.CharField(
                max_length=200, required=False, label=f"{s}: found at", initial=s.location
            )

    def seen(self) -> dict[int, tuple[bool, str, str]]:
        data = self.cleaned_data
        return {s.pk: (bool(data.get(f"seen_{s.pk}")), data.get(f"location_{s.pk}") or "", "") for s in self.sources}
