"""Admin pages of the hot lab: the product catalogue and recipes; records change only through the day's pages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from nmguard.apps.radiopharmacy.models import (
    Batch,
    BatchTest,
    Dispensing,
    Elution,
    Generator,
    Radiopharmaceutical,
    Recipe,
    WasteContainer,
)


class _NoDelete(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnly(_NoDelete):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Radiopharmaceutical)
class RadiopharmaceuticalAdmin(_NoDelete):
    list_display = ("name", "catalogue_id", "nuclide", "route", "is_therapy", "active")


@admin.register(Recipe)
class RecipeAdmin(_NoDelete):
    list_display = ("name", "radiopharmaceutical", "shelf_life_h", "min_activity_MBq", "max_activity_MBq")


for model in (Generator, Elution, Batch, BatchTest, Dispensing, WasteContainer):
    admin.site.register(model, _ReadOnly)
