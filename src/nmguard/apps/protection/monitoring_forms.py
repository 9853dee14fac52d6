"""Forms of the workplace-monitoring pages; field names are the services' field names, so a refusal shows
next to its field (``apply_error``)."""

from __future__ import annotations

from django import forms

from nmguard.apps.core.form_fields import LocalDateTimeField
from nmguard.apps.core.listing import DATE_INPUT_FORMATS
from nmguard.apps.protection.survey_models import Instrument, SurveyLocation
from nmguard.errors import InputError

_DATE = {"input_formats": DATE_INPUT_FORMATS, "widget": forms.DateInput(attrs={"type": "date"})}


def _number(label: str, required: bool = True, **kw) -> forms.FloatField:
    return forms.FloatField(label=label, required=required, widget=forms.NumberInput({"step": "any"}), **kw)


def parse_numbers(text: str, field: str) -> list[float]:
    """'0.3, 0.5 2.1' -> [0.3, 0.5, 2.1] (commas, semicolons or spaces)."""
    parts = [p for p in text.replace(";", " ").replace(",", " ").split() if p]
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise InputError(f"{field}: numbers separated by commas, e.g. 0.3, 0.5", field) from None


def parse_efficiencies(text: str) -> dict[str, float]:
    """'Tc-99m=0.5; I-131=0.3' -> {nuclide: counts per decay}."""
    out: dict[str, float] = {}
    for item in [i.strip() for i in text.replace(",", ";").split(";") if i.strip()]:
        name, _, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise InputError(
                "efficiencies: write nuclide=efficiency pairs, e.g. Tc-99m=0.5; I-131=0.3", "efficiencies"
            ) from None
    return out


class _ByKind(forms.Form):
    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.instrument_field].queryset = Instrument.objects.filter(kind=kind, status="in_service")


class SurveyForm(_ByKind):
    instrument_field = "instrument"
    instrument = forms.ModelChoiceField(queryset=Instrument.objects.none(), label="Instrument")
    performed_at = LocalDateTimeField(label="Performed at")
    readings = forms.CharField(label="Readings (µSv/h, or Bq/cm² for a contamination probe), separated by commas")
    background = _number("Background (same unit; empty if the meter does not read one)", required=False)
    note = forms.CharField(required=False, widget=forms.Textarea({"rows": 2}))


class WipeForm(_ByKind):
    instrument_field = "counter"
    counter = forms.ModelChoiceField(queryset=Instrument.objects.none(), label="Counter")
    performed_at = LocalDateTimeField(label="Wiped at")
    nuclide = forms.CharField(required=False, max_length=16, label="Nuclide (empty: the location's)")
    gross_counts = _number("Gross counts")
    gross_time_s = _number("Gross counting time (s)")
    background_counts = _number("Background counts")
    background_time_s = _number("Background counting time (s)")
    area_cm2 = _number("Wiped area (cm²)", initial=100)
    removal_fraction = _number("Removal fraction (empty: the profile's default)", required=False)
    note = forms.CharField(required=False, widget=forms.Textarea({"rows": 2}))


class InstrumentForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=Instrument.Kind.choices)
    serial = forms.CharField(max_length=80)
    calibrated_on = forms.DateField(label="Calibrated on", **_DATE)
    calibration_due = forms.DateField(label="Calibration due", **_DATE)
    reads_background = forms.BooleanField(required=False, label="A background reading is taken with every survey")
    check_reference = _number("Check-source reference reading", required=False)
    check_unit = forms.CharField(required=False, max_length=20, label="Check-source unit")
    efficiencies = forms.CharField(required=False, label="Counter efficiencies (e.g. Tc-99m=0.5; I-131=0.3)")


class ConstancyForm(forms.Form):
    instrument = forms.ModelChoiceField(queryset=Instrument.objects.filter(status="in_service"))
    checked_on = forms.DateField(label="Checked on", **_DATE)
    reading = _number("Check-source reading")


class InstrumentUpdateForm(forms.Form):
    instrument = forms.ModelChoiceField(queryset=Instrument.objects.all())
    status = forms.ChoiceField(choices=Instrument.Status.choices)
    calibrated_on = forms.DateField(required=False, label="New calibration on (empty: unchanged)", **_DATE)
    calibration_due = forms.DateField(required=False, label="New calibration due", **_DATE)
    reason = forms.CharField(label="Reason (kept in the history)")


class LocationForm(forms.Form):
    name = forms.CharField(max_length=120)
    area_kind = forms.ChoiceField(choices=SurveyLocation.AreaKind.choices, label="Area")
    survey_kind = forms.ChoiceField(choices=SurveyLocation.SurveyKind.choices, label="Survey")
    frequency = forms.ChoiceField(choices=SurveyLocation.Frequency.choices)
    nuclide = forms.CharField(required=False, max_length=16, label="Nuclide (wipe tests)")
    first_due = forms.DateField(required=False, label="First due (empty: today)", **_DATE)
    action_level_override = _number("Department's action level (empty: the profile's)", required=False)
    override_reason = forms.CharField(required=False, label="Why the department's level differs")


class ActionForm(forms.Form):
    action_taken = forms.CharField(widget=forms.Textarea({"rows": 2}), label="Decontamination done")
