from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from nmguard.apps.equipment.models import Equipment


@admin.register(Equipment)
class EquipmentAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "location", "status")
    list_filter = ("kind", "status")

    def has_delete_permission(self, request, obj=None):
        return False
