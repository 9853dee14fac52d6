from django.urls import path

from nmguard.apps.quality import peer_review_pages as pages

urlpatterns = [
    path("", pages.overview, name="quality-peer-review"),
    path("samples/<int:pk>/", pages.sample_page, name="quality-peer-review-sample"),
    path("reviews/<int:pk>/", pages.review_page, name="quality-peer-review-review"),
    path("mine/", pages.my_feedback, name="quality-peer-review-mine"),
]
