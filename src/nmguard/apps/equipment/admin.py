"""Admin pages of the equipment area: the register, check sources, the QC programme (tests with the
department's bands, schedules) and the service log. QC results change only through result entry."""

from django.contrib import admin

from nmguard.apps.core.admin_base import NoDeleteAdmin
from nmguard.apps.equipment.models import (
    CheckSource,
    Equipment,
    QCExemption,
    QCResult,
    QCSchedule,
    QCTest,
    ServiceLogEntry,
)


@admin.register(Equipment)
class EquipmentAdmin(NoDeleteAdmin):
    list_display = ("name", "kind", "location", "status", "qc_valid_until", "locked_by_qc")
    list_filter = ("kind", "status")


@admin.register(QCTest)
class QCTestAdmin(NoDeleteAdmin):
    list_display = (
        "name",
        "catalogue_id",
        "frequency",
        "tolerance_low",
        "tolerance_high",
        "action_low",
        "action_high",
        "window_days",
        "active",
    )
    readonly_fields = ("catalogue_id",)


@admin.register(QCSchedule)
class QCScheduleAdmin(NoDeleteAdmin):
    list_display = ("equipment", "test", "frequency", "check_source", "active")


for model in (CheckSource, ServiceLogEntry, QCExemption):
    admin.site.register(model, NoDeleteAdmin)


@admin.register(QCResult)
class QCResultAdmin(NoDeleteAdmin):
    list_display = ("schedule", "performed_at", "value", "unit", "outcome", "approved_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
