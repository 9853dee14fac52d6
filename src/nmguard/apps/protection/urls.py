from django.urls import include, path

from nmguard.apps.protection import annual_pages, event_pages, investigation_pages, record_pages, rpo_dashboard, views

urlpatterns = [
    path("", views.overview, name="protection"),
    path("rpo/", rpo_dashboard.dashboard, name="protection-rpo"),
    path("report/", annual_pages.department_report, name="protection-annual-report"),
    path("import/", views.import_page, name="protection-import"),
    path("workers/<int:pk>/", views.worker_page, name="protection-worker"),
    path("workers/<int:pk>/report/", annual_pages.worker_report, name="protection-worker-report"),
    path("workers/<int:pk>/investigate/", investigation_pages.open_page, name="protection-investigation-open"),
    path("workers/<int:pk>/pregnancy/", views.declare_pregnancy, name="protection-declare"),
    path("workers/<int:pk>/edit/", record_pages.edit_worker, name="protection-worker-edit"),
    path("readings/<int:pk>/correct/", record_pages.correct, name="protection-correct"),
    path("pregnancies/<int:pk>/end/", views.end_pregnancy, name="protection-pregnancy-end"),
    path("investigations/", investigation_pages.investigation_list, name="protection-investigations"),
    path("investigations/<int:pk>/", investigation_pages.investigation_page, name="protection-investigation"),
    path("events/", event_pages.event_list, name="protection-events"),
    path("events/new/", event_pages.new_event, name="protection-event-new"),
    path("events/<int:pk>/", event_pages.event_page, name="protection-event"),
    path("monitoring/", include("nmguard.apps.protection.monitoring_urls")),
    path("shielding/", include("nmguard.apps.protection.shielding_urls")),
    path("sources/", include("nmguard.apps.protection.sources_urls")),
]
