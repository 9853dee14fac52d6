"""The bounds of :mod:`nmguard.input_bounds` applied at the web boundary: API schemas (422 naming the
field), forms (the error next to the field) and ids in URLs (404). One set of checks, three adapters."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, ClassVar

from django import forms
from django.db import models
from django.http import Http404
from ninja import Schema
from pydantic import ValidationInfo, field_validator

from nmguard import input_bounds
from nmguard.errors import InputError


def _model_text_limit(limits_from: tuple[type[models.Model], ...], name: str) -> tuple[int, bool]:
    """(max_length, required) of the model field called ``name`` in the first model that has it."""
    for model in limits_from:
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - FieldDoesNotExist, or a relation: not a text field
            continue
        if isinstance(field, models.CharField):
            return field.max_length or input_bounds.MAX_TEXT, not field.blank
    return input_bounds.MAX_TEXT, False


def check_value(value: Any, field: str, limits_from: tuple[type[models.Model], ...] = ()) -> Any:
    """One value of a request (schema field or cleaned form value): text storable and within the model's
    length, numbers finite, dates and instants within the calendar's bounds. Recurses into lists."""
    if isinstance(value, str):
        max_length, required = _model_text_limit(limits_from, field)
        return input_bounds.check_text(value, field, max_length=max_length, required=required)
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{field}: {value} is not a finite number", field)
    if isinstance(value, dt.datetime):
        return input_bounds.check_instant(value, field) if value.tzinfo else value
    if isinstance(value, dt.date):
        return input_bounds.check_date(value, field)
    if isinstance(value, list):
        return [check_value(v, field, limits_from) for v in value]
    return value


class BoundedSchema(Schema):
    """A request body whose every field passes :func:`check_value`; ``text_limits_from`` names the models
    whose CharField lengths (and blank=False) bound the text fields of the same name."""

    text_limits_from: ClassVar[tuple[type[models.Model], ...]] = ()

    @field_validator("*", mode="after")
    @classmethod
    def _bounded(cls, value: Any, info: ValidationInfo) -> Any:
        try:
            return check_value(value, info.field_name, cls.text_limits_from)
        except InputError as exc:
            raise ValueError(exc.message) from None


class BoundedFormMixin:
    """Form mixin: every cleaned value passes :func:`check_value` (activities also the activity bounds); a
    failure is shown next to its field. Text length comes from the form field's own ``max_length``. Runs in
    ``_post_clean`` so that a form's own ``clean`` need not call it."""

    def _post_clean(self):
        from nmguard.apps.core.form_fields import ActivityField

        for name, value in list(getattr(self, "cleaned_data", {}).items()):
            field = self.fields.get(name)  # type: ignore[attr-defined]
            try:
                if isinstance(value, str) and isinstance(field, forms.CharField):
                    input_bounds.check_text(value, name, max_length=field.max_length or input_bounds.MAX_TEXT)
                elif isinstance(field, ActivityField) and isinstance(value, float):
                    input_bounds.check_quantity(value, name, "activity", allow_zero=True)
                else:
                    check_value(value, name)
            except InputError as exc:
                self.add_error(name, exc.message)  # type: ignore[attr-defined]
        super()._post_clean()  # type: ignore[misc]


def object_or_404(queryset, **lookups):
    """``get_object_or_404`` that answers 404 for an id the database cannot hold (beyond 2^63) instead
    of letting the database driver overflow."""
    from django.shortcuts import get_object_or_404

    for key, value in lookups.items():
        if (key == "pk" or key.endswith("_id") or key == "id") and not input_bounds.id_in_range(value):
            raise Http404(f"no record with {key}={str(value)[:40]}")
    return get_object_or_404(queryset, **lookups)
