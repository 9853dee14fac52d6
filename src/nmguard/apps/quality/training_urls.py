from django.urls import path

from nmguard.apps.quality import training_pages

urlpatterns = [
    path("", training_pages.my_training, name="quality-training"),
    path("people/<int:pk>/", training_pages.person_page, name="quality-training-person"),
    path("matrix/", training_pages.matrix_page, name="quality-training-matrix"),
    path("record/", training_pages.record_page, name="quality-training-record"),
    path("competences/sign/", training_pages.sign_page, name="quality-competence-sign"),
    path("guards/", training_pages.guard_page, name="quality-training-guards"),
]
