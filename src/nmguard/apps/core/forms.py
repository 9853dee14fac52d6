"""Forms of the core pages: role change requests and their signed decisions."""

from __future__ import annotations

from django import forms

from nmguard.apps.core.models import RoleChange
from nmguard.apps.core.roles import ROLE_LABELS, Role


class RoleChangeRequestForm(forms.Form):
    action = forms.ChoiceField(choices=RoleChange.Action.choices)
    role = forms.ChoiceField(choices=[("", "Choose the role")] + [(r.value, ROLE_LABELS[r]) for r in Role])
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why (shown to the approver)")


class RoleChangeDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.HiddenInput)
    reason = forms.CharField(required=False, label="Reason (required to reject)")
    password = forms.CharField(widget=forms.PasswordInput, label="Your password (e-signature)")
