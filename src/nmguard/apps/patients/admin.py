"""Admin pages for configuring protocols; clinical records are read-only here (they change only
through the administration path, which checks and audits every step)."""

from django import forms
from django.contrib import admin

from nmguard.apps.core.admin_base import NoDeleteAdmin, ReadOnlyAdmin
from nmguard.apps.patients.models import (
    Administration,
    DoseMeasurement,
    ImportedDoseReport,
    MedicalEvent,
    Patient,
    Prescription,
    Protocol,
    SafetyCheck,
)


@admin.register(Protocol)
class ProtocolAdmin(NoDeleteAdmin):
    list_display = (
        "name",
        "radiopharmaceutical",
        "activity_mode",
        "adult_activity_MBq",
        "drl_MBq",
        "paediatric_method",
        "active",
    )
    list_filter = ("active", "paediatric_method")


class PatientAdminForm(forms.ModelForm):
    """The same checks as the registration page and the API (no second set of rules here)."""

    confirm_distinct = forms.BooleanField(
        required=False, label="Checked a second identifier: not the patient with the same name and birth date"
    )

    class Meta:
        model = Patient
        fields = ["mrn", "family_name", "given_name", "birth_date", "sex"]

    def clean(self):
        from nmguard.apps.patients.services import check_patient_entry
        from nmguard.errors import InputError

        data = super().clean()
        if self.errors:
            return data
        try:
            check_patient_entry(**data, existing_pk=self.instance.pk)
        except InputError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(Patient)
class PatientAdmin(NoDeleteAdmin):
    form = PatientAdminForm
    list_display = ("mrn", "family_name", "given_name", "birth_date", "sex")
    search_fields = ("mrn", "family_name")


for model in (Prescription, DoseMeasurement, SafetyCheck, Administration, MedicalEvent, ImportedDoseReport):
    admin.site.register(model, ReadOnlyAdmin)
