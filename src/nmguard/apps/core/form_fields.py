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


class SafetyQuestionField(forms.TypedChoiceField):
    """A safety question: explicit answers as radio buttons, nothing preselected, untouched is an error.

    Why a class of its own: a default answer to a safety question (pregnancy "no", receipt checks
    "passed", the product drawn up "as prescribed") is recorded as if someone had answered it. The
    field refuses an initial value at construction, and the test of every form in the application
    finds safety questions by this class.
    """

    widget = forms.RadioSelect

    def __init__(self, *, label: str, choices, coerce=lambda value: value, **kwargs):
        if kwargs.get("initial") is not None:
            raise ValueError(f"safety question {label!r} must not have a default answer")
        kwargs.setdefault("error_messages", {"required": "answer this question: there is no default"})
        super().__init__(label=label, choices=choices, coerce=coerce, required=True, empty_value=None, **kwargs)


YES_NO = (("yes", "Yes"), ("no", "No"))


def yes_no_question(label: str, **kwargs) -> SafetyQuestionField:
    """A yes/no safety question whose answer is a bool."""
    return SafetyQuestionField(label=label, choices=YES_NO, coerce=lambda value: value == "yes", **kwargs)
