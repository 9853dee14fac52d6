"""Forms of the radiopharmacist's day (parsing only; the services decide)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from nmguard.apps.core.form_fields import ActivityField, LocalDateTimeField, SafetyQuestionField, yes_no_question
from nmguard.apps.equipment.models import Equipment
from nmguard.apps.radiopharmacy.models import Delivery, Elution, Recipe
from nmguard.web.input_bounds import BoundedFormMixin

_NOW = lambda: timezone.localtime().replace(second=0, microsecond=0)  # noqa: E731
_CHOOSE = ("", "— choose —")


class ElutionForm(BoundedFormMixin, forms.Form):
    eluted_at = LocalDateTimeField(initial=_NOW)
    eluted = ActivityField(label="Eluted activity")
    volume_mL = forms.FloatField(min_value=0.01, label="Volume (mL)")
    breakthrough_parent = ActivityField(required=False, label="Parent activity in the eluate (breakthrough)")
    aluminium_ok = SafetyQuestionField(
        label="Aluminium ion test",
        choices=[("pass", "Passed"), ("fail", "Failed"), ("not_tested", "Not tested on this eluate")],
        coerce={"pass": True, "fail": False, "not_tested": None}.__getitem__,
    )
    yield_reason = forms.CharField(
        required=False,
        label="Reason, when the yield is above the plausible maximum",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        from nmguard.reference.hotlab_plausibility import hotlab_plausibility

        super().__init__(*args, **kwargs)
        above = hotlab_plausibility().yield_reason_above_percent.value
        self.fields["yield_reason"].label = f"Reason, when the yield is above {above:g} % (more than the column holds)"


class BatchForm(BoundedFormMixin, forms.Form):
    recipe = forms.ModelChoiceField(Recipe.objects.all())
    number = forms.CharField(max_length=40)
    elution = forms.ModelChoiceField(Elution.objects.filter(usable=True).select_related("generator"), required=False)
    stock = forms.ModelChoiceField(
        Delivery.objects.filter(status=Delivery.Status.IN_STOCK),
        required=False,
        label="Or drawn from stock vial",
    )
    prepared_at = LocalDateTimeField(initial=_NOW)
    activity = ActivityField(label="Activity at preparation")
    volume_mL = forms.FloatField(min_value=0.01, label="Volume (mL)")
    components = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One component per line: name; lot; expiry (YYYY-MM-DD)",
    )
    hot_cell = forms.CharField(required=False)
    environment = forms.CharField(required=False, label="Environment checks (e.g. LAF particles, pressure)")

    def clean_components(self):
        from nmguard.apps.radiopharmacy.services import Component

        parsed = []
        for n, line in enumerate(self.cleaned_data["components"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) != 3:
                raise forms.ValidationError(f"line {n}: write name; lot; expiry")
            try:
                expiry = dt.date.fromisoformat(parts[2])
            except ValueError:
                raise forms.ValidationError(f"line {n}: expiry {parts[2]!r} is not YYYY-MM-DD") from None
            parsed.append(Component(parts[0], parts[1], expiry))
        if not parsed:
            raise forms.ValidationError("list every component with its lot and expiry")
        return parsed


class BatchTestForm(BoundedFormMixin, forms.Form):
    """One QC result; ``tests`` (name → specification) are the recipe's defined tests, the only choices."""

    test = forms.ChoiceField(choices=[_CHOOSE])
    value = forms.FloatField(required=False, label="Result (number)")
    strip1_front = forms.FloatField(required=False, min_value=0, label="RCP two-strip: strip 1 front (counts)")
    strip1_origin = forms.FloatField(required=False, min_value=0, label="strip 1 origin (counts)")
    strip2_front = forms.FloatField(required=False, min_value=0, label="strip 2 front (counts)")
    strip2_origin = forms.FloatField(required=False, min_value=0, label="strip 2 origin (counts)")
    text = forms.ChoiceField(choices=[("", "—"), ("pass", "pass"), ("fail", "fail")], required=False)
    waived_reason = forms.CharField(required=False, label="Parametric release: reason (leave empty otherwise)")

    def __init__(self, *args, tests: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["test"].choices = [_CHOOSE] + [
            (name, f"{name} ({spec.describe()}{', pass/fail' if spec.kind == 'pass_fail' else ''})")
            for name, spec in (tests or {}).items()
        ]


class ReleaseForm(BoundedFormMixin, forms.Form):
    statement = forms.CharField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, label="Your password (e-signature)")


class DispenseForm(BoundedFormMixin, forms.Form):
    prescription = forms.IntegerField(required=False, widget=forms.HiddenInput)
    wanted = ActivityField(label="Activity wanted")
    wanted_at = LocalDateTimeField(label="At (injection time)")
    activity_meter = forms.ModelChoiceField(Equipment.objects.filter(kind=Equipment.Kind.ACTIVITY_METER))
    measured = ActivityField(label="Syringe reading")
    measured_at = LocalDateTimeField(initial=_NOW)


class OwnIdsMixin:
    """Element ids that start with the form's ``id_prefix``: the hot-lab day and the waste page show two
    forms with the same field names, and a label's ``for`` (and a test's selector) must name one element."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


def container_ids(container_pk: int) -> str:
    """Element ids of one waste container's disposal form (the page shows one form per container)."""
    return f"id_w{container_pk}_%s"


class WasteForm(BoundedFormMixin, forms.Form):
    label = forms.CharField(max_length=60)
    nuclide = forms.CharField(max_length=16)
    activity = ActivityField(label="Estimated activity")
    limit = ActivityField(label="Release below")
    sealed_at = LocalDateTimeField(initial=_NOW)


class DisposalForm(BoundedFormMixin, forms.Form):
    disposed_at = LocalDateTimeField(initial=_NOW)
    background = forms.FloatField(min_value=0)
    surface = forms.FloatField(min_value=0, label="Surface reading")
    unit = forms.ChoiceField(choices=[_CHOOSE, ("uSv/h", "µSv/h"), ("cps", "cps"), ("cpm", "cpm")])
    counting_time_s = forms.FloatField(required=False, min_value=1, label="Counting time (s), count-rate meters")
    instrument = forms.CharField()
    surveyor = forms.CharField()


class DeliveryForm(OwnIdsMixin, BoundedFormMixin, forms.Form):
    id_prefix = "delivery"
    nuclide = forms.CharField(max_length=16)
    product = forms.CharField(max_length=160)
    activity = ActivityField(label="Activity at calibration")
    calibrated_at = LocalDateTimeField()
    received_at = LocalDateTimeField(initial=_NOW)
    supplier = forms.CharField(required=False)
    package_surface_uSv_h = forms.FloatField(required=False, label="Package surface (µSv/h)")
    package_1m_uSv_h = forms.FloatField(required=False, label="At 1 m (µSv/h)")
    wipe_Bq_per_cm2 = forms.FloatField(required=False, label="Wipe test (Bq/cm²)")
    receipt_ok = yes_no_question(
        "Receipt checks passed (package intact, labels match, readings within the local limits)"
    )
    receipt_note = forms.CharField(required=False)


class DischargeForm(OwnIdsMixin, BoundedFormMixin, forms.Form):
    id_prefix = "discharge"
    at = LocalDateTimeField(initial=_NOW, label="Released at")
    pathway = forms.ChoiceField(choices=[_CHOOSE, ("sewer", "Sewer"), ("air", "Air")])
    nuclide = forms.CharField(max_length=16)
    activity = ActivityField()
    note = forms.CharField(required=False)
