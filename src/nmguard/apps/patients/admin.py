"""Admin pages for configuring protocols; clinical records are read-only here (they change only
through the administration path, which checks and audits every step)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

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


class _NoDelete(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnly(_NoDelete):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Protocol)
class ProtocolAdmin(_NoDelete):
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
class PatientAdmin(_NoDelete):
    list_display = ("mrn", "family_name", "given_name", "birth_date", "sex")
    search_fields = ("mrn", "family_name")


for model in (Prescription, DoseMeasurement, SafetyCheck, Administration, MedicalEvent, ImportedDoseReport):
    admin.site.register(model, _ReadOnly)
