"""Admin pages of the hot lab: the product catalogue and recipes; records change only through the day's pages."""

from django.contrib import admin

from nmguard.apps.core.admin_base import NoDeleteAdmin, ReadOnlyAdmin
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


@admin.register(Radiopharmaceutical)
class RadiopharmaceuticalAdmin(NoDeleteAdmin):
    list_display = ("name", "catalogue_id", "nuclide", "route", "is_therapy", "active")


@admin.register(Recipe)
class RecipeAdmin(NoDeleteAdmin):
    list_display = ("name", "radiopharmaceutical", "shelf_life_h", "min_activity_MBq", "max_activity_MBq")


for model in (Generator, Elution, Batch, BatchTest, Dispensing, WasteContainer):
    admin.site.register(model, ReadOnlyAdmin)
