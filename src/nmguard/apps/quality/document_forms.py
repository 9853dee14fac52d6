"""Forms of the document-control pages: parsing only; :mod:`document_services` checks and decides."""

from __future__ import annotations

from django import forms

from nmguard.apps.core.roles import ROLE_LABELS, Role
from nmguard.apps.quality.document_models import ControlledDocument
from nmguard.web.input_bounds import BoundedFormMixin

PASSWORD_LABEL = "Your password (e-signature)"
ROLE_CHOICES = [(r.value, ROLE_LABELS[r]) for r in Role if r is not Role.READ_ONLY]


class DocumentForm(BoundedFormMixin, forms.Form):
    number = forms.CharField(max_length=40, label="Number (e.g. SOP-HL-001)")
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ControlledDocument.Kind.choices)
    task = forms.CharField(max_length=64, required=False, label="Task it governs (e.g. hotlab-batch, qc-entry)")
    applies_to = forms.MultipleChoiceField(
        choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple, label="Staff who must read it"
    )
    review_interval_months = forms.IntegerField(
        required=False, min_value=1, max_value=120, label="Review interval (months; empty: the policy's)"
    )


class VersionForm(BoundedFormMixin, forms.Form):
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 10}), label="Text of the version")
    file = forms.FileField(required=False, label="Or the document's file")
    change_summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="What changed")


class SignForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, label=PASSWORD_LABEL)
