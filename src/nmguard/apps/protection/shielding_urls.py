"""/protection/shielding/: the rooms, a room with its points and results, the forms, the printable report."""

from __future__ import annotations

from django.urls import path

from nmguard.apps.protection import shielding_views as views

urlpatterns = [
    path("", views.rooms, name="protection-shielding"),
    path("rooms/add/", views.room_add, name="protection-shielding-room-add"),
    path("rooms/<int:pk>/", views.room_page, name="protection-shielding-room"),
    path("rooms/<int:pk>/edit/", views.room_edit, name="protection-shielding-room-edit"),
    path("rooms/<int:pk>/points/add/", views.point_add, name="protection-shielding-point-add"),
    path("rooms/<int:pk>/report.pdf", views.room_report, name="protection-shielding-report"),
    path("points/<int:pk>/edit/", views.point_edit, name="protection-shielding-point-edit"),
]
