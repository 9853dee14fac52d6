"""Forms of the CAPA pages: parsing only; :mod:`nmguard.apps.quality.capa_services` checks and decides. The list's
filter is the shared list form (:mod:`nmguard.apps.core.listing`), as on every other list page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from nmguard.apps.core.listing import Column, ListFilter, RecordFilterField
from nmguard.apps.quality.capa_models import CorrectiveAction
from nmguard.apps.quality.capa_services import overdue
from nmguard.apps.quality.incident_forms import ActionForm, staff_owners
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


class ActionFilter(ListFilter):
    search_fields = ("title", "source", "source_ref", "description")
    search_label = "Action, source or reference"
    date_field = "due_on"
    status_choices = CorrectiveAction.Status.choices

    owner = RecordFilterField(staff_owners(), label="Owner")
    overdue = forms.BooleanField(required=False, label="Overdue only")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_owners()  # accounts added after start-up

    def filter_extra(self, queryset: QuerySet, data: dict[str, Any]) -> QuerySet:
        if data.get("owner"):
            queryset = queryset.filter(owner=data["owner"])
        if data.get("overdue"):  # the same rule as the dashboard's count: open and past due
            queryset = queryset.filter(pk__in=overdue().values("pk"))
        return queryset


ACTION_COLUMNS = [
    Column("CAPA", "pk"),
    Column("Action", "title"),
    Column("Kind", "get_kind_display"),
    Column("Raised from", "source"),
    Column("Reference", "source_ref"),
    Column("Owner", "owner.username"),
    Column("Due on", "due_on"),
    Column("Status", "get_status_display"),
]
