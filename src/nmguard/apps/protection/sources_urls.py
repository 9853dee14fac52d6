from django.urls import path

from nmguard.apps.protection import source_views

urlpatterns = [
    path("", source_views.register_page, name="protection-sources"),
    path("new/", source_views.new_source, name="protection-source-new"),
    path("inventory/", source_views.inventory_page, name="protection-source-inventory"),
    path("<int:pk>/", source_views.source_page, name="protection-source"),
    path("<int:pk>/leak-test/", source_views.record_test, name="protection-source-leak-test"),
    path("<int:pk>/status/", source_views.change_status, name="protection-source-status"),
]
