"""Admin pages of the equipment area: the register's identity fields, check sources and the QC programme
(tests with the department's bands, schedules). A device's QC state (status, QC valid until, lock-out)
changes only through QC results, exemptions and a physicist's signed return to service; QC results,
exemptions and the service log are read-only here."""

from django.contrib import admin

from nmguard.apps.core.admin_base import NoDeleteAdmin, ReadOnlyAdmin
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
    # clinical state: set by the QC programme (qc_services), never typed in here
    readonly_fields = ("status", "qc_valid_until", "locked_by_qc")


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


admin.site.register(CheckSource, NoDeleteAdmin)

for model in (ServiceLogEntry, QCExemption):
    admin.site.register(model, ReadOnlyAdmin)


@admin.register(QCResult)
class QCResultAdmin(ReadOnlyAdmin):
    list_display = ("schedule", "performed_at", "value", "unit", "outcome", "approved_by")
