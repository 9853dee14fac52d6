"""The incident list's filter: the project's shared list machinery (:mod:`nmguard.apps.core.listing`:
labelled filter form with errors by the field, paging, CSV), as every other list page, instead of hand-written
``<select>``s. Stage and severity choices are read from the taxonomy when the form is built."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from nmguard.apps.core.listing import Column, ListFilter
from nmguard.apps.quality.incident_models import Incident
from nmguard.reference.incident_taxonomy import IncidentTaxonomy, incident_taxonomy


class IncidentFilter(ListFilter):
    search_fields = ("reference", "description", "location", "radiopharmaceutical")
    search_label = "Reference, text, place or product"
    date_field = "occurred_at"
    status_choices = Incident.Status.choices

    stage = forms.ChoiceField(required=False, label="Stage")
    severity = forms.ChoiceField(required=False, label="Severity")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tax = incident_taxonomy()
        self.fields["stage"].choices = [("", "any"), *IncidentTaxonomy.choices(tax.stages)]
        self.fields["severity"].choices = [("", "any"), *IncidentTaxonomy.choices(tax.severities)]

    def filter_extra(self, queryset: QuerySet, data: dict[str, Any]) -> QuerySet:
        for name in ("stage", "severity"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        return queryset


def incident_columns() -> list[Column]:
    tax = incident_taxonomy()
    return [
        Column("Reference", "reference"),
        Column("Occurred", "occurred_at"),
        Column("Stage", lambda i: tax.label("stages", i.stage)),
        Column("Severity", lambda i: tax.label("severities", i.severity)),
        Column("Near miss", "near_miss"),
        Column("Where", "location"),
        Column("What happened", "description"),
        Column("Status", "get_status_display"),
    ]


def incident_rows(records) -> list[tuple[Incident, str, str]]:
    """Each incident with its stage and severity labels (the template shows labels, never codes)."""
    tax = incident_taxonomy()
    return [(i, tax.label("stages", i.stage), tax.label("severities", i.severity)) for i in records]
