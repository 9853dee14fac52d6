"""Admin pages of staff dosimetry: read-only (readings change only through the import and a reasoned
correction, the register and declarations through their pages, so every change keeps its reason)."""

from django.contrib import admin

from nmguard.apps.core.admin_base import ReadOnlyAdmin
from nmguard.apps.protection.models import DoseImport, DoseReading, PregnancyDeclaration, Worker


@admin.register(Worker)
class WorkerAdmin(ReadOnlyAdmin):
    list_display = ("worker_id", "name", "category", "active")
    list_filter = ("category", "active")
    search_fields = ("worker_id", "name")


@admin.register(DoseReading)
class DoseReadingAdmin(ReadOnlyAdmin):
    list_display = ("worker", "dosimeter", "period_start", "period_end", "hp10_mSv", "hp007_mSv", "hp3_mSv")
    list_filter = ("dosimeter",)
    list_select_related = ("worker",)


@admin.register(DoseImport)
class DoseImportAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "created_at", "imported_by", "imported", "duplicates")


@admin.register(PregnancyDeclaration)
class PregnancyDeclarationAdmin(ReadOnlyAdmin):
    list_display = ("worker", "declared_on", "ended_on")
