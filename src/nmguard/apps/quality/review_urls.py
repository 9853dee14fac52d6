from django.urls import path

from nmguard.apps.quality import review_meeting_pages as meetings
from nmguard.apps.quality import review_views

urlpatterns = [
    path("", review_views.dashboard, name="quality"),
    path("readiness/", review_views.readiness_page, name="quality-readiness"),
    path("review/", review_views.review_page, name="quality-review"),
    path("review/management-review.pdf", review_views.review_pdf, name="quality-review-pdf"),
    path("review/meetings/", meetings.meeting_list, name="quality-review-meetings"),
    path("review/meetings/new/", meetings.new_meeting, name="quality-review-meeting-new"),
    path("review/meetings/<int:pk>/", meetings.meeting_page, name="quality-review-meeting"),
    path("review/meetings/<int:pk>/action/", meetings.meeting_action, name="quality-review-meeting-action"),
    path("review/meetings/<int:pk>/sign/", meetings.meeting_sign, name="quality-review-meeting-sign"),
    path("review/meetings/<int:pk>/minutes.pdf", meetings.meeting_pdf, name="quality-review-meeting-pdf"),
]
