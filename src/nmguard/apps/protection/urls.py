from django.urls import path

from nmguard.apps.protection import views

urlpatterns = [
    path("", views.overview, name="protection"),
    path("import/", views.import_page, name="protection-import"),
    path("workers/<int:pk>/", views.worker_page, name="protection-worker"),
    path("workers/<int:pk>/pregnancy/", views.declare_pregnancy, name="protection-declare"),
    path("pregnancies/<int:pk>/end/", views.end_pregnancy, name="protection-pregnancy-end"),
]
