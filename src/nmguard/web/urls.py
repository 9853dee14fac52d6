from django.contrib import admin
from django.urls import include, path

from nmguard.web.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("administrations/", include("nmguard.apps.patients.urls")),
    path("equipment/", include("nmguard.apps.equipment.urls")),
    path("hotlab/", include("nmguard.apps.radiopharmacy.urls")),
    path("therapy/", include("nmguard.apps.therapy.urls")),
    path("protection/", include("nmguard.apps.protection.urls")),
    path("quality/", include("nmguard.apps.quality.urls")),
    path("", include("nmguard.apps.core.urls")),
]

handler403 = "nmguard.apps.core.views.permission_denied"
handler500 = "nmguard.web.server_error.server_error"
