"""Admin pages for configuring protocols; patients and clinical records are read-only here (they change
only through the registration page and the administration path, which check and audit every step)."""

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


@admin.register(Patient)
class PatientAdmin(ReadOnlyAdmin):
    """Patients are registered and corrected on the registration page, with its identity checks."""

    list_display = ("mrn", "family_name", "given_name", "birth_date", "sex")
    search_fields = ("mrn", "family_name")


for model in (Prescription, DoseMeasurement, SafetyCheck, Administration, MedicalEvent, ImportedDoseReport):
    admin.site.register(model, ReadOnlyAdmin)
