"""/protection/monitoring/: the survey schedule, locations, instruments, follow-ups."""

from django.urls import path

from nmguard.apps.protection import monitoring_views as views

urlpatterns = [
    path("", views.schedule_page, name="protection-monitoring"),
    path("locations/<int:pk>/", views.location_page, name="protection-monitoring-location"),
    path("instruments/", views.instruments_page, name="protection-monitoring-instruments"),
    path("follow-ups/", views.follow_ups_page, name="protection-monitoring-follow-ups"),
]
