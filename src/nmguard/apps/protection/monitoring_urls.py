"""/protection/monitoring/: the survey schedule, locations, instruments, follow-ups."""

from django.urls import path

from nmguard.apps.protection import monitoring_views as views

urlpatterns = [
    path("", views.schedule_page, name="monitoring"),
    path("locations/<int:pk>/", views.location_page, name="monitoring-location"),
    path("instruments/", views.instruments_page, name="monitoring-instruments"),
    path("follow-ups/", views.follow_ups_page, name="monitoring-follow-ups"),
]
