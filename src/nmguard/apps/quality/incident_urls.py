from django.urls import path

from nmguard.apps.quality import incident_pages

urlpatterns = [
    path("", incident_pages.incident_list, name="quality-incidents"),
    path("new/", incident_pages.new_incident, name="quality-incident-new"),
    path("export/", incident_pages.incident_export, name="quality-incident-export"),
    path("<int:pk>/", incident_pages.incident_page, name="quality-incident"),
    path("<int:pk>/investigation/", incident_pages.incident_investigation, name="quality-incident-investigation"),
    path("<int:pk>/action/", incident_pages.incident_action, name="quality-incident-action"),
    path("<int:pk>/close/", incident_pages.incident_close, name="quality-incident-close"),
]
