"""Form fields every area uses: activities as people type them, local date-times."""

from __future__ import annotations

from django import forms

from nmguard.errors import InputError
from nmguard.physics.units import parse_activity

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local", "step": "60"}, format="%Y-%m-%dT%H:%M")


class ActivityField(forms.CharField):
    """Text such as '740 MBq' or '20 mCi' → Bq."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_activity(value)
        except InputError as exc:
            raise forms.ValidationError(exc.message.split(": ", 1)[-1]) from None


class LocalDateTimeField(forms.DateTimeField):
    widget = DATETIME_WIDGET

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)
