from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from nmguard.apps.radiopharmacy.models import Radiopharmaceutical


@admin.register(Radiopharmaceutical)
class RadiopharmaceuticalAdmin(SimpleHistoryAdmin):
    list_display = ("name", "nuclide", "route", "is_therapy", "active")

    def has_delete_permission(self, request, obj=None):
        return False
