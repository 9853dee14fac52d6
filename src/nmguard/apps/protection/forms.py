"""Forms of the staff dosimetry pages: the year filter, the upload, the confirmation, a pregnancy declaration."""

from __future__ import annotations

from django import forms

from nmguard.apps.core.listing import DATE_INPUT_FORMATS
from nmguard.apps.protection.staff_sums import PROFILES, WINDOW_YEARS
from nmguard.input_bounds import EARLIEST_DATE, LATEST_DATE
from nmguard.protection.readings import HEADER, MAX_CELL

MAX_UPLOAD_BYTES = 1_000_000  # the page's limit (~18,000 rows, ~50 s to store at ~360 rows/s); larger via the CLI


class YearForm(forms.Form):
    year = forms.IntegerField(
        required=False, min_value=EARLIEST_DATE.year + WINDOW_YEARS, max_value=LATEST_DATE.year, label="Year"
    )
    profile = forms.ChoiceField(
        required=False,
        choices=[("", "Department's jurisdiction"), *((p, p.upper()) for p in PROFILES)],
        label="Profile",
    )


class UploadForm(forms.Form):
    """The file, and for another service's layout the column of its header that holds each generic field."""

    file = forms.FileField(
        label="Dosimetry service file (CSV)",
        error_messages={"required": "Choose the CSV file from the dosimetry service."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in HEADER:
            self.fields[f"map_{name}"] = forms.CharField(
                required=False, max_length=MAX_CELL, label=f"Column for {name} (other layouts only)"
            )

    def mapping(self) -> dict[str, str]:
        """The columns given (empty: the file is in the generic format)."""
        return {n: v for n in HEADER if (v := self.cleaned_data.get(f"map_{n}", "").strip())}

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB: import it with "
                "`nmguard staff-dose import`, or split it."
            )
        return f


class ConfirmForm(forms.Form):
    """The previewed file's text, sent back with the choice (the upload is not kept on the server)."""

    file_name = forms.CharField(max_length=255, widget=forms.HiddenInput)
    content = forms.CharField(widget=forms.HiddenInput, strip=False, max_length=MAX_UPLOAD_BYTES)
    sha256 = forms.CharField(max_length=64, min_length=64, widget=forms.HiddenInput)


class PregnancyForm(forms.Form):
    declared_on = forms.DateField(
        label="Declared on", input_formats=DATE_INPUT_FORMATS, widget=forms.DateInput(attrs={"type": "date"})
    )
    pregnancy_start = forms.DateField(
        required=False,
        label="Start of pregnancy (if known)",
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class EndPregnancyForm(forms.Form):
    ended_on = forms.DateField(
        label="Ended on", input_formats=DATE_INPUT_FORMATS, widget=forms.DateInput(attrs={"type": "date"})
    )


def _dose_field(label: str) -> forms.FloatField:
    return forms.FloatField(
        required=False,
        min_value=0,
        label=f"{label} (mSv; empty = not measured)",
        widget=forms.NumberInput({"step": "any"}),
    )


class CorrectionForm(forms.Form):
    hp10_mSv = _dose_field("Hp(10)")
    hp007_mSv = _dose_field("Hp(0.07)")
    hp3_mSv = _dose_field("Hp(3)")
    reason = forms.CharField(label="Why the reading is corrected", max_length=500, widget=forms.Textarea({"rows": 2}))


class WorkerForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    category = forms.ChoiceField(choices=[])
    active = forms.BooleanField(required=False, label="Monitored (wears a dosimeter)")
    user = forms.ModelChoiceField(queryset=None, required=False, label="NMGuard user (optional)")
    reason = forms.CharField(label="Why the register changes", max_length=500)

    def __init__(self, *args, **kwargs) -> None:
        from django.contrib.auth import get_user_model

        from nmguard.apps.protection.models import Worker

        super().__init__(*args, **kwargs)
        self.fields["category"].choices = Worker.Category.choices
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
