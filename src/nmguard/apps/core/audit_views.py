"""The audit trail page: filter the events (user, record type, record, dates, action), read each event's
before/after field by field, and export the filtered events as CSV.

Dates are calendar days in the department's zone (``TIME_ZONE``, Europe/Vienna): ``to`` includes its
whole day. A filter value that cannot be read is shown as an error next to its field and the page lists
nothing rather than everything, so that a typo never looks like an empty or a complete trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from nmguard.apps.core import audit
from nmguard.apps.core.listing import Column, ListFilter, csv_response, paginate
from nmguard.apps.core.models import AuditEvent
from nmguard.apps.core.permissions import requires
from nmguard.apps.core.records import AuditedModel

PAGE_SIZE = 50
# events written outside the model's Action choices (the DICOM listener, backup and restore); adding them
# to the choices would need a migration of the append-only table for no change of data
OTHER_ACTIONS = (
    ("dicom_received", "DICOM received"),
    ("backup_written", "Backup written"),
    ("backup_restored", "Backup restored"),
)


def record_types() -> list[tuple[str, str]]:
    """(label, readable name) of every audited model, plus users: the record types an event can name."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    models = [m for m in apps.get_models() if issubclass(m, AuditedModel) or m is user_model]
    return sorted(((m._meta.label, str(m._meta.verbose_name).capitalize()) for m in models), key=lambda c: c[1])


class AuditFilter(ListFilter):
    """The audit trail's query: the shared ``from``/``to`` (department days) and ``page``/``format``, and
    the trail's own user, record type, record and action."""

    date_field = "at"

    user = forms.CharField(required=False, max_length=150, label="User", help_text="user name")
    model = forms.ChoiceField(required=False, label="Record type")
    object = forms.CharField(required=False, max_length=64, label="Record id")
    action = forms.ChoiceField(required=False, label="Action")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "id_audit_%s")
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "any"), *record_types()]
        self.fields["action"].choices = [("", "any"), *AuditEvent.Action.choices, *OTHER_ACTIONS]

    def filter_extra(self, queryset: QuerySet, data: dict) -> QuerySet:
        if data.get("user"):
            queryset = queryset.filter(actor_username__iexact=data["user"].strip())
        if data.get("model"):
            queryset = queryset.filter(model_label=data["model"])
        if data.get("object"):
            queryset = queryset.filter(object_id=data["object"].strip())
        if data.get("action"):
            queryset = queryset.filter(action=data["action"])
        return queryset


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str | None
    after: str | None


def _labels(model_label: str) -> dict[str, str]:
    """Field attname → verbose name for a model label; empty when the label names no model."""
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        return {}
    return {f.attname: str(f.verbose_name) for f in model._meta.concrete_fields}


def changes(event: AuditEvent) -> list[FieldChange]:
    """The fields an event changed, in the record's field order: every field with a value for a creation,
    the fields whose value differs for an update (role changes, stored as lists, compared the same way)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    labels = _labels(event.model_label)
    names = list(after) + [n for n in before if n not in after]
    out = []
    for name in names:
        old, new = before.get(name), after.get(name)
        if old == new or (not before and new in (None, "")):
            continue
        out.append(FieldChange(name, labels.get(name, name.replace("_", " ")), _shown(old), _shown(new)))
    return out


def _shown(value: object) -> str | None:
    if value is None:
        return None
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _diff_text(event: AuditEvent) -> str:
    return "; ".join(f"{c.field}: {'∅' if c.before is None else c.before} → {c.after}" for c in changes(event))


CSV_COLUMNS = [
    Column("seq", "seq"),
    Column("at", "at"),
    Column("user", "actor_username"),
    Column("action", "action"),
    Column("record type", "model_label"),
    Column("record id", "object_id"),
    Column("reason", "reason"),
    Column("changes", _diff_text),
    Column("hash", "hash"),
]


@requires("core.view_auditevent", "reading the audit trail")
def audit_trail(request: HttpRequest) -> HttpResponse:
    form = AuditFilter(request.GET)
    events = AuditEvent.objects.order_by("-seq").select_related("actor")
    events = form.filter(events) if form.is_valid() else events.none()
    if form.wants_csv:
        return csv_response(events, CSV_COLUMNS, f"audit-{timezone.localdate():%Y%m%d}.csv")
    page = paginate(events, form.page_number, PAGE_SIZE)
    report = audit.verify_all(checkpoint=True).as_dict() if request.GET.get("verify") == "1" else None
    return render(
        request,
        "core/audit.html",
        {"form": form, "page": page, "rows": [(e, changes(e)) for e in page], "report": report},
    )
