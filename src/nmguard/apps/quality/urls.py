from django.urls import include, path

urlpatterns = [
    path("incidents/", include("nmguard.apps.quality.incident_urls")),
    path("actions/", include("nmguard.apps.quality.capa_urls")),
    path("audits/", include("nmguard.apps.quality.audit_urls")),
    path("training/", include("nmguard.apps.quality.training_urls")),
    path("documents/", include("nmguard.apps.quality.document_urls")),
    path("peer-review/", include("nmguard.apps.quality.peer_review_urls")),
    path("", include("nmguard.apps.quality.review_urls")),
]
