"""Forms of the investigation and protection-event pages: parsing only; the services check and decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from nmguard.apps.core.form_fields import LocalDateTimeField
from nmguard.apps.protection.event_models import QUANTITIES, ProtectionEvent
from nmguard.apps.protection.models import Worker
from nmguard.web.input_bounds import BoundedFormMixin

_NOW = lambda: timezone.localtime().replace(second=0, microsecond=0)  # noqa: E731
_TEXT = forms.Textarea(attrs={"rows": 3})
PASSWORD_LABEL = "Your password (e-signature)"


class OpenInvestigationForm(forms.Form):
    """The alert an investigation answers (sent by the button next to the alert)."""

    year = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.ChoiceField(choices=QUANTITIES, widget=forms.HiddenInput)


class InvestigationForm(BoundedFormMixin, forms.Form):
    findings = forms.CharField(required=False, widget=_TEXT)
    cause = forms.CharField(required=False, widget=_TEXT)
    actions = forms.CharField(required=False, widget=_TEXT, label="Actions taken")


class CloseInvestigationForm(InvestigationForm):
    password = forms.CharField(widget=forms.PasswordInput, label=PASSWORD_LABEL)


class EventForm(BoundedFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("", "Choose the kind"), *ProtectionEvent.Kind.choices])
    occurred_at = LocalDateTimeField(initial=_NOW, label="When (local time)")
    location = forms.CharField(max_length=200, label="Where")
    description = forms.CharField(widget=_TEXT, label="What happened")
    workers = forms.ModelMultipleChoiceField(
        queryset=Worker.objects.filter(active=True), required=False, label="Workers involved"
    )
    others_involved = forms.CharField(required=False, max_length=300, label="Others involved (not in the register)")
    estimated_dose_mSv = forms.FloatField(required=False, min_value=0, label="Largest estimated dose (mSv)")
    actions = forms.CharField(required=False, widget=_TEXT, label="Actions taken")
    incident_ref = forms.CharField(required=False, max_length=64, label="Incident register reference (if any)")


class CloseEventForm(forms.Form):
    actions = forms.CharField(widget=_TEXT, label="Actions taken")
    password = forms.CharField(widget=forms.PasswordInput, label=PASSWORD_LABEL)
