from django.urls import include, path

from nmguard.apps.protection import record_pages, views

urlpatterns = [
    path("", views.overview, name="protection"),
    path("import/", views.import_page, name="protection-import"),
    path("workers/<int:pk>/", views.worker_page, name="protection-worker"),
    path("workers/<int:pk>/pregnancy/", views.declare_pregnancy, name="protection-declare"),
    path("workers/<int:pk>/edit/", record_pages.edit_worker, name="protection-worker-edit"),
    path("readings/<int:pk>/correct/", record_pages.correct, name="protection-correct"),
    path("pregnancies/<int:pk>/end/", views.end_pregnancy, name="protection-pregnancy-end"),
    path("monitoring/", include("nmguard.apps.protection.monitoring_urls")),
    path("shielding/", include("nmguard.apps.protection.shielding_urls")),
    path("sources/", include("nmguard.apps.protection.sources_urls")),
]
