"""Forms of the CAPA pages: parsing only; :mod:`nmguard.apps.quality.capa_services` checks and decides."""

from __future__ import annotations

from django import forms

from nmguard.apps.quality.incident_forms import ActionForm
from nmguard.web.input_bounds import BoundedFormMixin

_TEXT = forms.Textarea(attrs={"rows": 3})


class RaiseForm(ActionForm):
    """An action raised on its own (a meeting, a complaint, a suggestion): where it came from is typed."""

    source = forms.CharField(max_length=40, initial="other", label="Raised from (incident, audit, review, …)")
    source_ref = forms.CharField(max_length=80, required=False, label="Reference of that record")
    description = forms.CharField(required=False, widget=_TEXT)


class DoneForm(BoundedFormMixin, forms.Form):
    note = forms.CharField(required=False, widget=_TEXT, label="What was done")


class EffectivenessForm(BoundedFormMixin, forms.Form):
    effectiveness_check = forms.CharField(widget=_TEXT, label="How it was checked that the action worked")
    effective = forms.TypedChoiceField(
        choices=[("yes", "Effective"), ("no", "Not effective: reopen the action")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label="Verdict",
    )


class CancelForm(BoundedFormMixin, forms.Form):
    reason = forms.CharField(max_length=500, widget=_TEXT, label="Why it is cancelled (or which action supersedes it)")
