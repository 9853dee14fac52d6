"""Forms of the management-review meeting pages: parsing only; :mod:`review_meeting_services` checks and decides."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from nmguard.apps.core.roles import Role
from nmguard.apps.quality.incident_forms import ActionForm, CloseForm
from nmguard.web.input_bounds import BoundedFormMixin

_DATE = forms.DateInput(attrs={"type": "date"})
_TEXT = forms.Textarea(attrs={"rows": 4})

__all__ = ["MeetingActionForm", "MeetingForm", "SignForm"]


class MeetingForm(BoundedFormMixin, forms.Form):
    held_on = forms.DateField(widget=_DATE, label="Held on (local date)")
    confirm_date = forms.BooleanField(
        required=False, label="I checked the date: the meeting was more than a year ago (needed only then)"
    )
    period_start = forms.DateField(widget=_DATE, label="Period reviewed: first day")
    period_end = forms.DateField(widget=_DATE, label="Period reviewed: last day")
    chair = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="Chair (signs the minutes)")
    attendees = forms.CharField(widget=_TEXT, label="Attendees (names and roles)")
    inputs_reviewed = forms.CharField(required=False, widget=_TEXT, label="Inputs reviewed")
    decisions = forms.CharField(required=False, widget=_TEXT, label="Decisions")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True, groups__name=Role.QUALITY_MANAGER.value)
        self.fields["chair"].queryset = users.order_by("username").distinct()


class MeetingActionForm(ActionForm):
    """An action decided at the meeting (raised as a CAPA from the meeting)."""

    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


SignForm = CloseForm  # the chair's password, as for every other e-signature
