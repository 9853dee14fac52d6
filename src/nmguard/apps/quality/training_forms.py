"""Forms of the training and competence pages: parsing only; the services check and decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from nmguard.apps.quality.training_models import Task, Training
from nmguard.web.input_bounds import BoundedFormMixin

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PASSWORD_LABEL = "Your password (e-signature)"


def _people():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class RecordTrainingForm(BoundedFormMixin, forms.Form):
    person = forms.ModelChoiceField(queryset=_people())
    training = forms.ModelChoiceField(queryset=Training.objects.order_by("name"))
    completed_on = forms.DateField(widget=_DATE, initial=timezone.localdate, label="Completed on (local date)")
    evidence = forms.CharField(max_length=300, label="Evidence (certificate, course, attendance list)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people()  # users added after start-up


class SignCompetenceForm(BoundedFormMixin, forms.Form):
    person = forms.ModelChoiceField(queryset=_people())
    task = forms.ChoiceField(choices=Task.choices)
    valid_from = forms.DateField(widget=_DATE, initial=timezone.localdate, label="Valid from (local date)")
    assessment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="How the competence was assessed")
    password = forms.CharField(widget=forms.PasswordInput, label=PASSWORD_LABEL)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people()


class TaskGuardForm(BoundedFormMixin, forms.Form):
    task = forms.ChoiceField(choices=Task.choices)
    enforced = forms.BooleanField(required=False, label="Block the task without a valid competence")
    reason = forms.CharField(required=False, max_length=2000, label="Reason (needed to switch the block off)")
