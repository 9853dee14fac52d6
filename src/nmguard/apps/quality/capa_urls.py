from django.urls import path

from nmguard.apps.quality import capa_pages

urlpatterns = [
    path("", capa_pages.action_list, name="quality-actions"),
    path("new/", capa_pages.new_action, name="quality-action-new"),
    path("<int:pk>/", capa_pages.action_page, name="quality-action"),
    path("<int:pk>/done/", capa_pages.action_done, name="quality-action-done"),
    path("<int:pk>/effectiveness/", capa_pages.action_effectiveness, name="quality-action-effectiveness"),
    path("<int:pk>/close/", capa_pages.action_close, name="quality-action-close"),
    path("<int:pk>/cancel/", capa_pages.action_cancel, name="quality-action-cancel"),
]
