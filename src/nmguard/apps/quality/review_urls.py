from django.urls import path

from nmguard.apps.quality import review_views

urlpatterns = [
    path("", review_views.dashboard, name="quality"),
    path("readiness/", review_views.readiness_page, name="quality-readiness"),
    path("review/", review_views.review_page, name="quality-review"),
    path("review/management-review.pdf", review_views.review_pdf, name="quality-review-pdf"),
]
