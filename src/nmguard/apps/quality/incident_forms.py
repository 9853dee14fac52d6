"""Forms of the incident pages: parsing only; :mod:`nmguard.apps.quality.incident_services` checks and decides.
Choices come from the taxonomy data (read when the form is built, so an edited taxonomy shows at once)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from nmguard.apps.core.form_fields import LocalDateTimeField
from nmguard.apps.core.roles import Role
from nmguard.apps.equipment.models import QCResult
from nmguard.apps.patients.models import MedicalEvent
from nmguard.apps.protection.event_models import ProtectionEvent
from nmguard.reference.incident_taxonomy import IncidentTaxonomy, incident_taxonomy
from nmguard.web.input_bounds import BoundedFormMixin

_NOW = lambda: timezone.localtime().replace(second=0, microsecond=0)  # noqa: E731
_TEXT = forms.Textarea(attrs={"rows": 3})
PASSWORD_LABEL = "Your password (e-signature)"
_YES_NO = [("yes", "Yes: a near miss, caught before it reached anyone"), ("no", "No: it happened")]


def _choices(kind: str, blank: str) -> list[tuple[str, str]]:
    return [("", blank), *IncidentTaxonomy.choices(getattr(incident_taxonomy(), kind))]


class IncidentForm(BoundedFormMixin, forms.Form):
    """The report: six required answers, the rest optional (designed to take under two minutes)."""

    description = forms.CharField(widget=_TEXT, label="What happened")
    occurred_at = LocalDateTimeField(initial=_NOW, label="When (local time)")
    location = forms.CharField(max_length=200, label="Where (room, area)")
    stage = forms.ChoiceField(label="Process stage")
    severity = forms.ChoiceField(label="Severity")
    near_miss = forms.TypedChoiceField(
        choices=_YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect, label="Near miss?"
    )
    immediate_action = forms.CharField(widget=_TEXT, label="What was done straight away")
    confirm_date = forms.BooleanField(
        required=False, label="I checked the date: it happened more than a year ago (needed only then)"
    )
    radiopharmaceutical = forms.CharField(required=False, max_length=120, label="Radiopharmaceutical (optional)")
    shareable = forms.BooleanField(
        required=False, label="The text above names no patient or colleague and may be shared with a learning system"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = _choices("stages", "Choose the stage")
        self.fields["severity"].choices = _choices("severities", "Choose the severity")


class InvestigationForm(BoundedFormMixin, forms.Form):
    root_cause = forms.CharField(widget=_TEXT, label="Root cause")
    factors = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Contributing factors"
    )
    lessons = forms.CharField(required=False, widget=_TEXT, label="Lessons shared with the staff")
    medical_event = forms.ModelChoiceField(
        queryset=MedicalEvent.objects.order_by("-detected_at"), required=False, label="Medical event"
    )
    protection_event = forms.ModelChoiceField(
        queryset=ProtectionEvent.objects.order_by("-occurred_at"), required=False, label="Protection event"
    )
    qc_result = forms.ModelChoiceField(
        queryset=QCResult.objects.exclude(outcome=QCResult.Outcome.OK).order_by("-performed_at"),
        required=False,
        label="QC failure (out of tolerance)",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["factors"].choices = IncidentTaxonomy.choices(incident_taxonomy().factors)
        self.fields["medical_event"].label_from_instance = lambda e: f"Medical event {e.pk}, {e.detected_at:%Y-%m-%d}"
        self.fields["protection_event"].label_from_instance = lambda e: (
            f"{e.get_kind_display()} {e.occurred_at:%Y-%m-%d} ({e.location})"
        )
        self.fields["qc_result"].label_from_instance = lambda r: (
            f"QC result {r.pk}, {r.performed_at:%Y-%m-%d}: {r.get_outcome_display()}"
        )


def staff_owners():
    """Who may own an action: active accounts that are not only read-only."""
    users = get_user_model().objects.filter(is_active=True).exclude(groups=None)
    return users.exclude(groups__name=Role.READ_ONLY.value).order_by("username").distinct()


class ActionForm(BoundedFormMixin, forms.Form):
    """Raise a corrective or preventive action (also from an incident)."""

    title = forms.CharField(max_length=200, label="Action")
    kind = forms.ChoiceField(choices=[("corrective", "Corrective"), ("preventive", "Preventive")], initial="corrective")
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="Owner")
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due on (local date)")
    confirm_due = forms.BooleanField(
        required=False, label="I checked the date: it is due more than a year ahead (needed only then)"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_owners()


class CloseForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, label=PASSWORD_LABEL)
