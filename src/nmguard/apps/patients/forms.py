"""Forms of the administration path. They parse and validate input; services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from nmguard.apps.core.form_fields import ActivityField, LocalDateTimeField, SafetyQuestionField, yes_no_question
from nmguard.apps.equipment.models import Equipment
from nmguard.apps.patients.lists import picker_context
from nmguard.apps.patients.models import Administration, Patient, Protocol
from nmguard.apps.radiopharmacy.models import Radiopharmaceutical
from nmguard.web.input_bounds import BoundedFormMixin


class PatientForm(BoundedFormMixin, forms.ModelForm):
    """The service decides (duplicate IDs in any case, same name and birth date, implausible dates)."""

    confirm_distinct = forms.BooleanField(
        required=False,
        label="I checked a second identifier: this is a different person from the existing patient with the "
        "same name and birth date",
    )

    class Meta:
        model = Patient
        fields = ["mrn", "family_name", "given_name", "birth_date", "sex"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}


class PatientCorrectionForm(BoundedFormMixin, forms.Form):
    """A registered patient's details, corrected with a reason (the service checks as for a registration).

    Not a model form: a model form would write the entry into the record before the service compares it
    with what is stored, and would refuse the record's own unchanged ID as taken."""

    _fields = forms.fields_for_model(Patient, fields=PatientForm.Meta.fields, widgets=PatientForm.Meta.widgets)
    mrn, family_name, given_name = _fields["mrn"], _fields["family_name"], _fields["given_name"]
    birth_date, sex = _fields["birth_date"], _fields["sex"]
    confirm_distinct = PatientForm.base_fields["confirm_distinct"]
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why (what was wrong and where the right value comes from, e.g. the ID card or the HIS)",
    )


class PatientPicker(forms.Widget):
    """A search box and the matching patients as radio buttons: never a drop-down of every patient.

    The choices come from :func:`lists.picker_context` (set by the form); htmx refreshes them as one
    types, and without JavaScript the search box's own GET form shows them."""

    template_name = "patients/_patient_picker.html"
    picker: dict = {}  # noqa: RUF012 - replaced per form instance

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["picker"] = self.picker
        return context

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_q" if id_ else id_  # the field's label names the search box


class PatientPickField(forms.ModelChoiceField):
    """The chosen patient's pk; the server checks it names a registered patient."""

    widget = PatientPicker
    default_error_messages = {  # noqa: RUF012 - Django's convention
        "required": "Choose the patient: search by patient ID, name or birth date, then pick one.",
        "invalid_choice": "No such patient: search by patient ID, name or birth date, then pick one.",
    }


class PrescriptionForm(BoundedFormMixin, forms.Form):
    patient = PatientPickField(Patient.objects.all(), label="Patient (search by ID, name or birth date)")
    protocol = forms.ModelChoiceField(Protocol.objects.filter(active=True))
    scheduled_for = LocalDateTimeField(label="Scheduled for (now or later)")
    weight_kg = forms.FloatField(required=False, min_value=0.1, max_value=350, label="Weight (kg)")
    activity = ActivityField(required=False, label="Activity (leave empty for the protocol's)")
    override_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for an activity other than the protocol's (say why, in a few words)",
    )
    signature_password = forms.CharField(
        required=False,
        widget=forms.PasswordInput,
        label="Your password (e-signature; needed for an activity far above the protocol)",
    )

    def __init__(self, *args, patient_query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.data.get("patient") if self.is_bound else self.initial.get("patient")
        selected = Patient.objects.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
        self.fields["patient"].widget.picker = picker_context(patient_query, selected)


class MeasurementForm(BoundedFormMixin, forms.Form):
    activity_meter = forms.ModelChoiceField(
        Equipment.objects.filter(kind=Equipment.Kind.ACTIVITY_METER),
        empty_label="— choose the meter you measured on —",
    )
    activity = ActivityField(label="Syringe reading")
    measured_at = LocalDateTimeField(initial=lambda: timezone.localtime().replace(second=0, microsecond=0))


class ChecksForm(BoundedFormMixin, forms.Form):
    """The bedside questions. No safety question has a default answer: each must be answered.

    Pregnancy and breast-feeding are asked (and shown) only where the jurisdiction profile's age range
    and the patient's recorded sex make them apply; ``ask_pregnancy`` says whether they do.
    """

    patient_id = forms.CharField(label="Patient ID (asked / wristband)")
    birth_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Birth date (asked)")
    pregnancy = SafetyQuestionField(
        choices=[("not_pregnant", "Not pregnant"), ("pregnant", "Pregnant"), ("unknown", "Unknown / not sure")],
        label="Pregnancy (ask the patient)",
    )
    breastfeeding = yes_no_question("Breast-feeding (ask the patient)")
    breastfeeding_advice_given = forms.BooleanField(required=False, label="Interruption advice given")
    previous_reaction = yes_no_question("Allergy or previous reaction to this product")
    reaction_note = forms.CharField(required=False)
    radiopharmaceutical = forms.ModelChoiceField(
        Radiopharmaceutical.objects.filter(active=True),
        label="Product drawn up (read the syringe label)",
        empty_label="— choose the product on the syringe label —",
    )
    planned_at = LocalDateTimeField(
        label="Planned injection time (when you will inject; may be later today, not before the measurement)",
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
    )

    def __init__(self, *args, ask_pregnancy: bool = True, ask_reason: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_pregnancy:
            for name in ("pregnancy", "breastfeeding", "breastfeeding_advice_given"):
                del self.fields[name]
        elif ask_reason:
            self.fields["pregnancy"].help_text = ask_reason


class AdministrationForm(BoundedFormMixin, forms.Form):
    administered_at = LocalDateTimeField(initial=lambda: timezone.localtime().replace(second=0, microsecond=0))
    route = forms.ChoiceField(choices=[("", "— choose the route given —"), *Administration.Route.choices])
    site = forms.CharField(required=False)
    residual = ActivityField(required=False, label="Residual in syringe")
    residual_measured_at = LocalDateTimeField(required=False)
    extravasation = yes_no_question("Extravasation at the injection site (look and ask)")
    extravasation_follow_up = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    adverse_reaction = forms.CharField(required=False)


class OverrideForm(BoundedFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Reason (say why, in a few words: the clinical decision)"
    )
    password = forms.CharField(widget=forms.PasswordInput, label="Your password (e-signature)")


class MedicalEventStepForm(BoundedFormMixin, forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Report reference / findings")
    password = forms.CharField(widget=forms.PasswordInput, label="Your password (e-signature)")


class DoseReportUploadForm(BoundedFormMixin, forms.Form):
    file = forms.FileField(label="RRDSR file (DICOM)")
