"""Forms of the audit pages: parsing only; :mod:`audit_services` and :mod:`clinical_audit` check and decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import capfirst

from nmguard.apps.quality.audit_models import Audit, AuditChecklist
from nmguard.apps.quality.clinical_audit import CRITERIA
from nmguard.web.input_bounds import BoundedFormMixin

PASSWORD_LABEL = "Your password (e-signature)"
LEVEL_CHOICES = [("", "Not answered"), ("na", "N/A"), *[(str(n), str(n)) for n in range(5)]]
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StartAuditForm(BoundedFormMixin, forms.Form):
    checklist = forms.ModelChoiceField(queryset=AuditChecklist.objects.all(), empty_label=None)
    mode = forms.ChoiceField(choices=Audit.Mode.choices)
    audited_on = forms.DateField(widget=_DATE, initial=timezone.localdate, label="Audit date")
    confirm_date = forms.BooleanField(
        required=False, label="I checked the date: the audit was more than a year ago (needed only then)"
    )
    auditors = forms.CharField(max_length=300)
    scope = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportChecklistForm(forms.Form):
    file = forms.FileField(label="Checklist file (.toml or .csv)")
    checklist_id = forms.CharField(required=False, max_length=60, label="Checklist id (CSV only)")
    title = forms.CharField(required=False, max_length=200, label="Title (CSV only)")


class AnswerForm(BoundedFormMixin, forms.Form):
    item_id = forms.CharField(widget=forms.HiddenInput, max_length=20)
    level = forms.ChoiceField(choices=LEVEL_CHOICES[1:], label="Level")
    comment = forms.CharField(required=False, max_length=2000)


class EvidenceForm(BoundedFormMixin, forms.Form):
    item_id = forms.CharField(widget=forms.HiddenInput, max_length=20)
    model_label = forms.ChoiceField(choices=[], label="Record kind")
    object_pk = forms.CharField(max_length=64, label="Record number")

    def __init__(self, *args, labels: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model_label"].choices = [(x, _kind(x)) for x in labels]


def _kind(label: str) -> str:
    """A record kind as a person names it ("Corrective action"), not its model label ("quality.CorrectiveAction")."""
    from django.apps import apps

    return capfirst(apps.get_model(label)._meta.verbose_name)


class FindingForm(BoundedFormMixin, forms.Form):
    item_id = forms.ChoiceField(choices=[], required=False, label="Item (empty: an auditor's note)")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.filter(is_active=True).order_by("username"))
    due_on = forms.DateField(widget=_DATE, label="Action due on")
    confirm_due = forms.BooleanField(
        required=False, label="I checked the date: it is due more than a year ahead (needed only then)"
    )

    def __init__(self, *args, items: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_id"].choices = [("", "—"), *items]


class FinaliseForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, label=PASSWORD_LABEL)


class ClinicalAuditForm(BoundedFormMixin, forms.Form):
    criterion = forms.ChoiceField(choices=[(c.key, c.title) for c in CRITERIA.values()])
    period_start = forms.DateField(widget=_DATE)
    period_end = forms.DateField(widget=_DATE)
    standard_percent = forms.FloatField(label="Standard (target %)")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
